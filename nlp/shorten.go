package nlp

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Truncate cuts s to at most n runes, ending with "…" (and no white space
// before it) when cut.
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

// OneLine collapses the white space of s, line breaks included, into single
// spaces and cuts the result to at most n runes (see Truncate).
func OneLine(s string, n int) string {
	return Truncate(strings.Join(strings.Fields(s), " "), n)
}
