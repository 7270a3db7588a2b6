package lexicon

import (
	_ "embed"
	"slices"
	"strings"
	"unicode"

	"github.com/dalil-news/dalil/nlp"
)

//go:embed glossary.txt
var glossaryText string

// glossary holds the groups of equivalent terms of glossary.txt, folded.
var glossary = parseGlossary(glossaryText)

func parseGlossary(text string) [][]string {
	var groups [][]string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var g []string
		for _, t := range strings.Split(line, "|") {
			if t = glossaryFold(t); t != "" {
				g = append(g, t)
			}
		}
		groups = append(groups, g)
	}
	return groups
}

// glossaryFold lower-cases, folds accents and turns everything but letters
// and digits into single spaces, with a space at each end so that terms
// match whole words by plain substring search. An Arabic word's
// conjunction or preposition fused with the article is cut off, leaving
// the article, as the glossary writes its terms: للذكاء is الذكاء.
func glossaryFold(s string) string {
	s = nlp.LightFold(s)
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	if len(words) == 0 {
		return ""
	}
	for i, w := range words {
		if r, ok := cutAny(w, []string{"وال", "بال", "كال", "فال"}); ok && arabicLetters(r) >= 2 {
			words[i] = "ال" + r
		} else if r, ok := strings.CutPrefix(w, "لل"); ok && arabicLetters(r) >= 2 {
			words[i] = "ال" + r
		}
	}
	return " " + strings.Join(words, " ") + " "
}

// glossaryGroups returns the glossary's groups whose terms text holds, in
// the glossary's order.
func glossaryGroups(text string) [][]string {
	folded := glossaryFold(strings.ReplaceAll(text, "'s ", " "))
	var out [][]string
	for _, g := range glossary {
		if slices.ContainsFunc(g, func(t string) bool { return strings.Contains(folded, t) }) {
			out = append(out, g)
		}
	}
	return out
}

// ExpandQuery appends to a query the equivalents, in the other languages,
// of the glossary terms it contains ("Morocco's AI" gains "maroc المغرب
// ia"), so that both search legs can match articles written in another
// language than the question. A query without glossary terms is returned
// unchanged.
func ExpandQuery(query string) string {
	folded := glossaryFold(strings.ReplaceAll(query, "'s ", " "))
	var extra []string
	for _, g := range glossaryGroups(query) {
		for _, t := range g {
			if !strings.Contains(folded, t) {
				extra = append(extra, strings.TrimSpace(t))
			}
		}
	}
	if len(extra) == 0 {
		return query
	}
	return query + " " + strings.Join(extra, " ")
}
