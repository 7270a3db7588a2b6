package nlp

import "testing"

func TestStem(t *testing.T) {
	tests := []struct{ word, want string }{
		{"elections", "election"},
		{"election", "election"},
		{"presidentielles", "presidentiell"},
		{"presidentielle", "presidentiell"},
		{"players", "player"},
		{"played", "play"},
		{"playing", "play"},
		{"gouvernement", "gouvern"},
		{"paix", "pai"},
		{"bus", "bus"},
		{"والكتاب", "كتاب"},
		{"الكتاب", "كتاب"},
		{"بالمدرسه", "مدرس"},
		{"المعلمون", "معلم"},
		{"كتب", "كتب"},
	}
	for _, tt := range tests {
		t.Run(tt.word, func(t *testing.T) {
			if got := string(Stem([]byte(tt.word))); got != tt.want {
				t.Errorf("Stem(%q) = %q, want %q", tt.word, got, tt.want)
			}
		})
	}
}
