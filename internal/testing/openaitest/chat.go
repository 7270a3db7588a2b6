package openaitest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Usage is the token count a reply reports.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// Reply is a chat completion's answer.
type Reply struct {
	// Text is the whole reply. Streamed, it is sent a word at a time
	// unless Deltas is set.
	Text string
	// Deltas are the pieces to stream; when Text is empty their
	// concatenation is the reply.
	Deltas []string
	// Usage is reported with the reply (TotalTokens is computed); a
	// stream reports it only when the request asked for it.
	Usage Usage
	// Pause, when set, runs after the i-th streamed delta is flushed; if
	// it returns false the response ends there, unfinished (as when the
	// client went away).
	Pause func(ctx context.Context, i int) bool
}

// WriteReply answers req with rep: one JSON completion, or server-sent
// events when req asked for a stream.
func WriteReply(w http.ResponseWriter, r *http.Request, req ChatRequest, rep Reply) {
	text := rep.Text
	if text == "" {
		text = strings.Join(rep.Deltas, "")
	}
	usage := rep.Usage
	usage.TotalTokens = usage.PromptTokens + usage.CompletionTokens
	if !req.Stream {
		writeJSON(w, http.StatusOK, map[string]any{
			"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": req.Model,
			"choices": []map[string]any{{"index": 0, "finish_reason": "stop",
				"message": Message{Role: "assistant", Content: text}}},
			"usage": usage,
		})
		return
	}
	deltas := rep.Deltas
	if deltas == nil {
		deltas = strings.SplitAfter(text, " ")
	}
	w.Header().Set("Content-Type", "text/event-stream")
	for i, d := range deltas {
		WriteChunk(w, req.Model, d, "")
		if rep.Pause != nil && !rep.Pause(r.Context(), i) {
			return
		}
	}
	WriteChunk(w, req.Model, "", "stop")
	if req.StreamOptions != nil && req.StreamOptions.IncludeUsage {
		writeEvent(w, map[string]any{
			"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1700000000, "model": req.Model,
			"choices": []any{}, "usage": usage,
		})
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
}

// WriteChunk writes one streamed chunk carrying delta (none when empty)
// and finish as its finish_reason (null when empty), and flushes it.
func WriteChunk(w http.ResponseWriter, model, delta, finish string) {
	d := map[string]string{}
	if delta != "" {
		d["content"] = delta
	}
	var fr *string
	if finish != "" {
		fr = &finish
	}
	writeEvent(w, map[string]any{
		"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1700000000, "model": model,
		"choices": []map[string]any{{"index": 0, "delta": d, "finish_reason": fr}},
	})
}

// writeEvent writes v as one server-sent event and flushes it.
func writeEvent(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only maps of plain values are written
	}
	fmt.Fprintf(w, "data: %s\n\n", b)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}
