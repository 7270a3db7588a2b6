package rag

import (
	"fmt"
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

// TestExtractiveAnswerQuotesOnce checks that no text is quoted twice: a
// sentence widened to the one before it (it opens with a pronoun) and that
// sentence itself, or the same sentence published by two articles.
func TestExtractiveAnswerQuotesOnce(t *testing.T) {
	passage := func(article, chunk int64, text string) Passage {
		return Passage{Article: Article{ID: article, Title: "Article"}, Chunk: Chunk{ID: chunk, Text: text}}
	}
	quote := func(sent string, n int) string { return fmt.Sprintf("“%s” [%d]", sent, n) }
	const (
		port   = "The new port of Tangier opened to ships on Monday."
		portFR = "Le nouveau port de Tanger a été ouvert aux navires lundi."
		ships  = "Ships entered the Tangier port on Monday morning."
	)
	tests := []struct {
		name  string
		query string
		ps    []Passage
		want  string
	}{
		{
			name:  "the sentence before a widened one is picked first",
			query: "Maha Gmira homemade AI notion",
			ps: []Passage{passage(1, 10,
				"Maha Gmira is an AI expert who studies homemade AI. She introduced the notion of homemade AI to Moroccan engineers.")},
			want: "“Maha Gmira is an AI expert who studies homemade AI. She introduced the notion of homemade AI to Moroccan engineers.” [1]",
		},
		{
			name:  "a widened sentence is picked first",
			query: "notion homemade AI engineers Gmira",
			ps: []Passage{passage(1, 10,
				"Maha Gmira is an AI expert who studies homemade AI. She introduced the notion of homemade AI to Moroccan engineers.")},
			want: "“Maha Gmira is an AI expert who studies homemade AI. She introduced the notion of homemade AI to Moroccan engineers.” [1]",
		},
		{"the same sentence in two articles", "Tangier port ships Monday",
			[]Passage{passage(1, 10, port), passage(2, 20, port)}, quote(port, 1)},
		{"the same sentence with other accents, case and spaces", "port Tanger navires lundi",
			[]Passage{passage(1, 10, portFR), passage(2, 20, "Le  nouveau port de Tanger a ete ouvert aux NAVIRES lundi.")}, quote(portFR, 1)},
		{"different sentences are all quoted", "Tangier port ships Monday",
			[]Passage{passage(1, 10, port), passage(2, 20, ships)}, quote(port, 1) + " " + quote(ships, 2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := extractiveAnswer(tt.query, nil, "en", Answer{}, tt.ps)
			if d := cmp.Diff(tt.want, got.Text); d != "" {
				t.Errorf("answer text (-want +got):\n%s", d)
			}
		})
	}
}
