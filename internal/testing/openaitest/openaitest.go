// Package openaitest is a fake OpenAI-compatible API for tests: a local
// HTTP server speaking the real wire protocol of chat completions (JSON and
// streamed server-sent events) and embeddings, so that the real go-openai
// clients in llm and embeddings run against it unchanged.
//
// A Server records every request it decodes and hands it to a function the
// test supplies, which answers with the Write* helpers (or writes anything
// at all, to inject failures):
//
//	srv := openaitest.Start(t, &openaitest.Server{
//		Chat: func(w http.ResponseWriter, r *http.Request, req openaitest.ChatRequest) {
//			openaitest.WriteReply(w, r, req, openaitest.Reply{Text: "Yes [1]."})
//		},
//	})
//	chat, err := llm.New(llm.Config{BaseURL: srv.URL, Model: "m"})
//
// It imports only the standard library, so that any package's tests (and
// bench's load generator) can use it.
package openaitest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
)

// The routes a Server answers, under its base URL's host.
const (
	ChatPath       = "/v1/chat/completions"
	EmbeddingsPath = "/v1/embeddings"
)

// Message is one chat message on the wire.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// StreamOptions is the stream_options object of a chat request.
type StreamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

// Received is what a Server notes of each request it decodes.
type Received struct {
	Path          string // the URL path it came on
	Authorization string // its Authorization header
	// N counts the requests of its kind the server decoded before it.
	N int
}

// ChatRequest is a decoded chat completions request.
type ChatRequest struct {
	Received `json:"-"`

	Model               string         `json:"model"`
	Messages            []Message      `json:"messages"`
	Stream              bool           `json:"stream"`
	StreamOptions       *StreamOptions `json:"stream_options"`
	Temperature         *float64       `json:"temperature"`
	MaxTokens           int            `json:"max_tokens"`
	MaxCompletionTokens int            `json:"max_completion_tokens"`
}

// EmbeddingRequest is a decoded embeddings request.
type EmbeddingRequest struct {
	Received `json:"-"`

	Model      string   `json:"model"`
	Input      []string `json:"input"`
	Dimensions int      `json:"dimensions"`
}

// Server is a fake OpenAI-compatible API; it is an http.Handler. Chat
// answers POST /v1/chat/completions and Embed POST /v1/embeddings; a nil
// function, another route or a body that is not JSON gets an API error.
// The zero Server answers nothing; its methods are safe for concurrent use.
type Server struct {
	Chat  func(w http.ResponseWriter, r *http.Request, req ChatRequest)
	Embed func(w http.ResponseWriter, r *http.Request, req EmbeddingRequest)
	// URL is the base URL to give a client (it ends in /v1); Start sets it.
	URL string

	mu     sync.Mutex
	chats  []ChatRequest
	embeds []EmbeddingRequest
}

// Start serves s on a loopback port until the test ends, sets s.URL and
// returns s.
func Start(tb testing.TB, s *Server) *Server {
	tb.Helper()
	srv := httptest.NewServer(s)
	tb.Cleanup(srv.Close)
	s.URL = srv.URL + "/v1"
	return s
}

// ServeHTTP decodes and records a request, then hands it to Chat or Embed.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodPost && r.URL.Path == ChatPath && s.Chat != nil:
		if req, ok := receive(s, w, r, &s.chats, func(q *ChatRequest) *Received { return &q.Received }); ok {
			s.Chat(w, r, req)
		}
	case r.Method == http.MethodPost && r.URL.Path == EmbeddingsPath && s.Embed != nil:
		if req, ok := receive(s, w, r, &s.embeds, func(q *EmbeddingRequest) *Received { return &q.Received }); ok {
			s.Embed(w, r, req)
		}
	default:
		WriteError(w, http.StatusNotFound, "unknown route "+r.Method+" "+r.URL.Path)
	}
}

// receive decodes r's body, notes where it came from, and records it in
// *reqs. It answers a body that is not JSON itself, and then returns false.
func receive[R any](s *Server, w http.ResponseWriter, r *http.Request, reqs *[]R, received func(*R) *Received) (R, bool) {
	var req R
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		WriteError(w, http.StatusBadRequest, "bad json: "+err.Error())
		return req, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	*received(&req) = Received{Path: r.URL.Path, Authorization: r.Header.Get("Authorization"), N: len(*reqs)}
	*reqs = append(*reqs, req)
	return req, true
}

// ChatRequests returns the chat requests received so far, in order.
func (s *Server) ChatRequests() []ChatRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.chats)
}

// EmbeddingRequests returns the embedding requests received so far, in order.
func (s *Server) EmbeddingRequests() []EmbeddingRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.embeds)
}

// Steps answers the n-th chat request with steps[n]; the last step answers
// every request after it.
func Steps(steps ...func(http.ResponseWriter, *http.Request, ChatRequest)) func(http.ResponseWriter, *http.Request, ChatRequest) {
	return func(w http.ResponseWriter, r *http.Request, req ChatRequest) {
		steps[min(req.N, len(steps)-1)](w, r, req)
	}
}

// WriteError writes an OpenAI API error: status and
// {"error":{"message":…}}.
func WriteError(w http.ResponseWriter, status int, message string) {
	type apiError struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Param   *string `json:"param"`
		Code    *string `json:"code"`
	}
	writeJSON(w, status, map[string]apiError{"error": {Message: message, Type: "test_error"}})
}

// writeJSON writes v as a JSON response with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
