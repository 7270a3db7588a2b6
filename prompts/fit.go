package prompts

import (
	"strings"
	"unicode/utf8"

	"github.com/dalil-news/dalil/nlp"
)

// Fit returns the sources, in the given (relevance) order, with their
// texts cut to whole sentences (nlp.Sentences) so that the texts together
// hold at most budgetChars characters (runes); Title and the other fields
// are not counted, so leave room for them. When everything fits the texts
// are returned unchanged. Otherwise sentences are granted one at a time,
// round-robin from the most relevant source: each source keeps a prefix of
// its sentences, followed by Ellipsis (counted in the budget) when it was
// cut. Sources with blank text are always left out, and so is a source
// whose first sentence does not fit; Ns are kept, so the numbering may have
// gaps. The input slice is not modified.
func Fit(sources []Source, budgetChars int) []Source {
	total := 0
	var nonEmpty []Source
	for _, s := range sources {
		if strings.TrimSpace(s.Text) != "" {
			total += utf8.RuneCountInString(s.Text)
			nonEmpty = append(nonEmpty, s)
		}
	}
	if total <= budgetChars {
		return nonEmpty
	}
	sources = nonEmpty
	if budgetChars <= 0 {
		return nil
	}

	type fit struct {
		spans []nlp.Span
		kept  int // sentences granted
		raw   int // runes of the kept prefix
		size  int // runes granted: raw, plus Ellipsis when cut
		done  bool
	}
	fits := make([]fit, len(sources))
	for i, s := range sources {
		fits[i].spans = nlp.Sentences(s.Text)
		fits[i].done = len(fits[i].spans) == 0
	}
	ellipsis := utf8.RuneCountInString(Ellipsis)
	left := budgetChars
	for progress := true; progress; {
		progress = false
		for i := range fits {
			f := &fits[i]
			if f.done {
				continue
			}
			// The prefix with one more sentence, with Ellipsis unless that
			// sentence is the last.
			from := f.spans[0].Start
			if f.kept > 0 {
				from = f.spans[f.kept-1].End
			}
			next := f.kept + 1
			raw := f.raw + utf8.RuneCountInString(sources[i].Text[from:f.spans[next-1].End])
			size := raw
			if next < len(f.spans) {
				size += ellipsis
			}
			if size-f.size > left {
				f.done = true
				continue
			}
			left -= size - f.size
			f.kept, f.raw, f.size = next, raw, size
			f.done = next == len(f.spans)
			progress = true
		}
	}

	var out []Source
	for i, s := range sources {
		f := fits[i]
		if f.kept == 0 {
			continue
		}
		text := s.Text[f.spans[0].Start:f.spans[f.kept-1].End]
		if f.kept < len(f.spans) {
			text += Ellipsis
		}
		s.Text = text
		out = append(out, s)
	}
	return out
}
