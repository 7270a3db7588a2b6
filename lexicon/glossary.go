package lexicon

import (
	_ "embed"
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
// match whole words by plain substring search.
func glossaryFold(s string) string {
	s = nlp.LightFold(s)
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	if len(words) == 0 {
		return ""
	}
	return " " + strings.Join(words, " ") + " "
}

// ExpandQuery appends to a query the equivalents, in the other languages,
// of the glossary terms it contains ("Morocco's AI" gains "maroc المغرب
// ia"), so that both search legs can match articles written in another
// language than the question. A query without glossary terms is returned
// unchanged.
func ExpandQuery(query string) string {
	folded := glossaryFold(strings.ReplaceAll(query, "'s ", " "))
	var extra []string
	for _, g := range glossary {
		found := false
		for _, t := range g {
			if strings.Contains(folded, t) {
				found = true
				break
			}
		}
		if !found {
			continue
		}
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
