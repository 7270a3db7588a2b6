// Package cite checks the citation markers of an answer written from
// numbered sources: it drops invalid numbers, renumbers the valid ones in
// order of use and removes the sentences that cite nothing.
package cite

import (
	"bytes"
	"iter"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dalil-news/dalil/nlp"
)

// Checked is an answer text with its citations checked and renumbered.
type Checked struct {
	// Text is the answer with every marker renumbered and rewritten as [1],
	// [1][2]…, and every sentence without a valid citation removed. It is
	// empty when nothing cited remains; the caller then falls back to an
	// extractive answer.
	Text string
	// Sources holds the original source numbers in their new order:
	// Sources[0] is the new [1].
	Sources []int
	// Dropped holds the invalid numbers seen (outside 1..nSources), once
	// each, in order of appearance.
	Dropped []int
	// Uncited holds the sentences removed for having no valid citation,
	// trimmed, in order.
	Uncited []string
}

// maxRange is the longest range [n-m] that expands to every number in
// it; a longer or reversed range cites only its two ends.
const maxRange = 20

// maxDigits bounds the digits of a cited number; longer runs are not
// citations.
const maxDigits = 6

// Check checks the citation markers of an answer written from
// numbered sources 1..nSources.
//
// Markers are [n], [n, m], [n,m], [n; m], [n-m] and their combinations, with
// optional spaces inside, full-width brackets ［］ and ASCII, Arabic-Indic or
// full-width digits. A range n-m with n ≤ m spanning at most 20 numbers cites
// all of them; another range cites its two ends. Brackets followed by "(" are
// a Markdown link, not a citation. Numbers outside 1..nSources are dropped
// (listed in Dropped); valid ones are renumbered 1..k in order of first use,
// and each run of markers separated only by spaces is rewritten as one
// canonical run, "[1][2]", sorted and without repeats; a run left with no
// valid number is removed with the space before it.
//
// The rule for sentences is simple: every sentence (see nlp.Sentences), in every
// line, must carry a valid citation, or it is removed and listed in Uncited.
// A marker run that starts a sentence belongs to the sentence before it on
// the same line ("Claim. [1] Next…" cites Claim). Pieces without a letter or
// digit (a stray "—") are removed silently when uncited. Line structure is
// kept: bullets, numbering, headings ("#") and quote marks (">") at the start
// of a line stay in front of what remains of the line; lines left empty
// disappear; blank lines between paragraphs are kept, one at most. When no
// sentence carries a valid citation, Text is "".
func Check(text string, nSources int) Checked {
	text = strings.ToValidUTF8(text, "\uFFFD")
	c := checker{n: nSources, renum: map[int]int{}, dropped: map[int]bool{}}
	var lines []string
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimRightFunc(line, unicode.IsSpace)
		if line == "" {
			lines = append(lines, "")
			continue
		}
		prefix, body := splitPrefix(line)
		if out := c.line(body); out != "" {
			lines = append(lines, prefix+out)
		}
	}
	var b strings.Builder
	blank := false
	for _, l := range lines {
		if l == "" {
			blank = b.Len() > 0
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
			if blank {
				b.WriteByte('\n')
			}
		}
		b.WriteString(l)
		blank = false
	}
	c.out.Text = neutralize(b.String(), len(c.out.Sources))
	return c.out
}

// Has reports whether s contains a citation marker such as [1] or
// [2, 3], whatever its numbers.
func Has(s string) bool {
	for range markers(s) {
		return true
	}
	return false
}

// checker carries the renumbering across the lines of one answer.
type checker struct {
	n       int
	renum   map[int]int // original number → new number
	dropped map[int]bool
	out     Checked
}

// group is a run of markers separated only by horizontal spaces, with
// the numbers they cite in order.
type group struct {
	start, end int
	nums       []int
}

// line checks one line (without its bullet) and returns what remains of it.
func (c *checker) line(body string) string {
	groups := markerGroups(body)
	var out []byte
	gi := 0
	for _, seg := range segments(body, groups) {
		first := gi
		for gi < len(groups) && groups[gi].start < seg.End {
			gi++
		}
		segGroups := groups[first:gi]
		valid := false
		for _, g := range segGroups {
			for _, n := range g.nums {
				if n >= 1 && n <= c.n {
					valid = true
				} else if !c.dropped[n] {
					c.dropped[n] = true
					c.out.Dropped = append(c.out.Dropped, n)
				}
			}
		}
		if !valid {
			if hasWord(body, seg, segGroups) {
				c.out.Uncited = append(c.out.Uncited, strings.TrimSpace(body[seg.Start:seg.End]))
			}
			continue
		}
		out = c.rewrite(out, body, seg, segGroups)
	}
	return strings.TrimRightFunc(string(out), unicode.IsSpace)
}

// rewrite appends body[seg] to out with its marker groups renumbered.
func (c *checker) rewrite(out []byte, body string, seg nlp.Span, groups []group) []byte {
	pos := seg.Start
	for _, g := range groups {
		out = append(out, body[pos:g.start]...)
		pos = g.end
		var news []int
		for _, n := range g.nums {
			if n < 1 || n > c.n {
				continue
			}
			k, ok := c.renum[n]
			if !ok {
				c.out.Sources = append(c.out.Sources, n)
				k = len(c.out.Sources)
				c.renum[n] = k
			}
			news = append(news, k)
		}
		if len(news) == 0 {
			// Remove the group and the space before it; at the start of
			// the line, the space after it.
			out = bytes.TrimRightFunc(out, isSpace)
			if len(out) == 0 {
				pos = skipSpaces(body, pos)
			}
			continue
		}
		slices.Sort(news)
		for _, k := range slices.Compact(news) {
			out = append(out, '[')
			out = strconv.AppendInt(out, int64(k), 10)
			out = append(out, ']')
		}
	}
	return append(out, body[pos:seg.End]...)
}

// segments partitions body into one piece per sentence, each with the
// spaces that follow it; a marker group that starts a sentence moves to the
// piece before.
func segments(body string, groups []group) []nlp.Span {
	spans := nlp.Sentences(body)
	bounds := []int{0}
	gi := 0
	for k := 1; k < len(spans); k++ {
		b := max(spans[k].Start, bounds[len(bounds)-1])
		for gi < len(groups) && groups[gi].start < b {
			gi++
		}
		if gi > 0 && groups[gi-1].end > b {
			b = groups[gi-1].end // never split a group
		} else if gi < len(groups) && groups[gi].start == b {
			b = groups[gi].end
		}
		if b > bounds[len(bounds)-1] && b < len(body) {
			bounds = append(bounds, b)
		}
	}
	segs := make([]nlp.Span, len(bounds))
	for k, b := range bounds {
		end := len(body)
		if k+1 < len(bounds) {
			end = bounds[k+1]
		}
		segs[k] = nlp.Span{Start: b, End: end}
	}
	return segs
}

// hasWord reports whether body[seg], outside its marker groups, has a
// letter or a digit.
func hasWord(body string, seg nlp.Span, groups []group) bool {
	pos := seg.Start
	has := func(s string) bool { return strings.IndexFunc(s, isWordRune) >= 0 }
	for _, g := range groups {
		if has(body[pos:g.start]) {
			return true
		}
		pos = g.end
	}
	return has(body[pos:seg.End])
}

// isWordRune reports whether r is a letter or a digit.
func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// splitPrefix splits a line into its leading indentation and list,
// heading or quote mark (with the spaces after it), and the rest.
func splitPrefix(line string) (prefix, body string) {
	i := skipSpaces(line, 0)
	rest := line[i:]
	mark := 0
	switch {
	case strings.HasPrefix(rest, ">"):
		mark = 1
	case strings.HasPrefix(rest, "#"):
		mark = len(rest) - len(strings.TrimLeft(rest, "#"))
	default:
		for _, b := range []string{"-", "*", "+", "•", "·", "–", "—"} {
			if strings.HasPrefix(rest, b) {
				mark = len(b)
				break
			}
		}
		if mark == 0 {
			digits := len(rest) - len(strings.TrimLeft(rest, "0123456789"))
			if digits > 0 && digits <= 3 && len(rest) > digits && (rest[digits] == '.' || rest[digits] == ')') {
				mark = digits + 1
			}
		}
	}
	if mark == 0 {
		return line[:i], rest
	}
	j := skipSpaces(line, i+mark)
	if j == i+mark && j < len(line) && rest[0] != '>' {
		return line[:i], rest // "-5 %", "2.3", "#tag": not a mark
	}
	return line[:j], line[j:]
}

// skipSpaces returns the offset of the first rune at or after i that is
// not a horizontal space.
func skipSpaces(s string, i int) int {
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isSpace(r) {
			break
		}
		i += size
	}
	return i
}

// isSpace reports whether r is a horizontal space.
func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\u00a0' || r == '\u202f' || r == '\u2009'
}

// markerGroups finds the marker groups of s.
func markerGroups(s string) []group {
	var groups []group
	for m, nums := range markers(s) {
		if n := len(groups); n > 0 && skipSpaces(s, groups[n-1].end) == m.Start {
			groups[n-1].end = m.End
			groups[n-1].nums = append(groups[n-1].nums, nums...)
		} else {
			groups = append(groups, group{start: m.Start, end: m.End, nums: nums})
		}
	}
	return groups
}

// markers yields the markers of s, in order, with the numbers each
// cites.
func markers(s string) iter.Seq2[nlp.Span, []int] {
	return func(yield func(nlp.Span, []int) bool) {
		for i := 0; i < len(s); {
			k := strings.IndexAny(s[i:], "[［")
			if k < 0 {
				return
			}
			i += k
			end, nums, ok := parseMarker(s, i)
			if !ok {
				_, size := utf8.DecodeRuneInString(s[i:])
				i += size
				continue
			}
			if !yield(nlp.Span{Start: i, End: end}, nums) {
				return
			}
			i = end
		}
	}
}

// parseMarker parses a marker at s[i] (an opening bracket) and returns its
// end and the numbers it cites. A marker followed by "(" is a Markdown link
// and not a citation.
func parseMarker(s string, i int) (end int, nums []int, ok bool) {
	_, size := utf8.DecodeRuneInString(s[i:])
	j := i + size
	for {
		j = skipSpaces(s, j)
		lo, k, ok := number(s, j)
		if !ok {
			return 0, nil, false
		}
		j = skipSpaces(s, k)
		hi := lo
		if r, size := utf8.DecodeRuneInString(s[min(j, len(s)):]); isDash(r) {
			j = skipSpaces(s, j+size)
			if hi, k, ok = number(s, j); !ok {
				return 0, nil, false
			}
			j = skipSpaces(s, k)
		}
		switch {
		case lo == hi:
			nums = append(nums, lo)
		case lo >= 1 && lo < hi && hi-lo < maxRange:
			for n := lo; n <= hi; n++ {
				nums = append(nums, n)
			}
		default:
			nums = append(nums, lo, hi)
		}
		if j >= len(s) {
			return 0, nil, false
		}
		r, size := utf8.DecodeRuneInString(s[j:])
		j += size
		switch r {
		case ',', ';', '،', '؛', '，', '、':
			continue
		case ']', '］':
			if strings.HasPrefix(s[j:], "(") {
				return 0, nil, false
			}
			return j, nums, true
		}
		return 0, nil, false
	}
}

// number parses a number of at most maxDigits digits at s[i].
func number(s string, i int) (n, end int, ok bool) {
	digits := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		d := nlp.Digit(r)
		if d < 0 {
			break
		}
		digits++
		if digits > maxDigits {
			return 0, 0, false
		}
		n = n*10 + d
		i += size
	}
	return n, i, digits > 0
}

// isDash reports whether r joins the ends of a range.
func isDash(r rune) bool {
	switch r {
	case '-', '‐', '‑', '–', '—', '－':
		return true
	}
	return false
}

// neutralize turns markers whose numbers are not all within 1..k, which
// only removing text around markers can create ("[[7]2]" → "[2]"), into
// parentheses. Replacing brackets creates no new marker.
func neutralize(text string, k int) string {
	var b strings.Builder
	pos := 0
	for m, nums := range markers(text) {
		if !slices.ContainsFunc(nums, func(n int) bool { return n < 1 || n > k }) {
			continue
		}
		_, open := utf8.DecodeRuneInString(text[m.Start:])
		_, closing := utf8.DecodeLastRuneInString(text[:m.End])
		b.WriteString(text[pos:m.Start])
		b.WriteByte('(')
		b.WriteString(text[m.Start+open : m.End-closing])
		b.WriteByte(')')
		pos = m.End
	}
	if pos == 0 {
		return text
	}
	b.WriteString(text[pos:])
	return b.String()
}
