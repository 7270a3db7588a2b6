package rag

import (
	"context"
	"errors"

	"github.com/dalil-news/dalil/prompts"
)

// ErrNoChat means an answer or summary asked for a chat model and the
// Service has none.
var ErrNoChat = errors.New("needs a chat model")

// ChatRequest is one chat completion request. Its messages are those the
// prompts package renders (roles prompts.RoleSystem, RoleUser and
// RoleAssistant).
type ChatRequest struct {
	Messages    []prompts.Message
	MaxTokens   int     // 0: the model's default
	Temperature float32 // 0: deterministic as far as the model allows
}

// Usage counts the tokens a completion used.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
}

// Completion is a chat model's reply.
type Completion struct {
	Text  string
	Usage Usage
}

// Chat is a chat-completion model. When onDelta is not nil the reply is
// streamed and onDelta receives each piece of text as it arrives; the
// returned Completion still holds the whole text. Errors name the model and
// the endpoint and wrap ErrUnavailable when retries are exhausted.
type Chat interface {
	Complete(ctx context.Context, req ChatRequest, onDelta func(delta string)) (Completion, error)
	// Model names the model, for logs and metrics.
	Model() string
}
