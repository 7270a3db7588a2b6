package rag

import (
	"context"
	"errors"
	"fmt"

	"github.com/dalil-news/dalil/nlp"
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

// InLanguage checks that comp, a chat model's reply to req, is written in
// lang (fr, en or ar, as nlp.DetectLang tells) and, when it is not, asks
// the model once more for the same reply in lang (prompts.Relanguage), with
// req's limits. It returns the reply to keep, whose Usage counts both
// calls, and whether it is in lang as far as can be told. Every text the
// model writes for members goes through it: answers, summaries, the
// digest's opening. lang "" or one prompts does not name keeps comp.
func InLanguage(ctx context.Context, chat Chat, req ChatRequest, comp Completion, lang string) (Completion, bool, error) {
	if lang == "" {
		return comp, true, nil
	}
	if got := nlp.DetectLang(comp.Text); got == "" || got == lang {
		return comp, true, nil
	}
	again, err := prompts.Relanguage(lang)
	if err != nil {
		return comp, true, nil // not a language dalil names: keep the reply
	}
	req.Messages = append(append(req.Messages[:len(req.Messages):len(req.Messages)],
		prompts.Message{Role: prompts.RoleAssistant, Content: comp.Text}), again)
	redo, err := chat.Complete(ctx, req, nil)
	if err != nil {
		return Completion{}, false, fmt.Errorf("ask again in %s: %w", lang, err)
	}
	redo.Usage.PromptTokens += comp.Usage.PromptTokens
	redo.Usage.CompletionTokens += comp.Usage.CompletionTokens
	got := nlp.DetectLang(redo.Text)
	return redo, got == "" || got == lang, nil
}
