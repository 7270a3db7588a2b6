package insights

import (
	"cmp"
	"slices"

	"github.com/dalil-news/dalil/nlp"
)

// maxQuestionRunes cuts the questions a report shows, and maxVariants
// bounds the phrasings listed with a topic.
const (
	maxQuestionRunes = 300
	maxVariants      = 5
)

// topic is a Topic being built, with its question's content words.
type topic struct {
	Topic
	words map[string]bool
}

// topics groups questions (most asked first, as the store returns them)
// into topics: a question joins the first topic whose question's content
// words (see contentWords) overlap its own by a Jaccard index of at least
// mergeAt, or starts a topic. It returns the n most asked, then most
// recently asked, topics.
func topics(qs []Question, mergeAt float64, n int) []Topic {
	var ts []*topic
	for _, q := range qs {
		words := contentWords(q.Text)
		text := nlp.OneLine(q.Text, maxQuestionRunes)
		i := slices.IndexFunc(ts, func(t *topic) bool { return jaccard(t.words, words) >= mergeAt })
		if i < 0 {
			ts = append(ts, &topic{Topic: Topic{Question: text, Count: q.Count, Langs: sortedLangs(q.Langs, nil),
				Variants: []string{}, LastAsked: q.LastAsked}, words: words})
			continue
		}
		t := ts[i]
		t.Count += q.Count
		t.Langs = sortedLangs(t.Langs, q.Langs)
		if q.LastAsked.After(t.LastAsked) {
			t.LastAsked = q.LastAsked
		}
		if len(t.Variants) < maxVariants && text != t.Question && !slices.Contains(t.Variants, text) {
			t.Variants = append(t.Variants, text)
		}
	}
	slices.SortStableFunc(ts, func(a, b *topic) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), b.LastAsked.Compare(a.LastAsked))
	})
	out := []Topic{}
	for _, t := range ts[:min(n, len(ts))] {
		if t.Langs == nil {
			t.Langs = []string{}
		}
		out = append(out, t.Topic)
	}
	return out
}

// contentWords is the set of the content words of a question: its words
// (nlp.Terms) without stop words, folded (nlp.Fold) and stemmed (nlp.Stem).
func contentWords(s string) map[string]bool {
	set := map[string]bool{}
	for _, t := range nlp.Terms(s) {
		set[string(nlp.Stem([]byte(nlp.Fold(t))))] = true
	}
	return set
}

// jaccard is the Jaccard index of two sets: the size of their intersection
// over that of their union; 0 when both are empty.
func jaccard(a, b map[string]bool) float64 {
	common := 0
	for w := range a {
		if b[w] {
			common++
		}
	}
	union := len(a) + len(b) - common
	if union == 0 {
		return 0
	}
	return float64(common) / float64(union)
}
