package bot

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLanguages(t *testing.T) {
	detect := func(text string) string {
		return map[string]string{"ما الجديد؟": "ar", "Quoi de neuf ?": "fr", "Was gibt's Neues?": "de"}[text]
	}
	tests := []struct {
		name     string
		detect   func(string) string
		question string
		fallback string
		want     [2]string // the question's language, the phrases' language
	}{
		{"arabic question, arabic phrases", detect, "ما الجديد؟", "en", [2]string{"ar", "ar"}},
		{"french question, french phrases", detect, "Quoi de neuf ?", "en", [2]string{"fr", "fr"}},
		{"language without phrases: fallback", detect, "Was gibt's Neues?", "fr", [2]string{"de", "fr"}},
		{"undetected: fallback", detect, "?", "fr", [2]string{"", "fr"}},
		{"no detector: fallback", nil, "ما الجديد؟", "en", [2]string{"", "en"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &Bot{deps: Deps{DetectLang: tt.detect}}
			lang, ui := b.languages(tt.question, tt.fallback)
			if d := cmp.Diff(tt.want, [2]string{lang, ui}); d != "" {
				t.Errorf("languages (-want +got):\n%s", d)
			}
		})
	}
}
