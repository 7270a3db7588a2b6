package lexicon

import "testing"

func TestExpandQuery(t *testing.T) {
	tests := []struct{ in, want string }{
		{"What is Morocco's homemade AI?", "What is Morocco's homemade AI? maroc المغرب ia"},
		{"Que fait le gouvernement marocain ?", "Que fait le gouvernement marocain ? moroccan marocaine مغربي government الحكومة"},
		{"Le séisme d'Al Haouz", "Le séisme d'Al Haouz earthquake زلزال"},
		{"Seismic sensors", "Seismic sensors"}, // whole words only
		{"Said the main", "Said the main"},     // "ai" inside a word does not count
		{"مستقبل للذكاء الاصطناعي بالمغرب", "مستقبل للذكاء الاصطناعي بالمغرب morocco maroc artificial intelligence intelligence artificielle"}, // Arabic clitics before the article
		{"", ""},
	}
	for _, tt := range tests {
		if got := ExpandQuery(tt.in); got != tt.want {
			t.Errorf("ExpandQuery(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
