package nlp

import (
	"testing"
	"time"
)

func TestShorten(t *testing.T) {
	tests := []struct {
		name    string
		shorten func(string, int) string
		s       string
		n       int
		want    string
	}{
		{"Truncate", Truncate, "short", 10, "short"},
		{"Truncate", Truncate, "exactly8", 8, "exactly8"},
		{"Truncate", Truncate, "abcdef", 4, "abc…"},
		{"Truncate", Truncate, "abc def", 5, "abc…"}, // no space before the ellipsis
		{"Truncate", Truncate, "المغرب العربي", 4, "الم…"},
		{"Truncate", Truncate, "abc", 0, ""},
		{"OneLine", OneLine, "  a\n\tb  c \r\n", 10, "a b c"},
		{"OneLine", OneLine, "line one\nline two", 10, "line one …"}, // the space stays
		{"OneLine", OneLine, "line one\nline two", 9, "line one…"},
		{"OneLine", OneLine, "abc", 0, ""},
		{"OneLine", OneLine, "", 5, ""},
		{"Collapse", func(s string, _ int) string { return Collapse(s) }, " a \n\n b\t", 0, "a b"},
	}
	for _, tt := range tests {
		if got := tt.shorten(tt.s, tt.n); got != tt.want {
			t.Errorf("%s(%q, %d) = %q, want %q", tt.name, tt.s, tt.n, got, tt.want)
		}
	}
}

func TestShortDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{30 * time.Minute, "30m"},
		{2 * time.Hour, "2h"},
		{90 * time.Minute, "1h30m"},
		{45 * time.Second, "45s"},
		{time.Hour + 30*time.Second, "1h0m30s"},
	}
	for _, tt := range tests {
		if got := ShortDuration(tt.d); got != tt.want {
			t.Errorf("ShortDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}
