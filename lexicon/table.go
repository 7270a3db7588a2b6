package lexicon

import (
	"cmp"
	"slices"
	"strings"

	"github.com/dalil-news/dalil/nlp"
)

// table maps folded headwords to their folded translations, best first.
type table struct {
	entries map[string][]string
	// stems maps the nlp.Stem of each headword to the headwords with that
	// stem, the shortest first: the last resort of a lookup.
	stems map[string][]string
	// words is the most words in a headword (for phrase lookups).
	words int
}

// newTable returns an empty table sized for n headwords.
func newTable(n int) *table {
	return &table{entries: make(map[string][]string, n)}
}

// add appends tr to the translations of head, unless it is there already.
func (t *table) add(head, tr string) {
	t.entries[head] = appendNew(t.entries[head], tr)
}

// countWords counts the words of the longest headword; a table looked up
// by whole words only (core.tsv's) is read-only afterwards.
func (t *table) countWords() *table {
	t.words = 1
	for head := range t.entries {
		t.words = max(t.words, strings.Count(head, " ")+1)
	}
	return t
}

// finish counts the headwords' words and indexes them by stem (byStem);
// the table is read-only afterwards.
func (t *table) finish() *table {
	t.countWords()
	t.stems = make(map[string][]string, len(t.entries))
	for head := range t.entries {
		if !strings.Contains(head, " ") {
			stem := string(nlp.Stem([]byte(head)))
			t.stems[stem] = append(t.stems[stem], head)
		}
	}
	for _, heads := range t.stems {
		slices.SortFunc(heads, func(a, b string) int {
			return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b))
		})
	}
	return t
}

// minStemBytes is the shortest stem byStem looks up: four Latin letters,
// two Arabic ones (shorter stems join unrelated words).
const minStemBytes = 4

// get returns the translations of headword w.
func (t *table) get(w string) []string {
	if t == nil {
		return nil
	}
	return t.entries[w]
}

// byStem returns the translations of the headwords whose stem is w's, the
// closest in length to w's first, up to MaxAlternatives.
func (t *table) byStem(w string) []string {
	if t == nil {
		return nil
	}
	stem := nlp.Stem([]byte(w))
	if len(stem) < minStemBytes {
		return nil
	}
	var out []string
	for _, head := range t.stems[string(stem)] {
		if out = merge(out, t.entries[head]); len(out) >= MaxAlternatives {
			break
		}
	}
	return out
}

// maxWords returns the most words in a headword, 0 for no table.
func (t *table) maxWords() int {
	if t == nil {
		return 0
	}
	return t.words
}

// has reports whether w, or one of its reduced forms, is a headword.
func (t *table) has(w string) bool {
	if _, ok := t.entries[w]; ok {
		return true
	}
	for _, f := range forms(w) {
		if _, ok := t.entries[f]; ok {
			return true
		}
	}
	return false
}
