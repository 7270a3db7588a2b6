package lexicon

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// minStem is the fewest letters a reduced form keeps.
const minStem = 3

// forms returns the folded word w followed by its reduced forms, most
// likely first: inflectional endings of English and French for Latin
// script; clitics, the article and light10's suffixes for Arabic.
func forms(w string) []string {
	if isArabic(w) {
		return arabicForms(w)
	}
	return latinForms(w)
}

// isArabic reports whether the word w starts with an Arabic letter.
func isArabic(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return r >= 0x600 && r <= 0x6FF
}

// latinSuffixes lists endings and their replacements, tried in order;
// several may apply ("boxes": "boxe", "box").
var latinSuffixes = [...][2]string{
	{"ies", "y"}, {"ied", "y"}, {"aux", "al"}, {"eaux", "eau"},
	{"euses", "eux"}, {"euse", "eux"}, {"ives", "if"}, {"ive", "if"},
	{"elles", "el"}, {"elle", "el"}, {"ennes", "en"}, {"enne", "en"},
	{"ieres", "ier"}, {"iere", "ier"}, {"eres", "er"}, {"ere", "er"},
	{"ettes", "et"}, {"ette", "et"},
	{"ees", "e"}, {"ee", "e"}, {"ees", "er"}, {"ee", "er"}, {"es", "er"}, {"e", "er"},
	{"s", ""}, {"es", ""}, {"x", ""}, {"e", ""},
	{"ed", ""}, {"ed", "e"}, {"ing", ""}, {"ing", "e"}, {"ly", ""},
}

// latinForms returns w, then the forms left by latinSuffixes, then those
// forms without a doubled final consonant ("stopped" → "stopp" → "stop").
func latinForms(w string) []string {
	out := []string{w}
	for _, s := range latinSuffixes {
		stem, ok := strings.CutSuffix(w, s[0])
		if !ok || utf8.RuneCountInString(stem) < minStem {
			continue
		}
		out = appendNew(out, stem+s[1])
		if n := len(stem); s[1] == "" && n >= 2 && stem[n-1] == stem[n-2] && !strings.ContainsRune("aeiousl", rune(stem[n-1])) {
			out = appendNew(out, stem[:n-1])
		}
	}
	return out
}

// Folded Arabic clitics and affixes (nlp.Fold turns ة into ه).
var (
	// arabicArticles are the definite article and the particles fused
	// with it; stripping one may leave the bare word or the word with ال.
	arabicArticles = [...]string{"وال", "بال", "كال", "فال", "لل", "ال"}
	// arabicProclitics are single-letter conjunctions and prepositions.
	arabicProclitics = [...]string{"و", "ف", "ب", "ل", "ك"}
	// arabicSuffixes are light10's suffixes and the pronoun suffixes.
	arabicSuffixes = [...]string{"هما", "كم", "هم", "هن", "ها", "نا", "ات", "ون", "ين", "ان", "يه", "ه", "ي"}
)

// arabicLetters counts the letters of an Arabic word.
func arabicLetters(s string) int { return utf8.RuneCountInString(s) }

// arabicForms returns w, then w without its proclitics and article (each
// both bare and with ال, since dictionaries list both: arabicBases), then
// each of those without one suffix (a plural ات also as the singular in
// ة).
func arabicForms(w string) []string {
	bases := arabicBases(w)
	out := slices.Clone(bases)
	for _, b := range bases {
		for _, s := range arabicSuffixes {
			stem, ok := strings.CutSuffix(b, s)
			if !ok || arabicLetters(strings.TrimPrefix(stem, "ال")) < 2 {
				continue
			}
			out = appendNew(out, stem)
			if s == "ات" {
				out = appendNew(out, stem+"ه") // جامعات → جامعه
			} else if t, ok := strings.CutSuffix(stem, "ت"); ok {
				out = appendNew(out, t+"ه") // مدرستها → مدرسه
			}
		}
	}
	return out
}

// arabicBases returns the folded Arabic word w, then w without its
// proclitics and article, each both bare and with ال: "بالمنزل" gives
// المنزل and منزل; a verb without the future's س (سيسمح: يسمح).
func arabicBases(w string) []string {
	bases := []string{w}
	add := func(stem string, article bool) {
		if arabicLetters(stem) < 2 {
			return
		}
		bases = appendNew(bases, stem)
		if article {
			bases = appendNew(bases, "ال"+stem)
		}
	}
	rest := w
	if r, ok := cutAny(rest, arabicProclitics[:]); ok && arabicLetters(r) >= minStem {
		add(r, false)
		rest = r
	}
	// The future's س before an imperfect verb of three or more root
	// letters: سيسمح is يسمح (not سالم, ستين).
	if r, ok := strings.CutPrefix(rest, "س"); ok && arabicLetters(rest) >= 5 && strings.ContainsRune("يتن", []rune(r)[0]) {
		add(r, false)
	}
	if r, ok := cutAny(rest, arabicArticles[:]); ok {
		add(r, true)
		rest = r
	} else if rest != w {
		add("ال"+rest, false)
	}
	if !strings.HasPrefix(w, "ال") && rest == w {
		add("ال"+w, false)
	}
	return bases
}

// cutAny removes the first of prefixes that w starts with.
func cutAny(w string, prefixes []string) (string, bool) {
	for _, p := range prefixes {
		if r, ok := strings.CutPrefix(w, p); ok {
			return r, true
		}
	}
	return w, false
}

// appendNew appends s to list unless list holds it already.
func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
