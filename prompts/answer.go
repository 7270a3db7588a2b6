package prompts

import (
	"fmt"
	"strings"
	"time"
)

// AnswerInput is what Answer needs to ask a model to answer a question from
// numbered sources.
type AnswerInput struct {
	Question string
	// Lang is the question's language: "fr", "en", "ar", or "" when unknown
	// (the model is then told to answer in the question's language).
	Lang string
	// Now is the current time; the model is told today's date.
	Now time.Time
	// Sources are the passages to answer from, most relevant first (see
	// Fit to bound their size).
	Sources []Source
	// History holds optional previous turns (user and assistant), oldest
	// first; they are sent as chat turns between the system prompt and the
	// question.
	History []Message
}

// answerData is the view the answer templates render.
type answerData struct {
	AnswerInput
	Language string
	NotFound string
}

// Answer renders the messages asking a model to answer in.Question only from
// in.Sources, citing [n] after every claim, briefly enough for Discord, in
// the question's language, and to reply NotFound when the sources do not
// support an answer.
func Answer(in AnswerInput) ([]Message, error) {
	if strings.TrimSpace(in.Question) == "" {
		return nil, fmt.Errorf("answer prompt: question is empty: %w", ErrEmptyInput)
	}
	if in.Now.IsZero() {
		return nil, fmt.Errorf("answer prompt: Now is not set")
	}
	if err := checkSources(in.Sources); err != nil {
		return nil, fmt.Errorf("answer prompt: %w", err)
	}
	if err := checkHistory(in.History); err != nil {
		return nil, fmt.Errorf("answer prompt: %w", err)
	}
	msgs, err := render("answer", answerData{AnswerInput: in, Language: languageName(in.Lang), NotFound: NotFound}, in.History)
	if err != nil {
		return nil, fmt.Errorf("answer prompt: %w", err)
	}
	return msgs, nil
}
