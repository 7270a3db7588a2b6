package nlp

import (
	"strings"
	"unicode"
)

// Stop words that tell French from English; words common to both ("a",
// "on", "as") are left out. Question words count twice: a short question
// has few stop words ("Who acts as regent?").
var (
	frenchWords     = wordSet("le la les un une des du de et est en dans pour que ne se pas sur au aux avec ce cette ces il elle ils elles nous vous son sa ses leur leurs par plus mais ou été être sont ont avait fait comme aussi très entre dont même selon après avant lors sans sous chez tout tous")
	englishWords    = wordSet("the of and to is in that it for with was were be been are this these those by from at an have has had not but or will would their there they he she his her its our we you can could should into than then also about after before between more most other such only new said do does did don't doesn't didn't isn't aren't wasn't weren't it's that's there's many much")
	frenchQuestion  = wordSet("qui qu où quel quelle quels quelles lequel laquelle lesquels lesquelles pourquoi combien quand")
	englishQuestion = wordSet("what when where why how who whose whom which what's who's where's how's")
)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// DetectLang guesses the language of text: "ar" when Arabic script makes
// up most letters (at least four), else "fr" or "en" by counting each
// language's stop and question words (French accents count for French).
// It returns "" when the text is too short or the evidence unclear.
func DetectLang(text string) string {
	letters, arabic := countLetters(text)
	if arabic*2 > letters && arabic >= 4 {
		return "ar"
	}
	if letters < 12 {
		return ""
	}
	fr, en, words := 0, 0, 0
	// A hyphenated word is one word: the "how" of "know-how" is no question.
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\'' && r != '-'
	}) {
		words++
		if i := strings.LastIndexAny(w, "'’"); i >= 0 && !englishWords[w] && !englishQuestion[w] {
			w = w[i+1:] // l'article → article, d'une → une
		}
		switch {
		case frenchQuestion[w]:
			fr += 2
		case englishQuestion[w]:
			en += 2
		case frenchWords[w]:
			fr++
		case englishWords[w]:
			en++
		}
		if strings.ContainsAny(w, "éèêàçùâîôû") {
			fr++
		}
	}
	switch {
	case words < 3 || fr+en < 2:
		return ""
	case fr >= 2*en+1:
		return "fr"
	case en >= 2*fr+1:
		return "en"
	}
	return ""
}

// countLetters counts the letters of text and, among them, the Arabic ones.
func countLetters(text string) (letters, arabic int) {
	for _, r := range text {
		if unicode.IsLetter(r) {
			letters++
			if unicode.Is(unicode.Arabic, r) {
				arabic++
			}
		}
	}
	return letters, arabic
}

// NormalizeLang reduces a language tag ("fr-FR", "EN_us") to dalil's
// ISO 639-1 codes, "" for others.
func NormalizeLang(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	switch tag {
	case "fr", "en", "ar":
		return tag
	}
	return ""
}

// ChooseLang prefers what the text says over a declaration: pages often
// declare a template's language (a French article under lang="en").
func ChooseLang(declared, text string) string {
	if d := DetectLang(text); d != "" {
		return d
	}
	return NormalizeLang(declared)
}
