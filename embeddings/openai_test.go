package embeddings

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/dalil-news/dalil/internal/testing/embeddertest"
	"github.com/dalil-news/dalil/internal/testing/openaitest"
	"github.com/dalil-news/dalil/rag"
)

const testKey = "sk-test-SECRET-0123456789"

// reply is a scripted answer: a status, headers and a raw body. A zero
// reply means: answer correctly.
type reply struct {
	status  int
	header  map[string]string
	body    string
	delay   time.Duration // wait this long (or until the client gives up) first
	dims    int           // answer with vectors of this length
	shuffle bool          // list the embeddings in reverse order
}

// newFakeAPI starts a local server speaking OpenAI's embeddings wire
// protocol. Correct answers are computed with an Offline embedder, so they
// carry meaning. script gives the reply to the n-th call (0-based).
func newFakeAPI(t *testing.T, script func(n int) reply) *openaitest.Server {
	t.Helper()
	if script == nil {
		script = func(int) reply { return reply{} }
	}
	return openaitest.Start(t, &openaitest.Server{Embed: func(w http.ResponseWriter, r *http.Request, req openaitest.EmbeddingRequest) {
		rep := script(req.N)
		if rep.delay > 0 {
			select {
			case <-time.After(rep.delay):
			case <-r.Context().Done():
				return
			}
		}
		for k, v := range rep.header {
			w.Header().Set(k, v)
		}
		if rep.status != 0 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(rep.status)
			fmt.Fprint(w, rep.body)
			return
		}
		dims := req.Dimensions
		if rep.dims != 0 {
			dims = rep.dims
		} else if dims == 0 {
			dims = 256
		}
		vecs, err := NewOffline(OfflineConfig{Dimensions: dims}).Embed(r.Context(), req.Input)
		if err != nil {
			openaitest.WriteError(w, http.StatusBadRequest, err.Error())
			return
		}
		data := openaitest.Embeddings(vecs)
		if rep.shuffle {
			slices.Reverse(data)
		}
		openaitest.WriteEmbeddings(w, req.Model, data)
	}})
}

// newTestOpenAI returns an OpenAI embedder talking to f with fast retries.
func newTestOpenAI(t *testing.T, f *openaitest.Server, cfg OpenAIConfig) *OpenAI {
	t.Helper()
	cfg.BaseURL = f.URL
	cfg.APIKey = testKey
	if cfg.Model == "" {
		cfg.Model = "text-embedding-3-small"
	}
	if cfg.Dimensions == 0 {
		cfg.Dimensions = 256
	}
	if cfg.MinBackoff == 0 {
		cfg.MinBackoff = time.Millisecond
	}
	e, err := NewOpenAI(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestOpenAIConformance(t *testing.T) {
	f := newFakeAPI(t, nil)
	embeddertest.Run(t, newTestOpenAI(t, f, OpenAIConfig{BatchSize: 3}))
}

func TestOpenAIRequest(t *testing.T) {
	tests := []struct {
		name           string
		cfg            OpenAIConfig
		wantDimensions int
		wantName       string
	}{
		{"text-embedding-3 gets dimensions", OpenAIConfig{Model: "text-embedding-3-small", Dimensions: 256}, 256, "openai:text-embedding-3-small:256"},
		{"other models do not", OpenAIConfig{Model: "nomic-embed-text", Dimensions: 256}, 0, "openai:nomic-embed-text:256"},
		{"unless asked", OpenAIConfig{Model: "nomic-embed-text", Dimensions: 256, SendDimensions: true}, 256, "openai:nomic-embed-text:256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t, nil)
			e := newTestOpenAI(t, f, tt.cfg)
			if got := e.Name(); got != tt.wantName {
				t.Errorf("Name() = %q, want %q", got, tt.wantName)
			}
			texts := []string{"un", "deux", "trois"}
			got, err := e.Embed(context.Background(), texts)
			if err != nil {
				t.Fatal(err)
			}
			wantOfflineVectors(t, texts, got)
			wantReqs := []openaitest.EmbeddingRequest{{
				Received:   openaitest.Received{Path: "/v1/embeddings", Authorization: "Bearer " + testKey},
				Model:      tt.cfg.Model,
				Input:      texts,
				Dimensions: tt.wantDimensions,
			}}
			if diff := cmp.Diff(wantReqs, f.EmbeddingRequests()); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
		})
	}
}

// wantOfflineVectors checks that got are the offline embedder's vectors of
// texts, which the fake API serves.
func wantOfflineVectors(t *testing.T, texts []string, got [][]float32) {
	t.Helper()
	want, err := NewOffline(OfflineConfig{Dimensions: 256}).Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateApprox(0, 1e-6)); diff != "" {
		t.Errorf("vectors (-want +got):\n%s", diff)
	}
}

func TestOpenAIBatchingAndOrder(t *testing.T) {
	f := newFakeAPI(t, func(n int) reply { return reply{shuffle: n%2 == 0} })
	e := newTestOpenAI(t, f, OpenAIConfig{})
	texts := make([]string, 150)
	for i := range texts {
		texts[i] = fmt.Sprintf("article numéro %d sur le sujet %d", i, i*7)
	}
	got, err := e.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	wantOfflineVectors(t, texts, got)
	var sizes []int
	var sent []string
	for _, r := range f.EmbeddingRequests() {
		sizes = append(sizes, len(r.Input))
		sent = append(sent, r.Input...)
	}
	if diff := cmp.Diff([]int{64, 64, 22}, sizes); diff != "" {
		t.Errorf("batch sizes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(texts, sent); diff != "" {
		t.Errorf("inputs sent (-want +got):\n%s", diff)
	}
}

func TestOpenAIErrors(t *testing.T) {
	apiErr := func(status int, msg string) reply {
		return reply{status: status, body: fmt.Sprintf(`{"error":{"message":%q,"type":"error","code":null}}`, msg)}
	}
	tests := []struct {
		name            string
		cfg             OpenAIConfig
		script          func(n int) reply
		texts           []string
		wantCalls       int
		wantErr         []string // substrings of the error; nil: success
		wantUnavailable bool
		minElapsed      time.Duration
	}{
		{
			name: "429 with Retry-After seconds, then success",
			script: func(n int) reply {
				if n == 0 {
					r := apiErr(429, "Rate limit reached")
					r.header = map[string]string{"Retry-After": "1"}
					return r
				}
				return reply{}
			},
			wantCalls:  2,
			minElapsed: time.Second,
		},
		{
			name: "429 with Retry-After date, then success",
			script: func(n int) reply {
				if n == 0 {
					r := apiErr(429, "Rate limit reached")
					r.header = map[string]string{"Retry-After": time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat)}
					return r
				}
				return reply{}
			},
			wantCalls:  2,
			minElapsed: 500 * time.Millisecond, // the date has a 1 s resolution
		},
		{
			name: "500 twice, then success",
			script: func(n int) reply {
				if n < 2 {
					return apiErr(500, "The server had an error")
				}
				return reply{}
			},
			wantCalls: 3,
		},
		{
			name:            "503 until retries run out",
			cfg:             OpenAIConfig{MaxRetries: 2},
			script:          func(int) reply { return reply{status: 503, body: "<html>Service Unavailable</html>"} },
			wantCalls:       3,
			wantErr:         []string{"503", "Service Unavailable"},
			wantUnavailable: true,
		},
		{
			name: "Retry-After beyond the backoff cap ends retries",
			cfg:  OpenAIConfig{MaxBackoff: time.Second},
			script: func(int) reply {
				r := apiErr(429, "quota")
				r.header = map[string]string{"Retry-After": "3600"}
				return r
			},
			wantCalls:       1,
			wantErr:         []string{"429 quota"},
			wantUnavailable: true,
		},
		{
			name:      "401 is not retried and hides the key",
			script:    func(int) reply { return apiErr(401, "Incorrect API key provided: "+testKey) },
			wantCalls: 1,
			wantErr:   []string{"text-embedding-3-small", "/v1", "401 Incorrect API key provided: [redacted]"},
		},
		{
			name:      "400 is not retried",
			script:    func(int) reply { return apiErr(400, "This model does not support specifying dimensions.") },
			wantCalls: 1,
			wantErr:   []string{"400 This model does not support specifying dimensions."},
		},
		{
			name:      "404 is not retried",
			script:    func(int) reply { return apiErr(404, "The model does not exist") },
			wantCalls: 1,
			wantErr:   []string{"404 The model does not exist"},
		},
		{
			name:            "slow server times out on every attempt",
			cfg:             OpenAIConfig{Timeout: 300 * time.Millisecond, MaxRetries: 1},
			script:          func(int) reply { return reply{delay: 10 * time.Second} },
			wantCalls:       2,
			wantErr:         []string{"deadline exceeded"},
			wantUnavailable: true,
		},
		{
			name:      "wrong dimension",
			script:    func(int) reply { return reply{dims: 128} },
			wantCalls: 1,
			wantErr:   []string{"128 dimensions, want 256"},
		},
		{
			name: "malformed JSON",
			script: func(int) reply {
				return reply{status: 200, body: `{"object":"list","data":[{"index":0,"embedding":[0.1,`}
			},
			wantCalls: 1,
			wantErr:   []string{"inputs 0-1"},
		},
		{
			name: "too few embeddings",
			script: func(int) reply {
				return reply{status: 200, body: `{"object":"list","data":[{"object":"embedding","index":0,"embedding":[1]}]}`}
			},
			wantCalls: 1,
			wantErr:   []string{"got 1 embeddings for 2 inputs"},
		},
		{
			name:      "empty input names its index and sends nothing",
			texts:     []string{"bonjour", "", "salut"},
			wantCalls: 0,
			wantErr:   []string{"input 1", "empty input"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t, tt.script)
			e := newTestOpenAI(t, f, tt.cfg)
			texts := tt.texts
			if texts == nil {
				texts = []string{"premier texte", "second texte"}
			}
			start := time.Now()
			got, err := e.Embed(context.Background(), texts)
			elapsed := time.Since(start)
			if calls := len(f.EmbeddingRequests()); calls != tt.wantCalls {
				t.Errorf("server got %d calls, want %d", calls, tt.wantCalls)
			}
			if elapsed < tt.minElapsed {
				t.Errorf("took %v, want at least %v (Retry-After)", elapsed, tt.minElapsed)
			}
			if tt.wantErr == nil {
				if err != nil || len(got) != len(texts) {
					t.Fatalf("Embed = %d vectors, %v; want %d, nil", len(got), err, len(texts))
				}
				return
			}
			if err == nil {
				t.Fatalf("Embed succeeded, want an error containing %q", tt.wantErr)
			}
			msg := err.Error()
			for _, want := range append(tt.wantErr, "embed with text-embedding-3-small at "+f.URL) {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not contain %q", msg, want)
				}
			}
			if strings.Contains(msg, testKey) {
				t.Errorf("error %q reveals the API key", msg)
			}
			if got := errors.Is(err, rag.ErrUnavailable); got != tt.wantUnavailable {
				t.Errorf("errors.Is(err, rag.ErrUnavailable) = %v, want %v", got, tt.wantUnavailable)
			}
		})
	}
}

func TestOpenAICancelDuringBackoff(t *testing.T) {
	f := newFakeAPI(t, func(int) reply {
		return reply{status: 429, header: map[string]string{"Retry-After": "20"}, body: `{"error":{"message":"slow down"}}`}
	})
	e := newTestOpenAI(t, f, OpenAIConfig{})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := e.Embed(ctx, []string{"texte"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Embed = %v, want context.DeadlineExceeded", err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("Embed took %v after its context ended", elapsed)
	}
}

func TestNewOpenAIConfig(t *testing.T) {
	tests := []struct {
		name     string
		cfg      OpenAIConfig
		wantErr  string
		wantName string
	}{
		{"defaults", OpenAIConfig{}, "", "openai:text-embedding-3-small:1536"},
		{"large", OpenAIConfig{Model: "text-embedding-3-large"}, "", "openai:text-embedding-3-large:3072"},
		{"local model needs dimensions", OpenAIConfig{BaseURL: "http://localhost:11434/v1", Model: "nomic-embed-text"}, "dimensions required", ""},
		{"local model", OpenAIConfig{BaseURL: "http://localhost:11434/v1", Model: "nomic-embed-text", Dimensions: 768}, "", "openai:nomic-embed-text:768"},
		{"bad scheme", OpenAIConfig{BaseURL: "ftp://host/v1"}, "base URL", ""},
		{"no host", OpenAIConfig{BaseURL: "http:///v1"}, "base URL", ""},
		{"credentials hidden", OpenAIConfig{BaseURL: "ftp://user:hunter2@host/v1"}, "user:xxxxx@host", ""},
		{"negative dimensions", OpenAIConfig{Dimensions: -1}, "dimensions -1", ""},
		{"batch too large", OpenAIConfig{BatchSize: 5000}, "batch size 5000", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.APIKey = testKey
			e, err := NewOpenAI(tt.cfg)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("NewOpenAI error %v, want one containing %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), testKey) {
					t.Errorf("error %q reveals a secret", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := e.Name(); got != tt.wantName {
				t.Errorf("Name() = %q, want %q", got, tt.wantName)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		header string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"7", 7 * time.Second, true},
		{"-3", 0, false},
		{"soon", 0, false},
		{"Wed, 01 May 2024 12:00:30 GMT", 30 * time.Second, true},
		{"Wed, 01 May 2024 11:00:00 GMT", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			got, ok := retryAfter(tt.header, now)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tt.header, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
