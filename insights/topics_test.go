package insights

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestContentWords(t *testing.T) {
	tests := []struct {
		a, b string
		want float64 // Jaccard index of their content words
	}{
		{"Combien coûte le tramway à Rabat ?", "Quel est le prix du tramway à Rabat ?", 0.5},
		{"Combien coûte le tramway à Rabat ?", "COMBIEN COUTE LE TRAMWAY A RABAT", 1},
		{"Quand ouvrent les nouvelles écoles ?", "quand ouvrent la nouvelle école", 1}, // folded and stemmed
		{"Who won the World Cup?", "Qui a gagné la coupe du monde ?", 0},
		{"ما هو سعر الذهب في الدار البيضاء؟", "سعر الذهب في الدار البيضاء", 1},
		{"?", "...", 0}, // no content words: never merged
	}
	for _, tt := range tests {
		if got := jaccard(contentWords(tt.a), contentWords(tt.b)); got != tt.want {
			t.Errorf("jaccard(%q, %q) = %v, want %v (%v, %v)", tt.a, tt.b, got, tt.want, contentWords(tt.a), contentWords(tt.b))
		}
	}
}

func TestTopics(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2024, 5, 1, h, 0, 0, 0, time.UTC) }
	qs := []Question{
		{Text: "Combien coûte le tramway à Rabat ?", Count: 3, Langs: []string{"fr"}, LastAsked: at(1)},
		{Text: "Qui a gagné la coupe du monde 2030 ?", Count: 2, Langs: []string{"fr"}, LastAsked: at(2)},
		{Text: "What is the price of the Rabat tramway?", Count: 2, Langs: []string{"en"}, LastAsked: at(5)},
		{Text: "Quel est le prix du tramway\nà Rabat ?", Count: 1, Langs: []string{"fr", ""}, LastAsked: at(3)},
		{Text: "Gagnant coupe du monde 2030", Count: 1, Langs: nil, LastAsked: at(4)},
		{Text: "?", Count: 1, LastAsked: at(6)},
		{Text: "??", Count: 1, LastAsked: at(7)},
		{Text: strings.Repeat("tramway ", 500), Count: 1, LastAsked: at(0)},
	}
	want := []Topic{
		{Question: "Combien coûte le tramway à Rabat ?", Count: 6, Langs: []string{"en", "fr"},
			Variants: []string{"What is the price of the Rabat tramway?", "Quel est le prix du tramway à Rabat ?"}, LastAsked: at(5)},
		{Question: "Qui a gagné la coupe du monde 2030 ?", Count: 3, Langs: []string{"fr"}, Variants: []string{"Gagnant coupe du monde 2030"}, LastAsked: at(4)},
		{Question: "??", Count: 1, Langs: []string{}, Variants: []string{}, LastAsked: at(7)},
	}
	if d := cmp.Diff(want, topics(qs, 0.5, 3)); d != "" {
		t.Errorf("topics (-want +got):\n%s", d)
	}
	all := topics(qs, 0.5, 10)
	if len(all) != 5 {
		t.Fatalf("%d topics, want 5: %+v", len(all), all)
	}
	if long := all[4]; len([]rune(long.Question)) != maxQuestionRunes || !strings.HasSuffix(long.Question, "…") {
		t.Errorf("a long question is shown as %d characters, want it cut to %d", len([]rune(long.Question)), maxQuestionRunes)
	}
	if got := topics(nil, 0.5, 10); got == nil || len(got) != 0 {
		t.Errorf("topics(nil) = %#v, want an empty list", got)
	}
}
