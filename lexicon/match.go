package lexicon

import (
	"slices"
	"strings"
	"unicode"

	"github.com/dalil-news/dalil/nlp"
)

// Untranslated returns a Term without translations for each content word
// of query that no term holds (the dictionaries had no translation for
// it, nor a cognate), so that a text is judged on every word of the
// question, and credited when it holds the word itself (a name,
// "Homemade").
func Untranslated(terms []Term, query string) []Term {
	var out []Term
	held := map[string]bool{}
	for _, t := range terms {
		for _, w := range strings.FieldsFunc(t.Source, notWordRune) {
			held[nlp.Singular(w)] = true
		}
	}
	for _, w := range nlp.Terms(query) {
		if f := nlp.Singular(nlp.Fold(w)); !held[f] {
			held[f] = true
			out = append(out, Term{Source: f})
		}
	}
	return out
}

// WordSet is the set of the folded (nlp.Fold), singular (nlp.Singular)
// words of a text, for matching translations against it. An Arabic word
// is also there without its proclitics and article, bare and with ال
// (arabicBases), so that بالمنزل holds the translation المنزل.
type WordSet map[string]bool

// Words returns the WordSet of text.
func Words(text string) WordSet {
	set := WordSet{}
	for _, w := range strings.FieldsFunc(nlp.Fold(text), notWordRune) {
		w = asciiDigits(w) // as a question's numbers are carried (newToken)
		if isArabic(w) {
			for _, b := range arabicBases(w) {
				set[b] = true
			}
			continue
		}
		set[nlp.Singular(w)] = true
	}
	return set
}

// asciiDigits writes w's digits, Arabic-Indic ones too, in ASCII.
func asciiDigits(w string) string {
	return strings.Map(func(r rune) rune {
		if d := nlp.Digit(r); d >= 0 {
			return rune('0' + d)
		}
		return r
	}, w)
}

// notWordRune separates words: anything but letters and digits.
func notWordRune(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

// Coverage is the share of terms found in words: a term is found when its
// source word, or every word of one of its translations, is there, or,
// for a name carried over, when held (the glossary's groups the text
// holds) has a group with that name (foundWith: AI is IA). A Guessed term
// counts only when found: its cognates are guesses, and a text lacking
// them may still hold the word. It is 0 without terms.
func Coverage(terms []Term, words WordSet, held [][]string) float64 {
	found, n := 0, 0
	for _, t := range terms {
		switch {
		case t.foundWith(words, held):
			found++
			n++
		case !t.Guessed:
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return float64(found) / float64(n)
}

// foundWith reports whether t is in words or, for a name carried over
// that the glossary translates (AI: IA), in one of the glossary's groups
// the text holds (held, from glossaryGroups).
func (t Term) foundWith(words WordSet, held [][]string) bool {
	return t.foundIn(words) ||
		t.Carried && slices.ContainsFunc(held, func(g []string) bool { return slices.Contains(g, " "+t.Source+" ") })
}

// foundIn reports whether t's source word or one of its translations is
// in words.
func (t Term) foundIn(words WordSet) bool {
	if words[nlp.Singular(t.Source)] {
		return true
	}
	for _, alt := range t.Alternatives {
		all := true
		for _, w := range strings.FieldsFunc(alt, notWordRune) {
			if !words[nlp.Singular(w)] {
				all = false
				break
			}
		}
		if all && alt != "" {
			return true
		}
	}
	return false
}
