// Package when finds date phrases in questions ("last week", "le mois
// dernier", "الأسبوع الماضي", "24 October 2023") and turns them into ranges
// of publication times, so that a search can be limited to the period a
// question names.
package when

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dalil-news/dalil/nlp"
)

// Range is a half-open range of publication times [Since, Until); zero
// fields are open.
type Range struct {
	Since, Until time.Time
}

// IsZero reports whether the range is open on both sides.
func (r Range) IsZero() bool { return r.Since.IsZero() && r.Until.IsZero() }

// Parse finds date phrases in a question and returns the range they
// denote relative to now (in now's location), and the question with the date
// phrases removed (for retrieval). ok reports whether a date phrase was found;
// otherwise r is zero and rest is the question. rest is valid UTF-8 (invalid
// bytes become U+FFFD) and may be empty when the question was only a date.
//
// Matching is case- and accent-insensitive, in French and English, with a few
// Arabic phrases. Day boundaries are midnights in now's location; weeks start
// on Monday; every period ends where the next one starts.
//
//   - today, yesterday, the day before yesterday, this/last week, this/last
//     month, this/last year; aujourd'hui, hier, avant-hier, cette semaine,
//     la semaine dernière/passée, ce mois-ci, le mois dernier, cette année,
//     l'année dernière, l'an dernier; اليوم، أمس، هذا الأسبوع، الأسبوع الماضي،
//     هذا الشهر، الشهر الماضي، هذا العام، العام الماضي.
//   - Rolling windows, from midnight N days/weeks/months/years (or N hours)
//     before now to the end of today: "the last 7 days", "past 3 weeks",
//     "the past month", "les 7 derniers jours", "ces deux dernières
//     semaines", "depuis 3 jours". "N days ago"/"il y a N jours" is that
//     day (generally: the unit ending N-1 units ago).
//   - Dates: "24 October 2023", "October 24, 2023", "le 24 octobre 2023",
//     "2023-10-24", "le 1er mars" and "March 3" (without a year: the most
//     recent such day not in the future), "January 2024", "2023-10".
//   - A bare month ("janvier") or a bare year ("2023", 1800 to next year)
//     counts only after an introducing word, so that "1960 people" and
//     "2.373 agents" are not dates: in/en/during/pendant/durant/the year/
//     l'année/au mois de (the period), since/depuis/à partir de (from its
//     start on), after/après (from its end on), before/avant (up to its
//     start), until/jusqu'à/jusqu'en (up to its end), between/entre X
//     and/et Y. The same words work before any other date phrase ("depuis
//     hier", "before last week"), and "on" before a day ("on 24 October
//     2023", but not "a report on 2023 results"). "of"/"de" are not
//     introducing words ("plus de 2000 morts").
//
// Several phrases combine by intersection ("en janvier cette année"), or by
// the smallest range covering both when they do not overlap ("en 2022 et en
// 2023"); contradictory open ranges ("since 2024 … before 2020") then leave
// r open on both sides although ok is true.
func Parse(question string, now time.Time) (r Range, rest string, ok bool) {
	q := strings.ToValidUTF8(question, "\uFFFD")
	p := parser{toks: tokenize(q), now: now}
	var spans []nlp.Span
	for i := 0; i < len(p.toks); {
		got, next, found := p.phrase(i)
		if !found {
			i++
			continue
		}
		if len(spans) == 0 {
			r = got
		} else {
			r = combine(r, got)
		}
		spans = append(spans, nlp.Span{Start: p.toks[i].start, End: p.toks[next-1].end})
		i = next
	}
	if len(spans) == 0 {
		return Range{}, q, false
	}
	return r, cut(q, spans), true
}

// combine intersects two ranges, or returns their hull when the
// intersection is empty.
func combine(a, b Range) Range {
	in := Range{Since: a.Since, Until: a.Until}
	if b.Since.After(in.Since) {
		in.Since = b.Since
	}
	if in.Until.IsZero() || (!b.Until.IsZero() && b.Until.Before(in.Until)) {
		in.Until = b.Until
	}
	if in.Since.IsZero() || in.Until.IsZero() || in.Since.Before(in.Until) {
		return in
	}
	var hull Range
	if !a.Since.IsZero() && !b.Since.IsZero() {
		hull.Since = a.Since
		if b.Since.Before(a.Since) {
			hull.Since = b.Since
		}
	}
	if !a.Until.IsZero() && !b.Until.IsZero() {
		hull.Until = a.Until
		if b.Until.After(a.Until) {
			hull.Until = b.Until
		}
	}
	return hull
}

// cut removes spans from q and tidies the white space and punctuation
// left at the seams.
func cut(q string, spans []nlp.Span) string {
	var b strings.Builder
	prev := 0
	for _, sp := range spans {
		appendPiece(&b, q[prev:sp.Start])
		prev = sp.End
	}
	appendPiece(&b, q[prev:])
	return strings.TrimSpace(strings.TrimLeft(b.String(), ",;: \t"))
}

// appendPiece appends piece to b with the horizontal spaces at the seam
// reduced to one, or to none before punctuation.
func appendPiece(b *strings.Builder, piece string) {
	piece = strings.TrimLeft(piece, " \t")
	if b.Len() > 0 && piece != "" {
		r, _ := utf8.DecodeRuneInString(piece)
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteByte(' ')
		}
	}
	b.WriteString(strings.TrimRight(piece, " \t"))
}

// tokenKind classifies a token.
type tokenKind int

const (
	wordTok tokenKind = iota
	numberTok
	punctTok
)

// token is a token of a question: a run of letters (folded), a run of
// digits (as ASCII digits) or one other character.
type token struct {
	start, end int
	kind       tokenKind
	norm       string
	raw        string
}

// tokenize splits s into tokens, skipping white space.
func tokenize(s string) []token {
	var toks []token
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(r):
			i += size
		case nlp.Digit(r) >= 0:
			var digits strings.Builder
			j := i
			for j < len(s) {
				r, size := utf8.DecodeRuneInString(s[j:])
				d := nlp.Digit(r)
				if d < 0 {
					break
				}
				digits.WriteByte(byte('0' + d))
				j += size
			}
			toks = append(toks, token{start: i, end: j, kind: numberTok, norm: digits.String(), raw: s[i:j]})
			i = j
		case unicode.IsLetter(r) || unicode.IsMark(r):
			j := i
			for j < len(s) {
				r, size := utf8.DecodeRuneInString(s[j:])
				if !unicode.IsLetter(r) && !unicode.IsMark(r) {
					break
				}
				j += size
			}
			toks = append(toks, token{start: i, end: j, kind: wordTok, norm: nlp.Fold(s[i:j]), raw: s[i:j]})
			i = j
		default:
			n := string(r)
			switch r {
			case '’', '‘', 'ʼ', '`', '´':
				n = "'"
			case '‐', '‑', '–', '—', '−':
				n = "-"
			}
			toks = append(toks, token{start: i, end: i + size, kind: punctTok, norm: n, raw: s[i : i+size]})
			i += size
		}
	}
	return toks
}
