package prompts

import (
	"fmt"
	"strings"
)

// TranslateInput is what Translate needs to translate a question into the
// archive's other languages.
type TranslateInput struct {
	// Question is the member's question (or its standalone rewrite).
	Question string
	// Lang is its language: "fr", "en", "ar", or "" when unknown.
	Lang string
	// Targets are the languages to translate into (codes dalil names:
	// fr, en, ar); others are left out.
	Targets []string
}

// target is one language a question is translated into.
type target struct{ Code, Name string }

// translateData is the view the translate templates render.
type translateData struct {
	TranslateInput
	Language string
	Targets  []target
}

// MaxTranslationRunes bounds one translated line that ParseTranslations
// keeps: a question's translation is short, a longer line is not one.
const MaxTranslationRunes = 400

// Translate renders the messages asking a model to translate in.Question
// into each target language, one "code: text" line each (see
// ParseTranslations).
func Translate(in TranslateInput) ([]Message, error) {
	if strings.TrimSpace(in.Question) == "" {
		return nil, fmt.Errorf("translate prompt: question is empty: %w", ErrEmptyInput)
	}
	data := translateData{TranslateInput: in, Language: languageName(in.Lang)}
	for _, code := range in.Targets {
		if name := languageName(code); name != "" {
			data.Targets = append(data.Targets, target{Code: code, Name: name})
		}
	}
	if len(data.Targets) == 0 {
		return nil, fmt.Errorf("translate prompt: no language to translate into in %q", in.Targets)
	}
	msgs, err := render("translate", data, nil)
	if err != nil {
		return nil, fmt.Errorf("translate prompt: %w", err)
	}
	return msgs, nil
}

// ParseTranslations reads a reply to Translate: the "code: text" lines of
// the target languages, the first for each code. Other lines, empty
// translations and lines longer than MaxTranslationRunes are left out.
func ParseTranslations(reply string, targets []string) map[string]string {
	out := map[string]string{}
	for line := range strings.SplitSeq(reply, "\n") {
		code, text, ok := strings.Cut(strings.TrimSpace(line), ":")
		code, text = strings.ToLower(strings.Trim(code, " *-`\"")), strings.Trim(strings.TrimSpace(text), "\"“”«» ")
		if !ok || text == "" || len([]rune(text)) > MaxTranslationRunes || out[code] != "" {
			continue
		}
		for _, t := range targets {
			if t == code {
				out[code] = text
			}
		}
	}
	return out
}
