package nlp

import "testing"

func TestTruncate(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly5", 8, "exactly5"},
		{"abcdef", 4, "abc…"},
		{"abc def", 5, "abc…"}, // no space before the ellipsis
		{"المغرب العربي", 4, "الم…"},
		{"abc", 0, ""},
	}
	for _, tt := range tests {
		if got := Truncate(tt.s, tt.n); got != tt.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}

func TestOneLine(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"  a\n\tb  c \r\n", 10, "a b c"},
		{"line one\nline two", 10, "line one…"},
		{"", 5, ""},
	}
	for _, tt := range tests {
		if got := OneLine(tt.s, tt.n); got != tt.want {
			t.Errorf("OneLine(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}
