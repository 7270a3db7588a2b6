// Package llm is dalil's chat-completion client. It talks to any
// OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, LocalAI, llama.cpp
// server) through go-openai, streams replies, retries transient failures
// with exponential backoff and honours Retry-After.
package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/dalil-news/dalil/prompts"
	"github.com/dalil-news/dalil/rag"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultTimeout        = 60 * time.Second
	DefaultMaxRetries     = 3
	DefaultRetryBaseDelay = 500 * time.Millisecond
)

// maxRetryDelay caps one wait between attempts, whatever the server asks.
const maxRetryDelay = 30 * time.Second

// Config configures a Client.
type Config struct {
	// BaseURL is the API root including the version, e.g.
	// "https://api.openai.com/v1" or "http://localhost:11434/v1". Required.
	BaseURL string
	// APIKey is sent as a bearer token; empty sends none (local servers).
	APIKey string
	// Model names the chat model, e.g. "gpt-4o-mini" or "llama3.1:8b". Required.
	Model string
	// Timeout bounds one Complete call, retries and streaming included
	// (0: DefaultTimeout).
	Timeout time.Duration
	// MaxRetries is how many times a failed attempt is retried on 429, 5xx
	// and network errors (0: DefaultMaxRetries; negative: never).
	MaxRetries int
	// RetryBaseDelay is the first backoff; each retry doubles it, with
	// jitter (0: DefaultRetryBaseDelay). A Retry-After header overrides it.
	RetryBaseDelay time.Duration
	// Temperature is used when a request's Temperature is 0.
	Temperature float32
	// MaxTokens is used when a request's MaxTokens is 0 (0: the model's default).
	MaxTokens int
}

// Client is a rag.Chat over an OpenAI-compatible chat completions API.
// It is safe for concurrent use.
type Client struct {
	cfg      Config
	endpoint string // BaseURL without credentials or query, for messages
	api      *openai.Client
	// noStreamUsage is set once the server rejected stream_options.
	noStreamUsage atomic.Bool
}

var _ rag.Chat = (*Client)(nil)

// New validates cfg, applies defaults and returns a Client. It does not
// contact the server.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("llm config: BaseURL %q is not an http(s) URL", displayURL(cfg.BaseURL))
	}
	if strings.TrimSpace(cfg.Model) == "" {
		return nil, errors.New("llm config: Model is empty")
	}
	switch {
	case cfg.Timeout < 0:
		return nil, fmt.Errorf("llm config: Timeout %v is negative", cfg.Timeout)
	case cfg.RetryBaseDelay < 0:
		return nil, fmt.Errorf("llm config: RetryBaseDelay %v is negative", cfg.RetryBaseDelay)
	case cfg.MaxTokens < 0:
		return nil, fmt.Errorf("llm config: MaxTokens %d is negative", cfg.MaxTokens)
	case cfg.Temperature < 0 || cfg.Temperature > 2:
		return nil, fmt.Errorf("llm config: Temperature %v is outside [0, 2]", cfg.Temperature)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	switch {
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = DefaultMaxRetries
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	}
	if cfg.RetryBaseDelay == 0 {
		cfg.RetryBaseDelay = DefaultRetryBaseDelay
	}
	oc := openai.DefaultConfig(cfg.APIKey)
	oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	oc.HTTPClient = &http.Client{Transport: retryAfterRecorder{base: http.DefaultTransport}}
	return &Client{cfg: cfg, endpoint: displayURL(cfg.BaseURL), api: openai.NewClientWithConfig(oc)}, nil
}

// Model names the model, for logs and metrics.
func (c *Client) Model() string { return c.cfg.Model }

// Complete sends req and returns the reply. When onDelta is not nil the
// reply is streamed: onDelta receives each piece of text in order, and an
// attempt is retried only if it failed before the first piece arrived; a
// stream that breaks later returns the text delivered so far with the error.
// Errors name the model and endpoint (never the key); after the retries are
// exhausted, or when Config.Timeout expires, they wrap rag.ErrUnavailable.
// Cancelling ctx returns ctx's error.
func (c *Client) Complete(ctx context.Context, req rag.ChatRequest, onDelta func(delta string)) (rag.Completion, error) {
	creq, err := c.request(req)
	if err != nil {
		return rag.Completion{}, c.errorf("%w", err)
	}
	ctx, cancel := context.WithTimeoutCause(ctx, c.cfg.Timeout, errTimeout)
	defer cancel()

	attempts := c.cfg.MaxRetries + 1
	for attempt := 1; ; attempt++ {
		rec := &attemptInfo{}
		actx := context.WithValue(ctx, attemptKey{}, rec)
		var comp rag.Completion
		var delivered bool
		if onDelta == nil {
			comp, err = c.complete(actx, creq)
		} else {
			comp, delivered, err = c.stream(actx, creq, onDelta)
		}
		if err == nil {
			return comp, nil
		}
		if ctx.Err() != nil {
			return comp, c.contextError(ctx, attempt)
		}
		detail := c.describe(err)
		if delivered {
			return comp, c.errorf("stream broken after %d bytes of reply: %s", len(comp.Text), detail)
		}
		if !retryable(err) {
			return comp, c.errorf("%s", detail)
		}
		if attempt >= attempts {
			return comp, c.errorf("%s (after %d attempts): %w", detail, attempt, rag.ErrUnavailable)
		}
		wait := c.backoff(attempt, rec.retryAfter)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return comp, c.errorf("%s (after %d attempts; next retry in %v would pass the deadline): %w",
				detail, attempt, wait.Round(time.Millisecond), rag.ErrUnavailable)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return comp, c.contextError(ctx, attempt)
		case <-t.C:
		}
	}
}

// errTimeout is the cause of a Complete context that hit Config.Timeout.
var errTimeout = errors.New("llm call timed out")

// contextError reports why ctx ended: the caller's cancellation or deadline,
// or Config.Timeout, which counts as the service being unavailable.
func (c *Client) contextError(ctx context.Context, attempt int) error {
	if context.Cause(ctx) == errTimeout {
		return c.errorf("no reply within %v (attempt %d): %w: %w", c.cfg.Timeout, attempt, context.DeadlineExceeded, rag.ErrUnavailable)
	}
	return c.errorf("%w", ctx.Err())
}

// errorf prefixes a message with the model and endpoint.
func (c *Client) errorf(format string, args ...any) error {
	return fmt.Errorf("chat model %s at %s: "+format, append([]any{c.cfg.Model, c.endpoint}, args...)...)
}

// request builds the go-openai request, applying the configured defaults.
func (c *Client) request(req rag.ChatRequest) (openai.ChatCompletionRequest, error) {
	if len(req.Messages) == 0 {
		return openai.ChatCompletionRequest{}, fmt.Errorf("request has no messages: %w", rag.ErrEmptyInput)
	}
	if req.MaxTokens < 0 {
		return openai.ChatCompletionRequest{}, fmt.Errorf("request MaxTokens %d is negative", req.MaxTokens)
	}
	if req.Temperature < 0 || req.Temperature > 2 {
		return openai.ChatCompletionRequest{}, fmt.Errorf("request Temperature %v is outside [0, 2]", req.Temperature)
	}
	msgs := make([]openai.ChatCompletionMessage, len(req.Messages))
	for i, m := range req.Messages {
		switch m.Role {
		case prompts.RoleSystem, prompts.RoleUser, prompts.RoleAssistant:
		default:
			return openai.ChatCompletionRequest{}, fmt.Errorf("message %d has unknown role %q", i, m.Role)
		}
		if strings.TrimSpace(m.Content) == "" {
			return openai.ChatCompletionRequest{}, fmt.Errorf("message %d (%s) is empty: %w", i, m.Role, rag.ErrEmptyInput)
		}
		msgs[i] = openai.ChatCompletionMessage{Role: m.Role, Content: m.Content}
	}
	temp := req.Temperature
	if temp == 0 {
		temp = c.cfg.Temperature
	}
	if temp == 0 {
		// go-openai omits a zero temperature, which servers read as their
		// default (often 1); the smallest positive value is sent instead.
		temp = math.SmallestNonzeroFloat32
	}
	maxTokens := req.MaxTokens
	if maxTokens == 0 {
		maxTokens = c.cfg.MaxTokens
	}
	creq := openai.ChatCompletionRequest{Model: c.cfg.Model, Messages: msgs, MaxTokens: maxTokens, Temperature: temp}
	if openai.NewReasoningValidator().Validate(creq) != nil {
		// Reasoning models take max_completion_tokens and a fixed temperature.
		creq.MaxCompletionTokens, creq.MaxTokens, creq.Temperature = creq.MaxTokens, 0, 0
	}
	return creq, nil
}

// complete runs one non-streaming attempt.
func (c *Client) complete(ctx context.Context, creq openai.ChatCompletionRequest) (rag.Completion, error) {
	resp, err := c.api.CreateChatCompletion(ctx, creq)
	if err != nil {
		return rag.Completion{}, err
	}
	if len(resp.Choices) == 0 {
		return rag.Completion{}, errNoChoices
	}
	return rag.Completion{
		Text:  resp.Choices[0].Message.Content,
		Usage: rag.Usage{PromptTokens: resp.Usage.PromptTokens, CompletionTokens: resp.Usage.CompletionTokens},
	}, nil
}

var (
	errNoChoices   = errors.New("response has no choices")
	errStreamEnded = errors.New("stream ended before a finish_reason")
)

// stream runs one streaming attempt. delivered reports whether onDelta was
// called, after which the attempt must not be retried.
func (c *Client) stream(ctx context.Context, creq openai.ChatCompletionRequest, onDelta func(string)) (comp rag.Completion, delivered bool, err error) {
	creq.Stream = true
	if !c.noStreamUsage.Load() {
		creq.StreamOptions = &openai.StreamOptions{IncludeUsage: true}
	}
	s, err := c.api.CreateChatCompletionStream(ctx, creq)
	if err != nil && creq.StreamOptions != nil && rejectsStreamOptions(err) {
		c.noStreamUsage.Store(true)
		creq.StreamOptions = nil
		s, err = c.api.CreateChatCompletionStream(ctx, creq)
	}
	if err != nil {
		return rag.Completion{}, false, err
	}
	defer s.Close()
	var text strings.Builder
	finished := false
	for {
		chunk, err := s.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			comp.Text = text.String()
			return comp, delivered, err
		}
		if chunk.Usage != nil {
			comp.Usage = rag.Usage{PromptTokens: chunk.Usage.PromptTokens, CompletionTokens: chunk.Usage.CompletionTokens}
		}
		for _, ch := range chunk.Choices {
			if ch.Index != 0 {
				continue
			}
			if d := ch.Delta.Content; d != "" {
				text.WriteString(d)
				delivered = true
				onDelta(d)
			}
			if ch.FinishReason != "" {
				finished = true
			}
		}
	}
	comp.Text = text.String()
	if !finished {
		return comp, delivered, errStreamEnded
	}
	return comp, delivered, nil
}

// rejectsStreamOptions reports whether a server refused the stream_options
// field (older OpenAI-compatible servers do).
func rejectsStreamOptions(err error) bool {
	code, msg, ok := statusOf(err)
	return ok && code == http.StatusBadRequest && strings.Contains(msg, "stream_options")
}

// statusOf extracts the HTTP status and server message of an API error.
func statusOf(err error) (code int, msg string, ok bool) {
	var apiErr *openai.APIError
	if errors.As(err, &apiErr) && apiErr.HTTPStatusCode > 0 {
		return apiErr.HTTPStatusCode, apiErr.Message, true
	}
	var reqErr *openai.RequestError
	if errors.As(err, &reqErr) {
		body := strings.TrimSpace(string(reqErr.Body))
		if len(body) > 200 {
			body = body[:200] + "…"
		}
		if body == "" {
			body = http.StatusText(reqErr.HTTPStatusCode)
		}
		return reqErr.HTTPStatusCode, body, true
	}
	return 0, "", false
}

// retryable reports whether an attempt that failed with err may succeed if
// repeated: rate limits, server errors and network failures.
func retryable(err error) bool {
	if code, _, ok := statusOf(err); ok {
		return code == http.StatusTooManyRequests || code == http.StatusRequestTimeout || code >= 500
	}
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &syntaxErr) || errors.As(err, &typeErr) {
		return false
	}
	var urlErr *url.Error
	var netErr net.Error
	return errors.As(err, &urlErr) || errors.As(err, &netErr) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, errStreamEnded)
}

// describe turns an attempt's error into a short message without secrets.
func (c *Client) describe(err error) string {
	var msg string
	if code, m, ok := statusOf(err); ok {
		msg = fmt.Sprintf("%d %s", code, m)
	} else {
		var syntaxErr *json.SyntaxError
		var typeErr *json.UnmarshalTypeError
		var urlErr *url.Error
		var apiErr *openai.APIError
		switch {
		case errors.As(err, &apiErr): // an error event inside a stream
			msg = "stream error: " + apiErr.Message
		case errors.As(err, &syntaxErr), errors.As(err, &typeErr):
			msg = "malformed response: " + err.Error()
		case errors.As(err, &urlErr):
			msg = urlErr.Err.Error()
		default:
			msg = err.Error()
		}
	}
	return c.redact(msg)
}

// openAIKey matches the partly masked keys OpenAI echoes in 401 messages.
var openAIKey = regexp.MustCompile(`sk-[A-Za-z0-9_\-*.]{4,}`)

// redact removes the API key, in full or partly masked, from a message.
func (c *Client) redact(s string) string {
	if c.cfg.APIKey != "" {
		s = strings.ReplaceAll(s, c.cfg.APIKey, "[redacted]")
	}
	return openAIKey.ReplaceAllString(s, "sk-[redacted]")
}

// backoff is the wait before retry number attempt: Retry-After when the
// server gave one, else exponential with jitter, capped at maxRetryDelay.
func (c *Client) backoff(attempt int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return min(retryAfter, maxRetryDelay)
	}
	d := c.cfg.RetryBaseDelay << min(attempt-1, 20)
	d = min(d, maxRetryDelay)
	return d/2 + rand.N(d/2+1)
}

// displayURL strips credentials, query and fragment from a URL for messages.
func displayURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment = nil, "", false, ""
	return strings.TrimRight(u.String(), "/")
}

// attemptKey keys the *attemptInfo of one attempt in its request context.
type attemptKey struct{}

// attemptInfo collects what the transport saw during one attempt.
type attemptInfo struct {
	retryAfter time.Duration
}

// retryAfterRecorder is an http.RoundTripper that stores a response's
// Retry-After delay in the attempt's attemptInfo, since go-openai's errors
// do not carry headers.
type retryAfterRecorder struct {
	base http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t retryAfterRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		return resp, err
	}
	if info, ok := r.Context().Value(attemptKey{}).(*attemptInfo); ok {
		info.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return resp, nil
}

// parseRetryAfter reads a Retry-After value, in seconds or as an HTTP date;
// it returns 0 when the value is absent, malformed or in the past.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		if !(n > 0) { // also NaN
			return 0
		}
		return time.Duration(min(n, time.Hour.Seconds()) * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
