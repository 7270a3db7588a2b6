package nlp

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFold(t *testing.T) {
	tests := []struct {
		name     string
		fold     func(string) string
		in, want string
	}{
		{"Fold", Fold, "Élèves", "eleves"},
		{"Fold", Fold, "ŒUVRE cœur", "oeuvre coeur"},
		{"Fold", Fold, "Straße", "strasse"},
		{"Fold", Fold, "e\u0301cole", "ecole"}, // decomposed accent
		{"Fold", Fold, "الأُسبوع", "الاسبوع"},  // hamza on alef, damma
		{"Fold", Fold, "إسلام آخر ٱلله", "اسلام اخر الله"},
		{"Fold", Fold, "مدرسة على", "مدرسه علي"},
		{"Fold", Fold, "الـــيوم", "اليوم"}, // tatweel
		{"Fold", Fold, "2023-10-24", "2023-10-24"},
		{"Fold", Fold, "", ""},
		{"LightFold", LightFold, "Élèves d’École", "eleves d'ecole"},
		{"LightFold", LightFold, "الحكومة الأسبوع", "الحكومة الأسبوع"}, // Arabic kept as written
		{"LightFold", LightFold, "الـــيوم", "اليوم"},
	}
	for _, tt := range tests {
		if got := tt.fold(tt.in); got != tt.want {
			t.Errorf("%s(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestDigit(t *testing.T) {
	tests := []struct {
		r    rune
		want int
	}{
		{'0', 0}, {'9', 9}, {'٣', 3}, {'۷', 7}, {'５', 5}, {'a', -1}, {'²', -1},
	}
	for _, tt := range tests {
		if got := Digit(tt.r); got != tt.want {
			t.Errorf("Digit(%q) = %d, want %d", tt.r, got, tt.want)
		}
	}
}

func TestIsStopWord(t *testing.T) {
	for _, w := range []string{"les", "the", "sont", "في", "انت"} {
		if !IsStopWord([]byte(w)) {
			t.Errorf("IsStopWord(%q) = false, want true", w)
		}
	}
	for _, w := range []string{"maroc", "intelligence", "المغرب", "Sont"} {
		if IsStopWord([]byte(w)) {
			t.Errorf("IsStopWord(%q) = true, want false (stop words are looked up folded)", w)
		}
	}
}

func TestTerms(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Qu'est-ce que l'IA « Homemade » ?", []string{"ia", "homemade"}},
		{"What is Morocco’s homemade AI?", []string{"morocco", "homemade", "ai"}},
		{"2.373 agents en 2025", []string{"2", "373", "agents", "2025"}},
		{"والمغرب في الأسبوع", []string{"مغرب", "أسبوع"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, Terms(tt.in)); diff != "" {
			t.Errorf("Terms(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestTermSet(t *testing.T) {
	q := NewTermSet("the new articles on Morocco")
	s := NewTermSet("An article about Morocco and Rabat")
	if got, want := q.Coverage(s), 2.0/3; got != want {
		t.Errorf("Coverage = %v, want %v", got, want)
	}
	if got, want := q.Dice(s), 2*2.0/float64(len(q)+len(s)); got != want {
		t.Errorf("Dice = %v, want %v", got, want)
	}
	if got := (TermSet{}).Coverage(s); got != 0 {
		t.Errorf("empty Coverage = %v, want 0", got)
	}
}
