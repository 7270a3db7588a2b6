package nlp

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Truncate cuts s to at most n runes, ending with "…" (and no white space
// before it) when cut: for text shown to people in Discord.
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n < 1 {
		return ""
	}
	r := []rune(s)
	return strings.TrimRightFunc(string(r[:n-1]), unicode.IsSpace) + "…"
}

// Collapse turns every run of white space in s, line breaks included, into
// one space, and trims both ends.
func Collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// OneLine collapses s (see Collapse) and cuts the result to at most n
// runes, the last one "…" when cut: for lines of the command's output,
// logs and stored error texts.
func OneLine(s string, n int) string {
	s = Collapse(s)
	if r := []rune(s); len(r) > n {
		if n < 1 {
			return ""
		}
		return string(r[:n-1]) + "…"
	}
	return s
}

// ShortDuration writes d without zero minutes or seconds: 30m, 2h, 1h30m.
func ShortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
