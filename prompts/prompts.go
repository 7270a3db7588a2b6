// Package prompts renders dalil's chat prompts from embedded text/template
// files (templates/*.tmpl): answering from numbered sources, rewriting a
// follow-up into a standalone query, summarizing an article (also in
// map-reduce form) and introducing the daily digest, as Messages, the chat
// turns that rag sends to a chat model; Fit cuts numbered sources to the
// context budget.
//
// Everything taken from articles or conversations is untrusted data: it is
// fenced between tags such as <source n="1"> and </source>, and any
// tag-like text inside it (including those delimiters) is neutralized so it
// cannot close the fence. The system prompts tell the model that fenced text
// is never an instruction.
package prompts

import (
	"embed"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"text/template"
	"time"

	"golang.org/x/text/unicode/norm"
)

// Message is one chat turn: what the templates render and what rag sends
// to a chat model.
type Message struct {
	Role    string
	Content string
}

// Message roles.
const (
	RoleSystem    = "system"
	RoleUser      = "user"
	RoleAssistant = "assistant"
)

// ErrEmptyInput means a render function was given nothing to render
// (no question, no sources, an empty turn).
var ErrEmptyInput = errors.New("empty prompt input")

// Ellipsis marks a source text that was shortened to fit a budget.
const Ellipsis = " […]"

// NotFound is the sentinel an answering model replies with, at the start of
// its reply, when the sources do not support an answer; a short explanation
// may follow it.
const NotFound = "NOT_IN_ARCHIVE"

// Source is one numbered piece of untrusted text given to a model: a
// passage for answers, an article for summaries, a story for the digest.
type Source struct {
	N         int // the number the model cites as [N]
	Title     string
	Publisher string
	Published time.Time // zero: undated
	URL       string
	Text      string
}

//go:embed templates/*.tmpl
var templateFS embed.FS

// templates holds every parsed template; they are read-only after init.
var templates = template.Must(template.New("prompts").Funcs(template.FuncMap{
	"fence":   fence,
	"oneline": oneline,
	"date":    formatDate,
	"today":   formatToday,
	"inc":     func(i int) int { return i + 1 },
}).ParseFS(templateFS, "templates/*.tmpl"))

// languages names the languages dalil answers in, by ISO 639-1 code.
var languages = map[string]string{"fr": "French", "en": "English", "ar": "Arabic"}

// languageName is the English name of a language code, or "" when the code
// is empty or not one of dalil's languages.
func languageName(code string) string {
	return languages[strings.ToLower(strings.TrimSpace(code))]
}

// tagLike matches the start of anything that looks like a tag: "<" then
// optional spaces and slash, then a letter.
var tagLike = regexp.MustCompile(`<(\s*/?\s*\pL)`)

// fence neutralizes tag-like text in untrusted data so that it cannot
// close or open a fence: "</source>" becomes "&lt;/source>". The text is
// first normalized to NFKC, because a model reads compatibility forms such
// as the full-width "＜／source＞" or an ideographic space as the
// characters they stand for, which the pattern would not see.
func fence(s string) string {
	return tagLike.ReplaceAllString(strings.TrimSpace(norm.NFKC.String(s)), "&lt;$1")
}

// oneline fences a metadata field and collapses its white space, so that it
// stays on its own line.
func oneline(s string) string {
	return fence(strings.Join(strings.Fields(s), " "))
}

// formatDate renders a publication date, or "undated".
func formatDate(t time.Time) string {
	if t.IsZero() {
		return "undated"
	}
	return t.Format("2006-01-02")
}

// formatToday renders the current date with its weekday.
func formatToday(t time.Time) string {
	return t.Format("Monday 2 January 2006")
}

// render executes the "<name>.system" and "<name>.user" templates into a
// system message, the history, and a user message.
func render(name string, data any, history []Message) ([]Message, error) {
	system, err := execute(name+".system", data)
	if err != nil {
		return nil, err
	}
	user, err := execute(name+".user", data)
	if err != nil {
		return nil, err
	}
	msgs := make([]Message, 0, len(history)+2)
	msgs = append(msgs, Message{Role: RoleSystem, Content: system})
	msgs = append(msgs, history...)
	return append(msgs, Message{Role: RoleUser, Content: user}), nil
}

// blankLines matches runs of blank lines left by template actions.
var blankLines = regexp.MustCompile(`\n{3,}`)

func execute(name string, data any) (string, error) {
	var b strings.Builder
	if err := templates.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("render template %s: %w", name, err)
	}
	return blankLines.ReplaceAllString(strings.TrimSpace(b.String()), "\n\n"), nil
}

// checkSources validates numbered sources: at least one, numbers positive
// and unique, text not empty.
func checkSources(sources []Source) error {
	if len(sources) == 0 {
		return fmt.Errorf("no sources: %w", ErrEmptyInput)
	}
	seen := make(map[int]bool, len(sources))
	for i, s := range sources {
		switch {
		case s.N < 1:
			return fmt.Errorf("source %d has number %d, want 1 or more", i, s.N)
		case seen[s.N]:
			return fmt.Errorf("source %d: number %d used twice", i, s.N)
		case strings.TrimSpace(s.Text) == "":
			return fmt.Errorf("source [%d] has no text: %w", s.N, ErrEmptyInput)
		}
		seen[s.N] = true
	}
	return nil
}

// checkHistory validates previous turns: user or assistant, not empty.
func checkHistory(history []Message) error {
	for i, m := range history {
		if m.Role != RoleUser && m.Role != RoleAssistant {
			return fmt.Errorf("history message %d has role %q, want user or assistant", i, m.Role)
		}
		if strings.TrimSpace(m.Content) == "" {
			return fmt.Errorf("history message %d (%s) is empty: %w", i, m.Role, ErrEmptyInput)
		}
	}
	return nil
}
