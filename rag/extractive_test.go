package rag

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestExtractiveAnswerPhrases pins the language-dependent words of an
// extractive answer: the quotation marks, and the reply with nothing to quote.
func TestExtractiveAnswerPhrases(t *testing.T) {
	ps := []Passage{{
		Article: Article{ID: 7, Title: "Port"},
		Chunk:   Chunk{ID: 70, Text: "The new port of Tangier opened to ships on Monday."},
	}}
	tests := []struct {
		name string
		lang string
		ps   []Passage
		want string
	}{
		{"english", "en", ps, "“The new port of Tangier opened to ships on Monday.” [1]"},
		{"french", "fr", ps, "« The new port of Tangier opened to ships on Monday. » [1]"},
		{"arabic", "ar", ps, "« The new port of Tangier opened to ships on Monday. » [1]"},
		{"unknown language", "", ps, "“The new port of Tangier opened to ships on Monday.” [1]"},
		{"nothing to quote, english", "en", nil, "The archive does not say."},
		{"nothing to quote, french", "fr", nil, "Les archives ne disent rien à ce sujet."},
		{"nothing to quote, arabic", "ar", nil, "لا يذكر الأرشيف شيئًا عن هذا الموضوع."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := extractiveAnswer("Tangier port ships", nil, tt.lang, Answer{}, tt.ps)
			if d := cmp.Diff(tt.want, got.Text); d != "" {
				t.Errorf("answer text (-want +got):\n%s", d)
			}
		})
	}
}
