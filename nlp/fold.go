package nlp

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// latinFoldSize covers Latin-1 Supplement and Latin Extended-A and -B.
const latinFoldSize = 0x250

// latinFold maps each rune below latinFoldSize to its folded form.
var latinFold = func() (t [latinFoldSize]rune) {
	for r := range rune(latinFoldSize) {
		t[r] = foldLatin(r)
	}
	return t
}()

// foldLatin lower-cases r and removes its diacritics (é → e, Ç → c).
func foldLatin(r rune) rune {
	r = unicode.ToLower(r)
	var base rune = -1
	for _, d := range norm.NFD.String(string(r)) {
		if unicode.Is(unicode.Mn, d) {
			continue
		}
		if base != -1 {
			return r // a ligature or compatibility form: keep as is
		}
		base = d
	}
	if base == -1 {
		return r
	}
	return base
}

// AppendFold appends to b the folded form of the letter r: lower-cased,
// without accents (é → e, œ → oe, ß → ss), with the Arabic letter variants
// normalized (آ أ إ ٱ → ا, ى → ي, ة → ه). Callers skip combining marks and
// tatweel themselves (see IsIgnorable).
func AppendFold(b []byte, r rune) []byte {
	switch {
	case r < 0x80:
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return append(b, byte(r))
	case r < latinFoldSize:
		switch r {
		case 'œ', 'Œ':
			return append(b, 'o', 'e')
		case 'æ', 'Æ':
			return append(b, 'a', 'e')
		case 'ß':
			return append(b, 's', 's')
		}
		r = latinFold[r]
	case 0x600 <= r && r <= 0x6FF:
		switch r {
		case 0x622, 0x623, 0x625, 0x671: // آ أ إ ٱ → ا
			r = 0x627
		case 0x649: // ى → ي
			r = 0x64A
		case 0x629: // ة → ه
			r = 0x647
		}
	default:
		r = unicode.ToLower(r)
	}
	return utf8.AppendRune(b, r)
}

// IsIgnorable reports whether r is left out of folded text: a combining
// mark (accents, Arabic short vowels and shadda) or the Arabic tatweel.
func IsIgnorable(r rune) bool {
	return r == 0x640 || unicode.Is(unicode.Mn, r)
}

// Fold returns s with every rune folded as AppendFold does and the
// ignorable ones (IsIgnorable) dropped: "Élèves" → "eleves",
// "الأُسبوع" → "الاسبوع". The offline embedder and the date-phrase parser
// compare words by it; see LightFold for text bound for PostgreSQL.
func Fold(s string) string {
	buf := make([]byte, 0, len(s))
	for _, r := range s {
		if !IsIgnorable(r) {
			buf = AppendFold(buf, r)
		}
	}
	return string(buf)
}

// lightFold maps accented Latin letters to their base letter, the
// typographic apostrophe to the ASCII one, and drops the tatweel.
var lightFold = strings.NewReplacer(
	"à", "a", "â", "a", "ä", "a", "á", "a", "ã", "a",
	"é", "e", "è", "e", "ê", "e", "ë", "e",
	"î", "i", "ï", "i", "í", "i", "ì", "i",
	"ô", "o", "ö", "o", "ó", "o", "ò", "o", "õ", "o",
	"ù", "u", "û", "u", "ü", "u", "ú", "u",
	"ç", "c", "ñ", "n", "œ", "oe", "æ", "ae", "ÿ", "y",
	"’", "'", "ـ", "",
)

// LightFold lower-cases s and removes the accents of Latin letters
// ("Élèves" → "eleves"), but keeps Arabic letters as written: its result
// (the terms of a question, glossary equivalents) goes to PostgreSQL's
// full-text search, whose Arabic configuration does not fold ة into ه or
// أ into ا. Fold is the full normalization, for comparisons within dalil.
func LightFold(s string) string {
	return lightFold.Replace(strings.ToLower(s))
}

// Digit returns the value of an ASCII, Arabic-Indic (٠-٩), extended
// Arabic-Indic (۰-۹) or full-width (０-９) digit, or -1 for any other rune.
func Digit(r rune) int {
	switch {
	case r >= '0' && r <= '9':
		return int(r - '0')
	case r >= '٠' && r <= '٩':
		return int(r - '٠')
	case r >= '۰' && r <= '۹':
		return int(r - '۰')
	case r >= '０' && r <= '９':
		return int(r - '０')
	}
	return -1
}
