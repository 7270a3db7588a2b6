package lexicon

import (
	_ "embed"
	"fmt"
	"strings"
)

//go:embed core.tsv
var coreText string

// coreLanguages are the columns of core.tsv, in order.
var coreLanguages = [...]string{"ar", "fr", "en"}

// core reads core.tsv, dalil's own vocabulary of common news and
// encyclopedic words and multi-word terms in Arabic, French and English
// (one concept a line, each language's forms
// separated by "|", the common ones first), into one direction for each
// ordered pair of its languages, each form leading to the other
// language's forms. FreeDict's ara-eng translates many a common word
// badly or not at all (مدينة: polis, ماء: miaowed, كتاب: casebook), and
// an Arabic question's words then reached French only by chance; eng-fra
// and fra-eng hold 9k words between them.
func core(text string) (map[[2]string]*direction, error) {
	entries := map[[2]string][]rawEntry{}
	for n, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, "\t")
		if len(fields) != len(coreLanguages) {
			return nil, fmt.Errorf("core.tsv:%d: %d fields, want %d (Arabic, French, English)", n+1, len(fields), len(coreLanguages))
		}
		var forms [len(coreLanguages)][]string
		for i, f := range fields {
			for form := range strings.SplitSeq(f, "|") {
				if w := cleanSense(form, scriptOf(coreLanguages[i]), isParticle); w != "" {
					forms[i] = appendNew(forms[i], w)
				}
			}
		}
		// A language whose forms are all stop words (more|most) has none.
		for i, from := range coreLanguages {
			for j, to := range coreLanguages {
				if i != j && len(forms[i]) > 0 && len(forms[j]) > 0 {
					key := [2]string{from, to}
					entries[key] = append(entries[key], rawEntry{heads: forms[i], senses: forms[j]})
				}
			}
		}
	}
	out := map[[2]string]*direction{}
	for key, es := range entries {
		// Looked up by whole words only (find's byStem is false): no stems.
		out[key] = &direction{fwd: fill(es).countWords()}
	}
	return out, nil
}
