package lexicon

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCoverage(t *testing.T) {
	terms := []Term{
		{Source: "house", Alternatives: []string{"maison", "domicile"}},
		{Source: "artificial", Alternatives: []string{"intelligence artificielle"}},
		{Source: "mezzour", Alternatives: nil},
		{Source: "rain", Alternatives: []string{"pluie"}},
	}
	tests := []struct {
		text string
		want float64
	}{
		{"Les maisons de Ghita Mezzour et l'Intelligence Artificielle", 0.75}, // plural, accents, name, two-word translation
		{"La pluie tombe sur l'intelligence", 0.25},                           // one word of two is not a translation
		{"", 0},
	}
	for _, tt := range tests {
		if got := Coverage(terms, Words(tt.text)); got != tt.want {
			t.Errorf("Coverage(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
	if got := Coverage(nil, Words("maison")); got != 0 {
		t.Errorf("no terms: %v, want 0", got)
	}
}

func TestGroups(t *testing.T) {
	many := Term{Source: "cat", Alternatives: []string{"chat", "matou", "minet", "greffier", "mistigri", "minou", "chaton"}}
	tests := []struct {
		name  string
		terms []Term
		want  []string
	}{
		{"one group a word", []Term{{Source: "dog", Alternatives: []string{"chien"}}, {Source: "red", Alternatives: []string{"rouge", "roux"}}},
			[]string{"chien", "rouge roux"}},
		{"at most perWord", []Term{many}, []string{"chat matou minet greffier mistigri minou"}},
		{"untranslated words left out", []Term{{Source: "dalil"}, {Source: "dog", Alternatives: []string{"chien"}}}, []string{"chien"}},
		{"none", nil, nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, Groups(tt.terms, 6)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}
