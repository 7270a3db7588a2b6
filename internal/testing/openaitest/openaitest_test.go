package openaitest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	openai "github.com/sashabaranov/go-openai"

	"github.com/dalil-news/dalil/internal/testing/openaitest"
)

// newClient returns the real go-openai client pointed at srv.
func newClient(srv *openaitest.Server) *openai.Client {
	cfg := openai.DefaultConfig("sk-test")
	cfg.BaseURL = srv.URL
	return openai.NewClientWithConfig(cfg)
}

var question = openai.ChatCompletionRequest{
	Model:    "m",
	Messages: []openai.ChatCompletionMessage{{Role: "user", Content: "Qui ?"}},
}

func TestChat(t *testing.T) {
	srv := openaitest.Start(t, &openaitest.Server{Chat: func(w http.ResponseWriter, r *http.Request, req openaitest.ChatRequest) {
		openaitest.WriteReply(w, r, req, openaitest.Reply{Text: "Elle [1].", Usage: openaitest.Usage{PromptTokens: 7, CompletionTokens: 3}})
	}})
	resp, err := newClient(srv).CreateChatCompletion(context.Background(), question)
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Choices[0].Message.Content; got != "Elle [1]." || resp.Usage.PromptTokens != 7 || resp.Usage.CompletionTokens != 3 || resp.Usage.TotalTokens != 10 {
		t.Errorf("reply %q usage %+v, want %q with 7+3 tokens", got, resp.Usage, "Elle [1].")
	}
	want := []openaitest.ChatRequest{{
		Received: openaitest.Received{Path: openaitest.ChatPath, Authorization: "Bearer sk-test"}, Model: "m",
		Messages: []openaitest.Message{{Role: "user", Content: "Qui ?"}},
	}}
	if diff := cmp.Diff(want, srv.ChatRequests()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestChatStream(t *testing.T) {
	tests := []struct {
		name       string
		rep        openaitest.Reply
		usage      bool
		wantDeltas []string
		wantUsage  *openai.Usage
	}{
		{"words", openaitest.Reply{Text: "Le PSG a gagné."}, false, []string{"Le ", "PSG ", "a ", "gagné."}, nil},
		{"deltas and usage", openaitest.Reply{Deltas: []string{"Le P", "SG"}, Usage: openaitest.Usage{PromptTokens: 4, CompletionTokens: 2}}, true,
			[]string{"Le P", "SG"}, &openai.Usage{PromptTokens: 4, CompletionTokens: 2, TotalTokens: 6}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var paused []int
			tt.rep.Pause = func(_ context.Context, i int) bool { paused = append(paused, i); return true }
			srv := openaitest.Start(t, &openaitest.Server{Chat: func(w http.ResponseWriter, r *http.Request, req openaitest.ChatRequest) {
				openaitest.WriteReply(w, r, req, tt.rep)
			}})
			req := question
			req.Stream = true
			if tt.usage {
				req.StreamOptions = &openai.StreamOptions{IncludeUsage: true}
			}
			stream, err := newClient(srv).CreateChatCompletionStream(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			defer stream.Close()
			var deltas []string
			var usage *openai.Usage
			for {
				resp, err := stream.Recv()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if resp.Usage != nil {
					usage = resp.Usage
				}
				if len(resp.Choices) > 0 && resp.Choices[0].Delta.Content != "" {
					deltas = append(deltas, resp.Choices[0].Delta.Content)
				}
			}
			if diff := cmp.Diff(tt.wantDeltas, deltas); diff != "" {
				t.Errorf("deltas (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantUsage, usage); diff != "" {
				t.Errorf("usage (-want +got):\n%s", diff)
			}
			if len(paused) != len(tt.wantDeltas) {
				t.Errorf("paused after %v, want after each of %d deltas", paused, len(tt.wantDeltas))
			}
		})
	}
}

func TestStepsAndErrors(t *testing.T) {
	srv := openaitest.Start(t, &openaitest.Server{Chat: openaitest.Steps(
		func(w http.ResponseWriter, _ *http.Request, _ openaitest.ChatRequest) {
			openaitest.WriteError(w, http.StatusTooManyRequests, "slow down")
		},
		func(w http.ResponseWriter, r *http.Request, req openaitest.ChatRequest) {
			openaitest.WriteReply(w, r, req, openaitest.Reply{Text: "ok"})
		},
	)})
	c := newClient(srv)
	_, err := c.CreateChatCompletion(context.Background(), question)
	var apiErr *openai.APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != http.StatusTooManyRequests || apiErr.Message != "slow down" {
		t.Errorf("first call: %v, want a 429 API error saying slow down", err)
	}
	for range 2 {
		resp, err := c.CreateChatCompletion(context.Background(), question)
		if err != nil || resp.Choices[0].Message.Content != "ok" {
			t.Errorf("later call: %+v, %v; want ok", resp, err)
		}
	}
	var ns []int
	for _, r := range srv.ChatRequests() {
		ns = append(ns, r.N)
	}
	if diff := cmp.Diff([]int{0, 1, 2}, ns); diff != "" {
		t.Errorf("request numbers (-want +got):\n%s", diff)
	}
	// No Embed function: embeddings are an unknown route, and not recorded.
	_, err = c.CreateEmbeddings(context.Background(), openai.EmbeddingRequestStrings{Input: []string{"x"}, Model: "e"})
	if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != http.StatusNotFound {
		t.Errorf("embeddings without Embed: %v, want a 404 API error", err)
	}
	if n := len(srv.EmbeddingRequests()); n != 0 {
		t.Errorf("%d embedding requests recorded, want 0", n)
	}
}

func TestEmbeddings(t *testing.T) {
	srv := openaitest.Start(t, &openaitest.Server{Embed: func(w http.ResponseWriter, _ *http.Request, req openaitest.EmbeddingRequest) {
		var vecs [][]float32
		for i := range req.Input {
			vecs = append(vecs, []float32{float32(i), 1})
		}
		data := openaitest.Embeddings(vecs)
		data[0], data[1] = data[1], data[0] // the index, not the order, says which input
		openaitest.WriteEmbeddings(w, req.Model, data)
	}})
	resp, err := newClient(srv).CreateEmbeddings(context.Background(), openai.EmbeddingRequestStrings{
		Input: []string{"un", "deux"}, Model: "e", Dimensions: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[int][]float32{}
	for _, d := range resp.Data {
		got[d.Index] = d.Embedding
	}
	if diff := cmp.Diff(map[int][]float32{0: {0, 1}, 1: {1, 1}}, got); diff != "" {
		t.Errorf("embeddings by index (-want +got):\n%s", diff)
	}
	want := []openaitest.EmbeddingRequest{{
		Received: openaitest.Received{Path: openaitest.EmbeddingsPath, Authorization: "Bearer sk-test"}, Model: "e", Input: []string{"un", "deux"}, Dimensions: 2,
	}}
	if diff := cmp.Diff(want, srv.EmbeddingRequests()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}
