package lexicon

import (
	"testing"
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
		if got := Coverage(terms, Words(tt.text), nil); got != tt.want {
			t.Errorf("Coverage(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
	if got := Coverage(nil, Words("maison"), nil); got != 0 {
		t.Errorf("no terms: %v, want 0", got)
	}

	// A guessed term counts when found, and is left out when not.
	guessed := append(terms[:1:1], Term{Source: "governance", Alternatives: []string{"governance"}, Guessed: true})
	for text, want := range map[string]float64{
		"la maison":                   1,
		"la governance de la maison":  1,
		"la governance":               0.5,
		"la gouvernance":              0,
		"la gouvernance de la maison": 1,
	} {
		if got := Coverage(guessed, Words(text), nil); got != want {
			t.Errorf("Coverage(guessed, %q) = %v, want %v", text, got, want)
		}
	}
	if got := Coverage(guessed[1:], Words("la gouvernance"), nil); got != 0 {
		t.Errorf("only an unfound guess: %v, want 0", got)
	}
}

// TestCoverageGlossary checks that a name carried over is found in the
// form the glossary gives it in the text's language (AI: IA), and a
// translated word is not.
func TestCoverageGlossary(t *testing.T) {
	terms := []Term{
		{Source: "ai", Alternatives: []string{"ai"}, Carried: true},
		{Source: "data", Alternatives: []string{"donnees"}},
	}
	text := "Les données de l'IA."
	if got := Coverage(terms, Words(text), glossaryGroups(text)); got != 1 {
		t.Errorf("with the glossary: %v, want 1", got)
	}
	if got := Coverage(terms, Words(text), nil); got != 0.5 {
		t.Errorf("without the glossary: %v, want 0.5", got)
	}
	terms[0].Carried = false
	if got := Coverage(terms, Words(text), glossaryGroups(text)); got != 0.5 {
		t.Errorf("a word not carried over, with the glossary: %v, want 0.5", got)
	}
}

// TestWordsArabic checks that an Arabic word holds a translation without
// its proclitics and article, and not without its suffixes.
func TestWordsArabic(t *testing.T) {
	terms := []Term{
		{Source: "house", Alternatives: []string{"المنزل"}},
		{Source: "school", Alternatives: []string{"مدرسه"}},
		{Source: "book", Alternatives: []string{"كتاب"}},
	}
	tests := []struct {
		text string
		want float64
	}{
		{"ذهب إلى بالمنزل", 1.0 / 3},          // ب + ال
		{"والمدرسة قريبة", 1.0 / 3},           // و + ال, and ة folded to ه
		{"كتابه في المنزل والمدرسة", 2.0 / 3}, // the pronoun suffix stays: كتابه is not كتاب
		{"منزل ومدرسة وكتاب", 1},              // a bare word holds the translation with ال
	}
	for _, tt := range tests {
		if got := Coverage(terms, Words(tt.text), nil); got != tt.want {
			t.Errorf("Coverage(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}
