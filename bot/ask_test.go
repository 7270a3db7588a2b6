package bot

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dalil-news/dalil/nlp"
)

func TestLanguages(t *testing.T) {
	tests := []struct {
		name     string
		question string
		fallback string
		want     [2]string // the question's language, the phrases' language
	}{
		{"arabic question, arabic phrases", "ما الجديد في أخبار المغرب اليوم؟", "en", [2]string{"ar", "ar"}},
		{"french question, french phrases", "Quoi de neuf dans les nouvelles du Maroc ?", "en", [2]string{"fr", "fr"}},
		{"english question, english phrases", "What is the latest news from Morocco?", "fr", [2]string{"en", "en"}},
		{"language dalil does not detect: fallback", "Was gibt es Neues heute?", "fr", [2]string{"", "fr"}},
		{"undetected: fallback", "?", "fr", [2]string{"", "fr"}},
		{"darija in latin script: french phrases", "chno gal Mezzour 3la l'IA f lmghrib?", "en", [2]string{nlp.LangDarija, "fr"}},
		{"darija in arabic script: arabic phrases", "شنو قالت مزور على الذكاء الاصطناعي ف المغرب؟", "en", [2]string{nlp.LangDarija, "ar"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &Bot{}
			lang, ui := b.languages(tt.question, tt.fallback)
			if d := cmp.Diff(tt.want, [2]string{lang, ui}); d != "" {
				t.Errorf("languages (-want +got):\n%s", d)
			}
		})
	}
}
