package lexicon

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSentenceCoverage: a sentence is judged on every word of the
// question, so a cognate the dictionaries lack ("Homemade") counts as much
// as a translated word.
func TestSentenceCoverage(t *testing.T) {
	terms := []Term{{Source: "morocco", Alternatives: []string{"maroc"}}}
	tr := &Translation{
		Terms:        map[string][]Term{"fr": terms},
		Untranslated: map[string][]Term{"fr": Untranslated(terms, "What is Morocco's homemade AI?")},
	}
	if got := tr.Untranslated["fr"]; len(got) != 2 || got[0].Source != "homemade" || got[1].Source != "ai" {
		t.Fatalf("untranslated %+v: want homemade and ai", got)
	}
	tests := []struct {
		sent          string
		gate, quoting float64
	}{
		{"Le Maroc est bien positionné.", 1, 1.0 / 3},
		{"Elle a introduit la notion d'IA Homemade au Maroc.", 1, 2.0 / 3},
		{"Rien à voir.", 0, 0},
	}
	for _, tt := range tests {
		if got := tr.Coverage("fr", tt.sent); got != tt.gate {
			t.Errorf("Coverage(%q) = %v, want %v", tt.sent, got, tt.gate)
		}
		if got := tr.SentenceCoverage("fr", tt.sent); got != tt.quoting {
			t.Errorf("SentenceCoverage(%q) = %v, want %v", tt.sent, got, tt.quoting)
		}
	}
	var none *Translation
	if none.Coverage("fr", "Le Maroc") != 0 || none.SentenceCoverage("fr", "Le Maroc") != 0 {
		t.Error("nil translations cover something")
	}
}

// TestHoldsNames: a passage must hold every name and number a
// Latin-script question carries; an Arabic word's transliteration is a
// guess and is not required.
func TestHoldsNames(t *testing.T) {
	tr := &Translation{Terms: map[string][]Term{"fr": {
		{Source: "iphone", Alternatives: []string{"iphone"}, Carried: true},
		{Source: "2030", Alternatives: []string{"2030"}, Carried: true},
		{Source: "sale", Alternatives: []string{"vente"}},
		{Source: "غيثه", Alternatives: []string{"ghitha"}, Carried: true},
		{Source: "ai", Alternatives: []string{"ai"}, Carried: true},
	}}}
	tests := []struct {
		text string
		want bool
	}{
		{"La vente de l'iPhone 17, avec l'IA, commence en 2030.", true}, // AI: IA, by the glossary
		{"La vente de l'iPhone commence bientôt, avec l'IA.", false},
		{"La vente commence en 2030.", false},
		{"La vente de l'iPhone 17 commence en 2030.", false}, // no AI
	}
	for _, tt := range tests {
		if got := tr.HoldsNames("fr", tt.text); got != tt.want {
			t.Errorf("HoldsNames(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
	into := &Translation{Terms: map[string][]Term{"ar": {
		{Source: "biden", Alternatives: []string{"بيدن", "biden"}, Carried: true},
		{Source: "2024", Alternatives: []string{"2024"}, Carried: true},
	}}}
	if !into.HoldsNames("ar", "قال بايدن عام 2024") || into.HoldsNames("ar", "قال بايدن") {
		t.Error("into Arabic, a transliterated name is required, or a number is not")
	}
	if !tr.HoldsNames("ar", "نص") || !tr.Into("fr") || tr.Into("ar") {
		t.Error("a language the question is not translated into has names or translations")
	}
	var none *Translation
	if !none.HoldsNames("fr", "x") || none.Into("fr") {
		t.Error("nil translations require names or translate")
	}
}

func TestHoldsCarried(t *testing.T) {
	tr := &Translation{Terms: map[string][]Term{
		"fr": {
			{Source: "museveni", Alternatives: []string{"museveni"}, Carried: true},
			{Source: "study", Alternatives: []string{"etudier"}},
			{Source: "ai", Alternatives: []string{"ai"}, Carried: true},
		},
		"ar": {
			{Source: "1986", Alternatives: []string{"1986"}, Carried: true},
			{Source: "museveni", Alternatives: []string{"موسفني"}, Carried: true},
		},
	}}
	tests := []struct {
		text string
		want bool
	}{
		{"Yoweri Museveni studied AI in Tanzania until 1986.", true},
		{"Museveni étudie l'IA depuis 1986.", true}, // AI: IA, by the glossary
		{"Students of AI in this country study until 1986.", false},
		{"Museveni studied AI in Tanzania.", false},
		{"درس موسفني الذكاء الاصطناعي Museveni AI حتى ١٩٨٦", true}, // Arabic-Indic digits
	}
	for _, tt := range tests {
		if got := tr.HoldsCarried(tt.text); got != tt.want {
			t.Errorf("HoldsCarried(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
	arabic := &Translation{Terms: map[string][]Term{"fr": {{Source: "غيثه", Alternatives: []string{"ghitha"}, Carried: true}}}}
	var none *Translation
	if !arabic.HoldsCarried("Une autre") || !none.HoldsCarried("x") {
		t.Error("an Arabic word carried over (a guessed transliteration), or no translation, is not required")
	}
}

func TestStructured(t *testing.T) {
	many := []string{"a1", "a2", "a3", "a4", "a5", "a6", "a7"}
	tests := []struct {
		name  string
		parts []Part
		terms map[string][]Term
		want  [][]Part
	}{
		{
			name:  "each word beside its translations, in the question's order",
			parts: []Part{{Lang: "en", Words: "Which harbour beat the record?"}},
			terms: map[string][]Term{
				"fr": {{Source: "harbour", Alternatives: []string{"port", "havre"}}, {Source: "record", Alternatives: []string{"record"}}},
				"ar": {{Source: "harbour", Alternatives: []string{"ميناء"}}},
			},
			want: [][]Part{
				{{Lang: "en", Words: "harbour"}, {Lang: "fr", Words: "port havre"}, {Lang: "ar", Words: "ميناء"}},
				{{Lang: "en", Words: "beat"}},
				{{Lang: "en", Words: "record"}, {Lang: "fr", Words: "record"}},
			},
		},
		{
			name:  "a phrase translated whole is a group of its own; at most six translations",
			parts: []Part{{Lang: "en", Words: "House of Commons cat"}},
			terms: map[string][]Term{
				"fr": {{Source: "house of commons", Alternatives: []string{"chambre des communes"}}, {Source: "cat", Alternatives: many}},
			},
			want: [][]Part{
				{{Lang: "en", Words: "house"}}, {{Lang: "en", Words: "commons"}},
				{{Lang: "en", Words: "cat"}, {Lang: "fr", Words: "a1 a2 a3 a4 a5 a6"}},
				{{Lang: "fr", Words: "chambre des communes"}},
			},
		},
		{
			name:  "Darija: each script's part in its language",
			parts: []Part{{Lang: "fr", Words: "Mezzour système"}, {Lang: "ar", Words: "الذكاء"}},
			terms: map[string][]Term{
				"fr": {{Source: "الذكاء"}},
				"en": {{Source: "systeme", Alternatives: []string{"system"}}, {Source: "الذكاء", Alternatives: []string{"intelligence"}}},
			},
			want: [][]Part{
				{{Lang: "fr", Words: "mezzour"}}, {{Lang: "fr", Words: "systeme"}, {Lang: "en", Words: "system"}}, {{Lang: "ar", Words: "ذكاء"}, {Lang: "en", Words: "intelligence"}},
			},
		},
		{
			name:  "a glossary concept is a group of its own, its terms a part each",
			parts: []Part{{Lang: "en", Words: "Artificial intelligence today"}},
			terms: map[string][]Term{"fr": {{Source: "today", Alternatives: []string{"aujourd'hui"}}}},
			want: [][]Part{
				{{Lang: "en", Words: "artificial"}}, {{Lang: "en", Words: "intelligence"}}, {{Lang: "en", Words: "today"}, {Lang: "fr", Words: "aujourd'hui"}},
				{{Lang: "", Words: "artificial intelligence"}, {Lang: "", Words: "intelligence artificielle"}, {Lang: "ar", Words: "الذكاء الاصطناعي"}},
			},
		},
		{
			name:  "Arabic: the question's word and the dictionary's folded source are one group",
			parts: []Part{{Lang: "ar", Words: "سياسة الحكومة"}},
			terms: map[string][]Term{"fr": {{Source: "سياسه", Alternatives: []string{"politique"}}, {Source: "الحكومه", Alternatives: []string{"gouvernement"}}}},
			want: [][]Part{
				{{Lang: "ar", Words: "سياسة"}, {Lang: "fr", Words: "politique"}}, {{Lang: "ar", Words: "حكومة"}, {Lang: "fr", Words: "gouvernement"}},
				{{Lang: "", Words: "government"}, {Lang: "", Words: "gouvernement"}, {Lang: "ar", Words: "الحكومة"}}, // the glossary's concept
			},
		},
		{
			name:  "no translation: no structured query",
			parts: []Part{{Lang: "en", Words: "Which harbour?"}},
			terms: map[string][]Term{"fr": {{Source: "harbour", Carried: true}}},
		},
	}
	for _, tt := range tests {
		got := (&Translation{Terms: tt.terms}).Structured(tt.parts)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}
