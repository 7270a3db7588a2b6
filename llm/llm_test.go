package llm_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dalil-news/dalil/internal/testing/openaitest"
	"github.com/dalil-news/dalil/llm"
	"github.com/dalil-news/dalil/prompts"
	"github.com/dalil-news/dalil/rag"
)

const (
	testKey   = "sk-test-0123456789abcdef"
	testModel = "gpt-x"
)

// step answers one request; the last step answers all further requests.
type step = func(w http.ResponseWriter, r *http.Request, req openaitest.ChatRequest)

// newFakeOpenAI starts a local server speaking the OpenAI chat completions
// protocol that answers with steps.
func newFakeOpenAI(t *testing.T, steps ...step) *openaitest.Server {
	t.Helper()
	return openaitest.Start(t, &openaitest.Server{Chat: openaitest.Steps(steps...)})
}

func reply(text string, prompt, completion int) step {
	return func(w http.ResponseWriter, r *http.Request, req openaitest.ChatRequest) {
		openaitest.WriteReply(w, r, req, openaitest.Reply{Text: text, Usage: openaitest.Usage{PromptTokens: prompt, CompletionTokens: completion}})
	}
}

// streamReply sends deltas as SSE chunks; after the first one it waits for
// gate (if not nil) so a test can prove the client saw it before the rest
// was sent. Usage is sent only when the client asked for it.
func streamReply(deltas []string, prompt, completion int, gate <-chan struct{}) step {
	return func(w http.ResponseWriter, r *http.Request, req openaitest.ChatRequest) {
		req.Stream = true
		openaitest.WriteReply(w, r, req, openaitest.Reply{
			Deltas: deltas,
			Usage:  openaitest.Usage{PromptTokens: prompt, CompletionTokens: completion},
			Pause: func(ctx context.Context, i int) bool {
				if i > 0 || gate == nil {
					return true
				}
				select {
				case <-gate:
					return true
				case <-ctx.Done():
				case <-time.After(5 * time.Second):
				}
				return false
			},
		})
	}
}

func apiError(code int, msg string, header ...string) step {
	return func(w http.ResponseWriter, _ *http.Request, _ openaitest.ChatRequest) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		openaitest.WriteError(w, code, msg)
	}
}

func hang(w http.ResponseWriter, r *http.Request, _ openaitest.ChatRequest) {
	select {
	case <-r.Context().Done():
	case <-time.After(10 * time.Second):
	}
}

func question() rag.ChatRequest {
	return rag.ChatRequest{Messages: []prompts.Message{
		{Role: prompts.RoleSystem, Content: "You are dalil."},
		{Role: prompts.RoleUser, Content: "Qui a gagné ?"},
	}}
}

func newClient(t *testing.T, baseURL string, edit ...func(*llm.Config)) *llm.Client {
	t.Helper()
	cfg := llm.Config{BaseURL: baseURL, APIKey: testKey, Model: testModel, RetryBaseDelay: time.Millisecond}
	for _, e := range edit {
		e(&cfg)
	}
	c, err := llm.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func TestCompletePlain(t *testing.T) {
	f := newFakeOpenAI(t, reply("Le PSG [1].", 42, 5))
	c := newClient(t, f.URL)
	got, err := c.Complete(t.Context(), question(), nil)
	if err != nil {
		t.Fatalf("Complete: %v", err)
	}
	want := rag.Completion{Text: "Le PSG [1].", Usage: rag.Usage{PromptTokens: 42, CompletionTokens: 5}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("completion (-want +got):\n%s", diff)
	}
	reqs := f.ChatRequests()
	if len(reqs) != 1 {
		t.Fatalf("server got %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Authorization != "Bearer "+testKey || r.Model != testModel || r.Stream {
		t.Errorf("request auth=%q model=%q stream=%v, want bearer key, %q, false", r.Authorization, r.Model, r.Stream, testModel)
	}
	var wantMsgs []openaitest.Message
	for _, m := range question().Messages {
		wantMsgs = append(wantMsgs, openaitest.Message(m))
	}
	if diff := cmp.Diff(wantMsgs, r.Messages); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
	if c.Model() != testModel {
		t.Errorf("Model() = %q, want %q", c.Model(), testModel)
	}
}

func TestCompleteParameters(t *testing.T) {
	tests := []struct {
		name           string
		cfgTemp        float32
		cfgMax         int
		req            rag.ChatRequest
		model          string
		wantMax        int
		wantMaxCompl   int
		wantTempAbove  float64 // temperature must be present and > this
		wantTempAtMost float64
		wantNoTemp     bool
	}{
		{name: "zero temperature is sent, not omitted", req: question(), model: testModel, wantTempAbove: 0, wantTempAtMost: 1e-30},
		{name: "config defaults", cfgTemp: 0.7, cfgMax: 300, req: question(), model: testModel, wantMax: 300, wantTempAbove: 0.69, wantTempAtMost: 0.71},
		{name: "request overrides", cfgTemp: 0.7, cfgMax: 300, req: rag.ChatRequest{Messages: question().Messages, MaxTokens: 50, Temperature: 0.2}, model: testModel, wantMax: 50, wantTempAbove: 0.19, wantTempAtMost: 0.21},
		{name: "reasoning model takes max_completion_tokens", cfgMax: 300, req: question(), model: "o3-mini", wantMaxCompl: 300, wantNoTemp: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeOpenAI(t, reply("ok", 1, 1))
			c := newClient(t, f.URL, func(cfg *llm.Config) {
				cfg.Temperature, cfg.MaxTokens, cfg.Model = tt.cfgTemp, tt.cfgMax, tt.model
			})
			if _, err := c.Complete(t.Context(), tt.req, nil); err != nil {
				t.Fatalf("Complete: %v", err)
			}
			r := f.ChatRequests()[0]
			if r.MaxTokens != tt.wantMax || r.MaxCompletionTokens != tt.wantMaxCompl {
				t.Errorf("max_tokens=%d max_completion_tokens=%d, want %d, %d", r.MaxTokens, r.MaxCompletionTokens, tt.wantMax, tt.wantMaxCompl)
			}
			switch {
			case tt.wantNoTemp && r.Temperature != nil:
				t.Errorf("temperature = %v, want absent", *r.Temperature)
			case !tt.wantNoTemp && r.Temperature == nil:
				t.Errorf("temperature absent, want in (%v, %v]", tt.wantTempAbove, tt.wantTempAtMost)
			case !tt.wantNoTemp && (*r.Temperature <= tt.wantTempAbove || *r.Temperature > tt.wantTempAtMost):
				t.Errorf("temperature = %v, want in (%v, %v]", *r.Temperature, tt.wantTempAbove, tt.wantTempAtMost)
			}
		})
	}
}

func TestCompleteStream(t *testing.T) {
	gate := make(chan struct{})
	deltas := []string{"Le ", "PSG", " a gagné", " [1]."}
	f := newFakeOpenAI(t, streamReply(deltas, 40, 4, gate))
	c := newClient(t, f.URL)
	var got []string
	comp, err := c.Complete(t.Context(), question(), func(d string) {
		got = append(got, d)
		if len(got) == 1 {
			close(gate) // the rest is sent only once the first delta arrived
		}
	})
	if err != nil {
		t.Fatalf("Complete: %v", err)
	}
	if diff := cmp.Diff(deltas, got); diff != "" {
		t.Errorf("deltas (-want +got):\n%s", diff)
	}
	want := rag.Completion{Text: "Le PSG a gagné [1].", Usage: rag.Usage{PromptTokens: 40, CompletionTokens: 4}}
	if diff := cmp.Diff(want, comp); diff != "" {
		t.Errorf("completion (-want +got):\n%s", diff)
	}
	r := f.ChatRequests()[0]
	if !r.Stream || r.StreamOptions == nil || !r.StreamOptions.IncludeUsage {
		t.Errorf("stream=%v stream_options=%+v, want stream with include_usage", r.Stream, r.StreamOptions)
	}
}

func TestCompleteStreamWithoutUsage(t *testing.T) {
	// A server that ignores stream_options sends no usage chunk.
	noUsage := func(w http.ResponseWriter, r *http.Request, req openaitest.ChatRequest) {
		req.StreamOptions = nil
		streamReply([]string{"a", "b"}, 0, 0, nil)(w, r, req)
	}
	// A server that rejects stream_options gets the request again without it.
	rejects := apiError(http.StatusBadRequest, "Unrecognized request argument supplied: stream_options")
	tests := []struct {
		name      string
		steps     []step
		wantCalls int
	}{
		{name: "ignored", steps: []step{noUsage}, wantCalls: 1},
		{name: "rejected", steps: []step{rejects, noUsage}, wantCalls: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeOpenAI(t, tt.steps...)
			c := newClient(t, f.URL)
			got, err := c.Complete(t.Context(), question(), func(string) {})
			if err != nil {
				t.Fatalf("Complete: %v", err)
			}
			if diff := cmp.Diff(rag.Completion{Text: "ab"}, got); diff != "" {
				t.Errorf("completion (-want +got):\n%s", diff)
			}
			reqs := f.ChatRequests()
			if len(reqs) != tt.wantCalls {
				t.Fatalf("server got %d requests, want %d", len(reqs), tt.wantCalls)
			}
			if last := reqs[len(reqs)-1]; tt.wantCalls > 1 && last.StreamOptions != nil {
				t.Errorf("retry still sent stream_options %+v", last.StreamOptions)
			}
		})
	}
}

func TestCompleteRetries(t *testing.T) {
	tests := []struct {
		name      string
		steps     []step
		stream    bool
		wantCalls int
		minTime   time.Duration
	}{
		{name: "429 with Retry-After seconds", steps: []step{apiError(429, "Rate limit reached", "Retry-After", "1"), reply("ok", 1, 1)}, wantCalls: 2, minTime: 900 * time.Millisecond},
		{name: "500 twice", steps: []step{apiError(500, "boom"), apiError(500, "boom"), reply("ok", 1, 1)}, wantCalls: 3},
		{name: "502 html body", steps: []step{func(w http.ResponseWriter, _ *http.Request, _ openaitest.ChatRequest) {
			http.Error(w, "<html>bad gateway</html>", http.StatusBadGateway)
		}, reply("ok", 1, 1)}, wantCalls: 2},
		{name: "stream 503 before first token", stream: true, steps: []step{apiError(503, "overloaded"), streamReply([]string{"ok"}, 1, 1, nil)}, wantCalls: 2},
		{name: "stream cut before first token", stream: true, steps: []step{func(w http.ResponseWriter, _ *http.Request, _ openaitest.ChatRequest) {
			w.Header().Set("Content-Type", "text/event-stream")
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		}, streamReply([]string{"ok"}, 1, 1, nil)}, wantCalls: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeOpenAI(t, tt.steps...)
			c := newClient(t, f.URL)
			onDelta, deltas := collect(tt.stream)
			start := time.Now()
			got, err := c.Complete(t.Context(), question(), onDelta)
			if err != nil {
				t.Fatalf("Complete: %v", err)
			}
			if got.Text != "ok" {
				t.Errorf("text = %q, want %q", got.Text, "ok")
			}
			if tt.stream && !cmp.Equal(*deltas, []string{"ok"}) {
				t.Errorf("deltas = %q, want [ok]", *deltas)
			}
			if n := len(f.ChatRequests()); n != tt.wantCalls {
				t.Errorf("server got %d requests, want %d", n, tt.wantCalls)
			}
			if d := time.Since(start); d < tt.minTime {
				t.Errorf("returned after %v, want at least %v (Retry-After)", d, tt.minTime)
			}
		})
	}
}

func TestCompleteErrors(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL + "/v1"
	closed.Close()

	tests := []struct {
		name            string
		steps           []step
		baseURL         string // default: the fake server
		stream          bool
		timeout         time.Duration
		wantCalls       int
		wantUnavailable bool
		wantDeadline    bool
		wantIn          []string
		wantText        string
		wantDeltas      []string
	}{
		{
			name:            "500 forever",
			steps:           []step{apiError(500, "The server had an error")},
			wantCalls:       3,
			wantUnavailable: true,
			wantIn:          []string{"chat model gpt-x at http://127.0.0.1:", "/v1: 500 The server had an error (after 3 attempts)"},
		},
		{
			name:      "401 is not retried",
			steps:     []step{apiError(401, "Incorrect API key provided: "+testKey+". You can find your API key at https://platform.openai.com/account/api-keys.")},
			wantCalls: 1,
			wantIn:    []string{"/v1: 401 Incorrect API key provided: [redacted]."},
		},
		{
			name:      "401 with a masked key",
			steps:     []step{apiError(401, "Incorrect API key provided: sk-test-0*************cdef.")},
			wantCalls: 1,
			wantIn:    []string{"/v1: 401 Incorrect API key provided: sk-[redacted]"},
		},
		{
			name:            "slow server times out",
			steps:           []step{hang},
			timeout:         300 * time.Millisecond,
			wantCalls:       1,
			wantUnavailable: true,
			wantDeadline:    true,
			wantIn:          []string{"no reply within 300ms"},
		},
		{
			name:   "stream fails after the first token",
			stream: true,
			steps: []step{func(w http.ResponseWriter, _ *http.Request, req openaitest.ChatRequest) {
				w.Header().Set("Content-Type", "text/event-stream")
				openaitest.WriteChunk(w, req.Model, "Le PSG", "")
				panic(http.ErrAbortHandler)
			}},
			wantCalls:  1,
			wantText:   "Le PSG",
			wantDeltas: []string{"Le PSG"},
			wantIn:     []string{"chat model gpt-x at http://127.0.0.1:", "/v1: stream broken after 6 bytes of reply: unexpected EOF"},
		},
		{
			name:   "stream error event after the first token",
			stream: true,
			steps: []step{func(w http.ResponseWriter, _ *http.Request, req openaitest.ChatRequest) {
				w.Header().Set("Content-Type", "text/event-stream")
				openaitest.WriteChunk(w, req.Model, "Le", "")
				fmt.Fprint(w, "data: {\"error\":{\"message\":\"model overloaded\",\"type\":\"server_error\"}}\n\n")
			}},
			wantCalls:  1,
			wantText:   "Le",
			wantDeltas: []string{"Le"},
			wantIn:     []string{"stream broken after 2 bytes of reply: stream error: model overloaded"},
		},
		{
			name: "malformed JSON",
			steps: []step{func(w http.ResponseWriter, _ *http.Request, _ openaitest.ChatRequest) {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, `{"id":"x","choices":[{"message":nope}]}`)
			}},
			wantCalls: 1,
			wantIn:    []string{"malformed response"},
		},
		{
			name:   "malformed stream chunk",
			stream: true,
			steps: []step{func(w http.ResponseWriter, _ *http.Request, _ openaitest.ChatRequest) {
				w.Header().Set("Content-Type", "text/event-stream")
				fmt.Fprint(w, "data: {\"choices\":[{\"delta\":\n\ndata: [DONE]\n\n")
			}},
			wantCalls: 1,
			wantIn:    []string{"malformed response"},
		},
		{
			name: "no choices",
			steps: []step{func(w http.ResponseWriter, _ *http.Request, _ openaitest.ChatRequest) {
				fmt.Fprint(w, `{"id":"x","object":"chat.completion","choices":[]}`)
			}},
			wantCalls: 1,
			wantIn:    []string{"response has no choices"},
		},
		{
			name:            "connection refused",
			baseURL:         closedURL,
			wantUnavailable: true,
			wantIn:          []string{"connection refused", "(after 3 attempts)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			baseURL := tt.baseURL
			var f *openaitest.Server
			if baseURL == "" {
				f = newFakeOpenAI(t, tt.steps...)
				baseURL = f.URL
			}
			c := newClient(t, baseURL, func(cfg *llm.Config) { cfg.MaxRetries, cfg.Timeout = 2, tt.timeout })
			onDelta, deltas := collect(tt.stream)
			start := time.Now()
			got, err := c.Complete(t.Context(), question(), onDelta)
			elapsed := time.Since(start)
			if err == nil {
				t.Fatalf("Complete = %+v, want an error", got)
			}
			msg := err.Error()
			t.Logf("error: %s", msg)
			for _, s := range tt.wantIn {
				if !strings.Contains(msg, s) {
					t.Errorf("error %q does not contain %q", msg, s)
				}
			}
			if strings.Contains(msg, testKey) || strings.Contains(msg, "cdef") {
				t.Errorf("error %q reveals the API key", msg)
			}
			if errors.Is(err, rag.ErrUnavailable) != tt.wantUnavailable {
				t.Errorf("errors.Is(err, ErrUnavailable) = %v, want %v (err: %v)", !tt.wantUnavailable, tt.wantUnavailable, err)
			}
			if errors.Is(err, context.DeadlineExceeded) != tt.wantDeadline {
				t.Errorf("errors.Is(err, DeadlineExceeded) = %v, want %v", !tt.wantDeadline, tt.wantDeadline)
			}
			if tt.timeout > 0 && elapsed > tt.timeout+500*time.Millisecond {
				t.Errorf("returned after %v, want within about %v", elapsed, tt.timeout)
			}
			if got.Text != tt.wantText || !cmp.Equal(*deltas, tt.wantDeltas) {
				t.Errorf("text %q deltas %q, want %q %q", got.Text, *deltas, tt.wantText, tt.wantDeltas)
			}
			if f != nil {
				if n := len(f.ChatRequests()); n != tt.wantCalls {
					t.Errorf("server got %d requests, want %d", n, tt.wantCalls)
				}
			}
		})
	}
}

func TestCompleteCancel(t *testing.T) {
	f := newFakeOpenAI(t, hang)
	c := newClient(t, f.URL)
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.Complete(ctx, question(), func(string) {})
	if !errors.Is(err, context.Canceled) || errors.Is(err, rag.ErrUnavailable) {
		t.Errorf("err = %v, want context.Canceled and not ErrUnavailable", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("returned after %v, want soon after cancel", d)
	}
}

func TestCompleteInvalidRequest(t *testing.T) {
	tests := []struct {
		name      string
		req       rag.ChatRequest
		wantEmpty bool
		wantIn    string
	}{
		{name: "no messages", req: rag.ChatRequest{}, wantEmpty: true, wantIn: "request has no messages"},
		{name: "empty message", req: rag.ChatRequest{Messages: []prompts.Message{{Role: prompts.RoleUser, Content: " \n"}}}, wantEmpty: true, wantIn: "message 0 (user) is empty"},
		{name: "unknown role", req: rag.ChatRequest{Messages: []prompts.Message{{Role: "tool", Content: "x"}}}, wantIn: `message 0 has unknown role "tool"`},
		{name: "negative max tokens", req: rag.ChatRequest{Messages: question().Messages, MaxTokens: -1}, wantIn: "MaxTokens -1"},
		{name: "temperature too high", req: rag.ChatRequest{Messages: question().Messages, Temperature: 3}, wantIn: "Temperature 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeOpenAI(t, reply("unused", 0, 0))
			c := newClient(t, f.URL)
			_, err := c.Complete(t.Context(), tt.req, nil)
			if err == nil || !strings.Contains(err.Error(), tt.wantIn) {
				t.Fatalf("err = %v, want one containing %q", err, tt.wantIn)
			}
			if errors.Is(err, rag.ErrEmptyInput) != tt.wantEmpty {
				t.Errorf("errors.Is(err, ErrEmptyInput) = %v, want %v", !tt.wantEmpty, tt.wantEmpty)
			}
			if n := len(f.ChatRequests()); n != 0 {
				t.Errorf("server got %d requests, want 0", n)
			}
		})
	}
}

func TestNewInvalidConfig(t *testing.T) {
	valid := llm.Config{BaseURL: "http://localhost:11434/v1", Model: "llama3"}
	tests := []struct {
		name   string
		edit   func(*llm.Config)
		wantIn string
	}{
		{name: "empty base URL", edit: func(c *llm.Config) { c.BaseURL = "" }, wantIn: "BaseURL"},
		{name: "relative base URL", edit: func(c *llm.Config) { c.BaseURL = "localhost/v1" }, wantIn: "BaseURL"},
		{name: "credentials hidden", edit: func(c *llm.Config) { c.BaseURL = "ftp://user:hunter2@host/v1" }, wantIn: `"ftp://host/v1"`},
		{name: "no model", edit: func(c *llm.Config) { c.Model = " " }, wantIn: "Model is empty"},
		{name: "negative timeout", edit: func(c *llm.Config) { c.Timeout = -time.Second }, wantIn: "Timeout"},
		{name: "negative max tokens", edit: func(c *llm.Config) { c.MaxTokens = -5 }, wantIn: "MaxTokens"},
		{name: "bad temperature", edit: func(c *llm.Config) { c.Temperature = 2.5 }, wantIn: "Temperature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid
			tt.edit(&cfg)
			_, err := llm.New(cfg)
			if err == nil || !strings.Contains(err.Error(), tt.wantIn) {
				t.Fatalf("New err = %v, want one containing %q", err, tt.wantIn)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q reveals the password", err)
			}
		})
	}
	if _, err := llm.New(valid); err != nil {
		t.Errorf("New(valid) = %v", err)
	}
}

// collect returns an onDelta that records the streamed pieces, or nil when
// the test does not stream.
func collect(stream bool) (func(string), *[]string) {
	var deltas []string
	if !stream {
		return nil, &deltas
	}
	return func(d string) { deltas = append(deltas, d) }, &deltas
}
