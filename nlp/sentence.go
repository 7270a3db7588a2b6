package nlp

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Span is a byte range [Start, End) in a text.
type Span struct{ Start, End int }

// quoteReach is the longest « … » quotation, in bytes from « to »,
// that Sentences keeps whole: a sentence does not end inside a shorter
// quotation, but does inside a longer one.
const quoteReach = 300

// Sentences splits text into sentence spans, for French, English and Arabic.
// Each span is trimmed of surrounding white space and is never empty; spans
// are in order and do not overlap.
//
// A sentence ends at a line break, or at . ! ? … ؟ or ۔ (with any closing
// quotes or brackets that follow, including a French « … » closed after the
// period) when white space and then an upper-case letter, a digit, an opening
// quote or bracket, a dash or a letter of a caseless script such as Arabic
// follow, or the text ends. It does not end after a known abbreviation (M.,
// Mme., Dr., etc., U.S., e.g., J.-C., Jan., …) or a single capital initial,
// inside numbers, URLs or e-mail addresses (no white space follows the
// period), nor inside a short « … » quotation that continues.
func Sentences(text string) []Span {
	var spans []Span
	add := func(start, end int) {
		start, end = TrimSpan(text, start, end)
		if start < end {
			spans = append(spans, Span{Start: start, End: end})
		}
	}
	start, quoteDepth, quoteOpen := 0, 0, 0
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case isLineBreak(r):
			add(start, i)
			start, quoteDepth = i+size, 0
			i += size
			continue
		case r == '«':
			if quoteDepth == 0 {
				quoteOpen = i
			}
			quoteDepth++
		case r == '»':
			quoteDepth = max(0, quoteDepth-1)
		}
		if !isTerminator(r) || inBrackets(text, i) {
			i += size
			continue
		}
		end, depth, ok := boundary(text, i, quoteDepth, quoteOpen)
		quoteDepth = depth
		if ok {
			add(start, end)
			start = end
		}
		i = end
	}
	add(start, len(text))
	return spans
}

// boundary examines the terminator at text[i], inside depth levels of
// « quotation opened at quoteOpen: it returns the end of the terminator and
// the closing quotes that follow it, the quotation depth there, and whether a
// sentence ends there.
func boundary(text string, i, depth, quoteOpen int) (end, newDepth int, ok bool) {
	// The run of terminators: "?!", "...", "…".
	j := i
	for j < len(text) {
		r, size := utf8.DecodeRuneInString(text[j:])
		if !isTerminator(r) {
			break
		}
		j += size
	}
	// Closing quotes and brackets: adjacent ones, and a » or ” after spaces
	// (French typography: « Fin. »).
	end = j
	for end < len(text) {
		r, size := utf8.DecodeRuneInString(text[end:])
		if isCloser(r) {
			if r == '»' {
				depth = max(0, depth-1)
			}
			end += size
			continue
		}
		if !isSpace(r) {
			break
		}
		k := skipSpaces(text, end)
		r2, size2 := utf8.DecodeRuneInString(text[k:])
		if k == len(text) || (r2 != '»' && r2 != '”') {
			break
		}
		if r2 == '»' {
			depth = max(0, depth-1)
		}
		end = k + size2
	}
	if end == len(text) {
		return end, depth, true
	}
	r, _ := utf8.DecodeRuneInString(text[end:])
	if !unicode.IsSpace(r) {
		return end, depth, false // 2.373, v1.2, example.com, e.g.x
	}
	if next := skipSpaces(text, end); next < len(text) {
		r, _ := utf8.DecodeRuneInString(text[next:])
		if !isLineBreak(r) && !isStarter(r) {
			return end, depth, false
		}
	}
	if text[i:j] == "." && isAbbreviation(wordBefore(text, i)) {
		return end, depth, false
	}
	if depth > 0 && quoteCloses(text, end, quoteOpen+quoteReach) {
		return end, depth, false
	}
	return end, depth, true
}

// quoteCloses reports whether an open « quotation closes in
// text[from:until], on the same line.
func quoteCloses(text string, from, until int) bool {
	if until <= from {
		return false
	}
	rest := text[from:min(len(text), until)]
	if k := strings.IndexAny(rest, "\n\r"); k >= 0 {
		rest = rest[:k]
	}
	return strings.Contains(rest, "»")
}

// wordBefore returns the white-space-delimited word that ends at
// text[i] (the period), without leading opening quotes or brackets.
func wordBefore(text string, i int) string {
	k := i
	for k > 0 {
		r, size := utf8.DecodeLastRuneInString(text[:k])
		if unicode.IsSpace(r) {
			break
		}
		k -= size
		if i-k > 32 {
			return "" // too long to be an abbreviation
		}
	}
	return strings.TrimLeft(text[k:i], "«\"“‘'([{")
}

// isAbbreviation reports whether word, followed by a period, is an
// abbreviation or an initial rather than the end of a sentence.
func isAbbreviation(word string) bool {
	if word == "" {
		return false
	}
	if r, size := utf8.DecodeRuneInString(word); size == len(word) && unicode.IsUpper(r) {
		return true // an initial: J. K. Rowling, M. Dupont
	}
	switch word {
	// French titles and forms.
	case "MM", "Mme", "Mmes", "Mlle", "Mlles", "Dr", "Pr", "Me", "St", "Ste", "Sts", "Mgr",
		// English titles, companies and numbering.
		"Mr", "Mrs", "Ms", "Prof", "Inc", "Ltd", "Co", "Corp", "Jr", "Sr", "No", "Nos", "Gen", "Gov", "Sen", "Rep",
		// Months.
		"Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
		"janv", "févr", "avr", "juil", "oct", "nov", "déc":
		return true
	}
	switch strings.ToLower(word) {
	case "etc", "cf", "av", "apr", "p", "pp", "n°", "art", "vol", "chap", "éd", "ed", "env", "fig", "ibid", "vs", "approx":
		return true
	}
	return isDotted(word)
}

// isDotted reports whether word is a dotted abbreviation such as
// U.S, e.g, i.e, J.-C or Ph.D: segments of one or two letters separated by
// periods (the period after the last one is not part of word).
func isDotted(word string) bool {
	if !strings.Contains(word, ".") {
		return false
	}
	for seg := range strings.SplitSeq(word, ".") {
		seg = strings.TrimPrefix(seg, "-")
		n := 0
		for _, r := range seg {
			if !unicode.IsLetter(r) {
				return false
			}
			n++
		}
		if n == 0 || n > 2 {
			return false
		}
	}
	return true
}

// inBrackets reports whether the terminator at text[i] directly
// follows an opening bracket, as in the elision mark […].
func inBrackets(text string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return r == '[' || r == '('
}

// TrimSpan shrinks [start, end) of text to exclude surrounding white space.
func TrimSpan(text string, start, end int) (int, int) {
	for start < end {
		r, size := utf8.DecodeRuneInString(text[start:end])
		if !unicode.IsSpace(r) {
			break
		}
		start += size
	}
	for end > start {
		r, size := utf8.DecodeLastRuneInString(text[start:end])
		if !unicode.IsSpace(r) {
			break
		}
		end -= size
	}
	return start, end
}

// skipSpaces returns the offset of the first rune at or after i that
// is not horizontal white space.
func skipSpaces(text string, i int) int {
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isSpace(r) {
			break
		}
		i += size
	}
	return i
}

// isSpace reports whether r is white space other than a line break.
func isSpace(r rune) bool {
	return unicode.IsSpace(r) && !isLineBreak(r)
}

// isLineBreak reports whether r ends a line.
func isLineBreak(r rune) bool {
	switch r {
	case '\n', '\r', '\v', '\f', '\u0085', '\u2028', '\u2029':
		return true
	}
	return false
}

// isTerminator reports whether r can end a sentence.
func isTerminator(r rune) bool {
	switch r {
	case '.', '!', '?', '…', '؟', '۔', '‼', '⁇', '⁈', '⁉':
		return true
	}
	return false
}

// isCloser reports whether r is a closing quote or bracket that
// belongs to the sentence it follows.
func isCloser(r rune) bool {
	switch r {
	case '"', '\'', '”', '’', '»', '›', ')', ']', '}':
		return true
	}
	return false
}

// isStarter reports whether r can begin a sentence after a
// terminator.
func isStarter(r rune) bool {
	switch r {
	case '«', '"', '“', '‘', '\'', '„', '‚', '‹', '(', '[', '¿', '¡', '—', '–', '-', '•':
		return true
	}
	if unicode.IsUpper(r) || unicode.IsTitle(r) || unicode.IsDigit(r) {
		return true
	}
	// Letters of caseless scripts: Arabic, Hebrew, CJK…
	return unicode.IsLetter(r) && !unicode.IsLower(r)
}
