package prompts

import (
	"fmt"
	"strings"
	"time"
)

// RewriteInput is what Rewrite needs to turn a follow-up into a standalone
// search query.
type RewriteInput struct {
	// FollowUp is the member's latest message.
	FollowUp string
	// Lang is the follow-up's language: "fr", "en", "ar", or "" when unknown.
	Lang string
	// Now is the current time, to resolve "yesterday" or "last week"
	// (zero: no date is given).
	Now time.Time
	// History holds the previous turns (user and assistant), oldest first.
	// It is given to the model as fenced data.
	History []Message
}

// rewriteData is the view the rewrite templates render.
type rewriteData struct {
	RewriteInput
	Language string
}

// Rewrite renders the messages asking a model to rewrite in.FollowUp, given
// the previous turns, as a standalone search query in the follow-up's
// language, and to reply with the query only.
func Rewrite(in RewriteInput) ([]Message, error) {
	if strings.TrimSpace(in.FollowUp) == "" {
		return nil, fmt.Errorf("rewrite prompt: follow-up is empty: %w", ErrEmptyInput)
	}
	if err := checkHistory(in.History); err != nil {
		return nil, fmt.Errorf("rewrite prompt: %w", err)
	}
	msgs, err := render("rewrite", rewriteData{RewriteInput: in, Language: languageName(in.Lang)}, nil)
	if err != nil {
		return nil, fmt.Errorf("rewrite prompt: %w", err)
	}
	return msgs, nil
}
