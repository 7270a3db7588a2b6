package lexicon

import (
	"slices"
	"strings"

	"github.com/dalil-news/dalil/nlp"
)

// Translation is a question's translations into other languages:
// structured ones from the dictionaries (Terms) and whole ones from a chat
// model (Texts), keyed by language. A nil *Translation has none.
type Translation struct {
	Terms map[string][]Term
	Texts map[string]string
	// Untranslated holds, by language, the question's words Terms lacks
	// (see Untranslated).
	Untranslated map[string][]Term
}

// NewTranslation returns an empty Translation, ready for Merge.
func NewTranslation() *Translation {
	return &Translation{Terms: map[string][]Term{}, Texts: map[string]string{}, Untranslated: map[string][]Term{}}
}

// Merge adds u's translations to t's.
func (t *Translation) Merge(u *Translation) {
	if u == nil {
		return
	}
	for lang, terms := range u.Terms {
		t.Terms[lang] = append(t.Terms[lang], terms...)
	}
	for lang, terms := range u.Untranslated {
		t.Untranslated[lang] = append(t.Untranslated[lang], terms...)
	}
	for lang, text := range u.Texts {
		t.Texts[lang] = strings.TrimSpace(t.Texts[lang] + " " + text)
	}
}

// Coverage is how much of the question text, written in lang, says,
// judged on the question's translations into lang: the larger of the
// share of its translated words found and of the chat model's
// translation's content words found. It is 0 without translations into
// lang.
func (t *Translation) Coverage(lang, text string) float64 {
	if t == nil {
		return 0
	}
	return t.judge(lang, text, t.Terms[lang])
}

// Into reports whether t translates the question into lang: a passage in
// lang is then in another language than the question's.
func (t *Translation) Into(lang string) bool {
	return t != nil && len(t.Terms[lang]) > 0
}

// HoldsNames reports whether text, written in lang, holds every name and
// number the question carries into lang: its numbers, and into French or
// English its Latin-script names (a transliteration, from or into Arabic,
// is a guess: بيدن for Biden, where the passage writes بايدن). A passage
// holding half a question's translated words but not its "2030" or
// "iPhone" is about something else: no chunk holding such a word is what
// says the archive cannot answer.
func (t *Translation) HoldsNames(lang, text string) bool {
	return t.holds(text, func(into string, term Term) bool {
		return into == lang && term.Carried && (nlp.IsDigits(term.Source) || !isArabic(term.Source) && scriptOf(lang) != arabic)
	})
}

// HoldsCarried reports whether text, in any language, holds every word
// the question carries over as it is written rather than translated: its
// numbers, and its Latin-script words no dictionary knows (names,
// "Museveni", "iPhone"). A passage holding half a question's words but
// not its names ("What country did Yoweri Museveni study in?": a
// paragraph on a country's studies) is no sign that the question speaks
// the passage's language.
func (t *Translation) HoldsCarried(text string) bool {
	return t.holds(text, func(_ string, term Term) bool { return term.Carried && !isArabic(term.Source) })
}

// holds reports whether text holds every term of t that keep selects
// (given the language it is translated into), or, for a name the
// glossary translates (AI: IA), its equivalent.
func (t *Translation) holds(text string, keep func(into string, term Term) bool) bool {
	if t == nil {
		return true
	}
	var words WordSet
	for into, terms := range t.Terms {
		for _, term := range terms {
			if !keep(into, term) {
				continue
			}
			if words == nil {
				words = Words(text)
			}
			if !term.foundIn(words) && !term.foundWith(words, glossaryGroups(text)) {
				return false
			}
		}
	}
	return true
}

// SentenceCoverage is Coverage for choosing sentences to quote: judged on
// every word of the question, translated or not, so that a sentence
// holding one translated word of two does not beat one holding the
// question's words as they are.
func (t *Translation) SentenceCoverage(lang, text string) float64 {
	if t == nil {
		return 0
	}
	terms := slices.Concat(t.Terms[lang], t.Untranslated[lang])
	for i := range terms {
		terms[i].Guessed = false // a sentence lacking the word lacks it
	}
	return t.judge(lang, text, terms)
}

// judge is the larger of the share of terms found in text and of the
// chat model's translation into lang's content words found.
func (t *Translation) judge(lang, text string, terms []Term) float64 {
	if lang == "" {
		return 0
	}
	cov := 0.0
	if len(t.Terms[lang]) > 0 {
		words := Words(text)
		var held [][]string // the glossary's groups text holds, when needed
		if slices.ContainsFunc(terms, func(t Term) bool { return t.Carried && !t.foundIn(words) }) {
			held = glossaryGroups(text)
		}
		cov = Coverage(terms, words, held)
	}
	if tt := t.Texts[lang]; tt != "" {
		cov = max(cov, nlp.NewTermSet(tt).Coverage(nlp.NewTermSet(text)))
	}
	return cov
}

// groupAlternatives is how many translations of a word into one language
// its group in a structured query holds (Structured): they weigh as one
// word, so more of them cost little.
const groupAlternatives = 6

// vectorAlternatives is how many translations of a word the text to
// embed for a translation's vector search holds (VectorText): the first
// ones, the common senses (and, between English and French, after up to
// firstSenses of them, the word's cognates).
const vectorAlternatives = 3

// Part is a text in a language: a question or one script's part of a
// Darija question, or one language's forms of a word of a structured
// query.
type Part struct {
	Lang, Words string
	// Skeleton, in a structured query, is the consonant skeleton of an
	// Arabic name no dictionary knows (ArabicSkeleton): the archive's
	// Latin-script words of that skeleton join the part.
	Skeleton string
}

// Structured returns the structured query of the question parts over
// every language t translates them into: a group for each content word
// of parts, holding the word itself, in its part's language, and its
// translations into each other language (Terms: dictionary senses,
// cognates; the first groupAlternatives), a part each; a phrase the dictionaries translate whole is a group of
// its own, and so is each glossary concept the question names (see
// ExpandQuery), its terms a part each (of no known language when in
// Latin script: the glossary does not say which). It returns nil without
// dictionary translations.
func (t *Translation) Structured(parts []Part) [][]Part {
	if !t.translated() {
		return nil
	}
	var groups [][]Part
	index := map[string]int{}
	add := func(key string, p Part) {
		i, ok := index[key]
		if !ok {
			i = len(groups)
			index[key] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], p)
	}
	for _, p := range parts {
		for _, w := range nlp.Terms(p.Words) {
			if _, ok := index[groupKey(w)]; !ok {
				add(groupKey(w), Part{Lang: p.Lang, Words: w})
			}
		}
	}
	for _, lang := range languages {
		for _, term := range t.Terms[lang] {
			if n := min(len(term.Alternatives), groupAlternatives); n > 0 {
				p := Part{Lang: lang, Words: strings.Join(term.Alternatives[:n], " ")}
				if term.Carried && scriptOf(lang) == latin && isArabic(term.Source) {
					p.Skeleton = ArabicSkeleton(term.Source)
				}
				add(groupKey(term.Source), p)
			}
		}
	}
	for _, p := range parts {
		for _, g := range glossaryGroups(p.Words) {
			key := "glossary:" + g[0]
			if _, ok := index[key]; ok {
				continue
			}
			for _, term := range g {
				lang := ""
				if isArabic(strings.TrimSpace(term)) {
					lang = "ar"
				}
				add(key, Part{Lang: lang, Words: strings.TrimSpace(term)})
			}
		}
	}
	return groups
}

// translated reports whether t holds a dictionary translation.
func (t *Translation) translated() bool {
	if t == nil {
		return false
	}
	for _, terms := range t.Terms {
		for _, term := range terms {
			if len(term.Alternatives) > 0 {
				return true
			}
		}
	}
	return false
}

// groupKey is the key of a question's word or phrase among the groups of
// its structured query: its content words (nlp.Terms), each folded
// (nlp.Fold) and singular, so that a dictionary's "الحكومه" is the
// question's "حكومة".
func groupKey(s string) string {
	ts := nlp.Terms(s)
	for i, w := range ts {
		ts[i] = nlp.Singular(nlp.Fold(w))
	}
	if len(ts) == 0 {
		return nlp.Fold(s)
	}
	return strings.Join(ts, " ")
}

// VectorText is the text to embed for a vector search of the question's
// dictionary translation into lang: each word's first vectorAlternatives
// translations, in the question's order ("" without any).
func (t *Translation) VectorText(lang string) string {
	if t == nil {
		return ""
	}
	var words []string
	for _, term := range t.Terms[lang] {
		words = append(words, term.Alternatives[:min(len(term.Alternatives), vectorAlternatives)]...)
	}
	return strings.Join(words, " ")
}
