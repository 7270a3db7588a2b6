package discordtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Request is one HTTP request the fake received, with the answer it gave.
type Request struct {
	// Method is the HTTP method.
	Method string
	// Host is the host the client addressed (discord.com, cdn.discordapp.com, ...).
	Host string
	// Path is the URL path, such as /api/v9/channels/1/messages.
	Path string
	// Query is the parsed query string.
	Query url.Values
	// Header holds the request headers.
	Header http.Header
	// Body is the JSON body: the raw body, or the payload_json part of a multipart body.
	Body []byte
	// JSON is Body decoded into maps, slices, strings, float64s and bools; nil if Body is empty or not JSON.
	JSON any
	// Files are the files of a multipart body, in order.
	Files []File
	// Violations are what Discord's OpenAPI specification refuses in JSON
	// (then the fake answered 400 Invalid Form Body), as "path: problem".
	Violations []string
	// Status is the HTTP status the fake answered.
	Status int
	// Response is the body the fake answered.
	Response []byte
	// Time is when the request arrived.
	Time time.Time
}

// File is a file uploaded in a multipart request.
type File struct {
	// Field is the form field name, such as files[0].
	Field string
	// Name is the file name.
	Name string
	// ContentType is the part's Content-Type.
	ContentType string
	// Data is the file content.
	Data []byte
}

// Decode unmarshals the request's JSON body into v.
func (r Request) Decode(v any) error {
	if err := json.Unmarshal(r.Body, v); err != nil {
		return fmt.Errorf("decode body of %s %s: %w", r.Method, r.Path, err)
	}
	return nil
}

// String returns "METHOD path -> status".
func (r Request) String() string { return fmt.Sprintf("%s %s -> %d", r.Method, r.Path, r.Status) }

// Route returns a matcher for requests with this method ("" for any) and a
// path whose "/"-separated segments equal pattern's, "*" matching any one
// segment: Route("PATCH", "/api/v9/webhooks/*/*/messages/@original").
func Route(method, pattern string) func(Request) bool {
	want := strings.Split(pattern, "/")
	return func(r Request) bool {
		if method != "" && r.Method != method {
			return false
		}
		got := strings.Split(r.Path, "/")
		if len(got) != len(want) {
			return false
		}
		for i, w := range want {
			if w != "*" && w != got[i] {
				return false
			}
		}
		return true
	}
}

// Requests returns every request received so far, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// WaitFor returns the first request, already received or still to come, that
// match accepts; it fails when ctx ends, listing the requests it saw.
func (s *Server) WaitFor(ctx context.Context, match func(Request) bool) (Request, error) {
	got, err := s.WaitForN(ctx, 1, match)
	if err != nil {
		return Request{}, err
	}
	return got[0], nil
}

// WaitForN returns the first n requests, already received or still to come,
// that match accepts; it fails when ctx ends, listing the requests it saw.
func (s *Server) WaitForN(ctx context.Context, n int, match func(Request) bool) ([]Request, error) {
	for {
		s.mu.Lock()
		var got []Request
		for _, r := range s.requests {
			if match(r) {
				got = append(got, r)
				if len(got) == n {
					s.mu.Unlock()
					return got, nil
				}
			}
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			// Listed only now: formatting every request at every change
			// cost waiters more CPU than the bot under test used.
			s.mu.Lock()
			seen := make([]string, len(s.requests))
			for i, r := range s.requests {
				seen[i] = r.String()
			}
			s.mu.Unlock()
			return got, fmt.Errorf("discordtest: waiting for %d matching requests, got %d: %w; received: [%s]",
				n, len(got), ctx.Err(), strings.Join(seen, ", "))
		}
	}
}

// FailNext makes the next request with this method ("" for any) whose path
// starts with pathPrefix fail with status and body. An empty body becomes
// Discord's error JSON for the status; for 429 it carries retry_after 0.01 s,
// which discordgo waits out and retries.
func (s *Server) FailNext(method, pathPrefix string, status int, body string) {
	if body == "" {
		if status == http.StatusTooManyRequests {
			body = `{"message":"You are being rate limited.","retry_after":0.01,"global":false}`
		} else {
			body = fmt.Sprintf(`{"message":%q,"code":0}`, fmt.Sprintf("%d: %s", status, http.StatusText(status)))
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, failure{method: method, prefix: pathPrefix, status: status, body: body})
}

// takeFailureLocked removes and returns the first injected failure for r; s.mu must be held.
func (s *Server) takeFailureLocked(r *http.Request) (failure, bool) {
	for i, f := range s.failures {
		if (f.method == "" || f.method == r.Method) && strings.HasPrefix(r.URL.Path, f.prefix) {
			s.failures = append(s.failures[:i], s.failures[i+1:]...)
			return f, true
		}
	}
	return failure{}, false
}

// readRequest reads r's body into a Request, splitting multipart bodies into
// payload_json and files.
func readRequest(r *http.Request) (Request, error) {
	req := Request{
		Method: r.Method,
		Host:   r.Host,
		Path:   r.URL.Path,
		Query:  r.URL.Query(),
		Header: r.Header.Clone(),
		Time:   time.Now(),
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return req, fmt.Errorf("read body: %w", err)
	}
	if len(raw) > maxBody {
		return req, fmt.Errorf("body over %d bytes", maxBody)
	}
	mediaType, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType == "multipart/form-data" {
		mr := multipart.NewReader(bytes.NewReader(raw), params["boundary"])
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return req, fmt.Errorf("read multipart body: %w", err)
			}
			data, err := io.ReadAll(part)
			if err != nil {
				return req, fmt.Errorf("read multipart part %q: %w", part.FormName(), err)
			}
			if part.FormName() == "payload_json" {
				req.Body = data
				continue
			}
			req.Files = append(req.Files, File{Field: part.FormName(), Name: part.FileName(), ContentType: part.Header.Get("Content-Type"), Data: data})
		}
	} else if len(raw) > 0 {
		req.Body = raw
	}
	if len(req.Body) > 0 {
		if err := json.Unmarshal(req.Body, &req.JSON); err != nil {
			return req, fmt.Errorf("decode JSON body: %w", err)
		}
	}
	return req, nil
}
