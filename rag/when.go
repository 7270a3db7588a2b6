package rag

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// TimeRange is a half-open range of publication times [Since, Until); zero
// fields are open.
type TimeRange struct {
	Since, Until time.Time
}

// IsZero reports whether the range is open on both sides.
func (r TimeRange) IsZero() bool { return r.Since.IsZero() && r.Until.IsZero() }

// ParseWhen finds date phrases in a question and returns the range they
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
func ParseWhen(question string, now time.Time) (r TimeRange, rest string, ok bool) {
	q := strings.ToValidUTF8(question, "\uFFFD")
	p := whenParser{toks: whenTokenize(q), now: now}
	var spans []Span
	for i := 0; i < len(p.toks); {
		got, next, found := p.phrase(i)
		if !found {
			i++
			continue
		}
		if len(spans) == 0 {
			r = got
		} else {
			r = whenCombine(r, got)
		}
		spans = append(spans, Span{Start: p.toks[i].start, End: p.toks[next-1].end})
		i = next
	}
	if len(spans) == 0 {
		return TimeRange{}, q, false
	}
	return r, whenCut(q, spans), true
}

// whenCombine intersects two ranges, or returns their hull when the
// intersection is empty.
func whenCombine(a, b TimeRange) TimeRange {
	in := TimeRange{Since: a.Since, Until: a.Until}
	if b.Since.After(in.Since) {
		in.Since = b.Since
	}
	if in.Until.IsZero() || (!b.Until.IsZero() && b.Until.Before(in.Until)) {
		in.Until = b.Until
	}
	if in.Since.IsZero() || in.Until.IsZero() || in.Since.Before(in.Until) {
		return in
	}
	var hull TimeRange
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

// whenCut removes spans from q and tidies the white space and punctuation
// left at the seams.
func whenCut(q string, spans []Span) string {
	var b strings.Builder
	prev := 0
	for _, sp := range spans {
		whenAppend(&b, q[prev:sp.Start])
		prev = sp.End
	}
	whenAppend(&b, q[prev:])
	return strings.TrimSpace(strings.TrimLeft(b.String(), ",;: \t"))
}

// whenAppend appends piece to b with the horizontal spaces at the seam
// reduced to one, or to none before punctuation.
func whenAppend(b *strings.Builder, piece string) {
	piece = strings.TrimLeft(piece, " \t")
	if b.Len() > 0 && piece != "" {
		r, _ := utf8.DecodeRuneInString(piece)
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteByte(' ')
		}
	}
	b.WriteString(strings.TrimRight(piece, " \t"))
}

// whenKind classifies a token.
type whenKind int

const (
	whenWord whenKind = iota
	whenNumber
	whenPunct
)

// whenTok is a token of a question: a run of letters (folded), a run of
// digits (as ASCII digits) or one other character.
type whenTok struct {
	start, end int
	kind       whenKind
	norm       string
	raw        string
}

// whenTokenize splits s into tokens, skipping white space.
func whenTokenize(s string) []whenTok {
	var toks []whenTok
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(r):
			i += size
		case whenDigit(r) >= 0:
			var digits strings.Builder
			j := i
			for j < len(s) {
				r, size := utf8.DecodeRuneInString(s[j:])
				d := whenDigit(r)
				if d < 0 {
					break
				}
				digits.WriteByte(byte('0' + d))
				j += size
			}
			toks = append(toks, whenTok{start: i, end: j, kind: whenNumber, norm: digits.String(), raw: s[i:j]})
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
			toks = append(toks, whenTok{start: i, end: j, kind: whenWord, norm: whenFold(s[i:j]), raw: s[i:j]})
			i = j
		default:
			n := string(r)
			switch r {
			case '’', '‘', 'ʼ', '`', '´':
				n = "'"
			case '‐', '‑', '–', '—', '−':
				n = "-"
			}
			toks = append(toks, whenTok{start: i, end: i + size, kind: whenPunct, norm: n, raw: s[i : i+size]})
			i += size
		}
	}
	return toks
}

// whenDigit returns the value of an ASCII, Arabic-Indic, extended
// Arabic-Indic or full-width digit, or -1.
func whenDigit(r rune) int {
	switch {
	case r >= '0' && r <= '9':
		return int(r - '0')
	case r >= '٠' && r <= '٩':
		return int(r - '٠')
	case r >= '۰' && r <= '۹':
		return int(r - '۰')
	case r >= '０' && r <= '９':
		return int(r - '０')
	}
	return -1
}

// whenFold lower-cases a word and removes its accents and Arabic
// diacritics; ة becomes ه and ى becomes ي.
func whenFold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r), r == 'ـ':
			continue
		case r == 'ة':
			r = 'ه'
		case r == 'ى':
			r = 'ي'
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// whenParser matches date phrases in a token stream.
type whenParser struct {
	toks []whenTok
	now  time.Time
}

// whenUnit is a calendar unit.
type whenUnit int

const (
	whenNoUnit whenUnit = iota
	whenHour
	whenDay
	whenWeek
	whenMonth
	whenYear
)

// phrase matches a date phrase starting at token i and returns its range and
// the index of the token after it.
func (p *whenParser) phrase(i int) (TimeRange, int, bool) {
	if r, next, ok := p.rolling(i); ok {
		return r, next, true
	}
	if r, next, bare, ok := p.period(i); ok && !bare {
		return r, next, true
	}
	return p.introduced(i)
}

// seq matches words (folded) or punctuation at token i, one element per
// token. An element lists alternatives separated by "|"; a trailing "?"
// makes it optional. It returns the index after the match.
func (p *whenParser) seq(i int, elems ...string) (int, bool) {
	for _, e := range elems {
		opt := len(e) > 1 && strings.HasSuffix(e, "?")
		if opt {
			e = e[:len(e)-1]
		}
		if i < len(p.toks) && p.toks[i].kind != whenNumber && whenAlt(p.toks[i].norm, e) {
			i++
			continue
		}
		if !opt {
			return 0, false
		}
	}
	return i, true
}

// whenAlt reports whether s is one of the "|"-separated alternatives.
func whenAlt(s, alts string) bool {
	for alts != "" {
		var a string
		a, alts, _ = strings.Cut(alts, "|")
		if a == s {
			return true
		}
	}
	return false
}

// date returns midnight of the given day in now's location; out-of-range
// months and days normalize as in time.Date.
func (p *whenParser) date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, p.now.Location())
}

// day returns midnight of today plus offset days.
func (p *whenParser) day(offset int) time.Time {
	y, m, d := p.now.Date()
	return p.date(y, m, d+offset)
}

// back returns the instant n units before now, at midnight except for hours.
func (p *whenParser) back(u whenUnit, n int) time.Time {
	y, m, d := p.now.Date()
	switch u {
	case whenHour:
		return p.now.Add(-time.Duration(n) * time.Hour)
	case whenWeek:
		return p.date(y, m, d-7*n)
	case whenMonth:
		return p.date(y, m-time.Month(n), d)
	case whenYear:
		return p.date(y-n, m, d)
	}
	return p.date(y, m, d-n)
}

// calendar returns the calendar day, week, month or year offset units from
// the current one.
func (p *whenParser) calendar(u whenUnit, offset int) TimeRange {
	y, m, d := p.now.Date()
	switch u {
	case whenWeek:
		monday := d - (int(p.now.Weekday())+6)%7 + 7*offset
		return TimeRange{Since: p.date(y, m, monday), Until: p.date(y, m, monday+7)}
	case whenMonth:
		return TimeRange{Since: p.date(y, m+time.Month(offset), 1), Until: p.date(y, m+time.Month(offset+1), 1)}
	case whenYear:
		return TimeRange{Since: p.date(y+offset, 1, 1), Until: p.date(y+offset+1, 1, 1)}
	}
	return TimeRange{Since: p.day(offset), Until: p.day(offset + 1)}
}

// relative matches a named period relative to today: "yesterday", "la
// semaine dernière", "هذا الشهر".
func (p *whenParser) relative(i int) (TimeRange, int, bool) {
	type rel struct {
		elems  []string
		unit   whenUnit
		offset int
	}
	// Arabic words are written folded (see whenFold).
	rels := []rel{
		{[]string{"today"}, whenDay, 0},
		{[]string{"aujourd", "'?", "hui"}, whenDay, 0},
		{[]string{"aujourdhui"}, whenDay, 0},
		{[]string{"this", "morning|afternoon|evening"}, whenDay, 0},
		{[]string{"tonight"}, whenDay, 0},
		{[]string{"ce", "matin|soir"}, whenDay, 0},
		{[]string{"cet", "apres", "-?", "midi"}, whenDay, 0},
		{[]string{"اليوم"}, whenDay, 0},
		{[]string{"the?", "day", "before", "yesterday"}, whenDay, -2},
		{[]string{"avant", "-?", "hier"}, whenDay, -2},
		{[]string{"yesterday"}, whenDay, -1},
		{[]string{"hier", "soir|matin?"}, whenDay, -1},
		{[]string{"امس|بالامس|البارحه"}, whenDay, -1},
		{[]string{"this", "week"}, whenWeek, 0},
		{[]string{"cette", "semaine", "-?", "ci?"}, whenWeek, 0},
		{[]string{"هذا", "الاسبوع"}, whenWeek, 0},
		{[]string{"last", "week"}, whenWeek, -1},
		{[]string{"la?", "semaine", "derniere|passee"}, whenWeek, -1},
		{[]string{"الاسبوع", "الماضي"}, whenWeek, -1},
		{[]string{"this", "month"}, whenMonth, 0},
		{[]string{"ce", "mois", "-?", "ci?"}, whenMonth, 0},
		{[]string{"هذا", "الشهر"}, whenMonth, 0},
		{[]string{"last", "month"}, whenMonth, -1},
		{[]string{"le?", "mois", "dernier|passe"}, whenMonth, -1},
		{[]string{"الشهر", "الماضي"}, whenMonth, -1},
		{[]string{"this", "year"}, whenYear, 0},
		{[]string{"cette", "annee", "-?", "ci?"}, whenYear, 0},
		{[]string{"هذا", "العام"}, whenYear, 0},
		{[]string{"هذه", "السنه"}, whenYear, 0},
		{[]string{"last", "year"}, whenYear, -1},
		{[]string{"l?", "'?", "annee|an", "derniere|dernier|passee|passe"}, whenYear, -1},
		{[]string{"العام|السنه", "الماضي|الماضيه"}, whenYear, -1},
	}
	for _, r := range rels {
		if next, ok := p.seq(i, r.elems...); ok {
			return p.calendar(r.unit, r.offset), next, true
		}
	}
	return TimeRange{}, 0, false
}

// rolling matches a window of the last N units ("the past 3 days", "les 7
// derniers jours", "depuis une semaine") or a point N units ago ("3 days
// ago", "il y a 3 jours").
func (p *whenParser) rolling(i int) (TimeRange, int, bool) {
	last := func(n int, u whenUnit, next int) (TimeRange, int, bool) {
		return TimeRange{Since: p.back(u, n), Until: p.day(1)}, next, true
	}
	ago := func(n int, u whenUnit, next int) (TimeRange, int, bool) {
		return TimeRange{Since: p.back(u, n), Until: p.back(u, n-1)}, next, true
	}
	start := i
	if j, ok := p.seq(i, "in|over|during|for|within|pendant|durant|dans|sur"); ok {
		start = j
	} else if j, ok := p.seq(i, "au", "cours"); ok {
		start = j
	}
	// the last 7 days, these past 3 weeks
	if j, ok := p.seq(start, "the|these?", "last|past"); ok {
		if n, k, ok := p.count(j); ok {
			if u, next := p.unit(k); u != whenNoUnit {
				return last(n, u, next)
			}
		}
	}
	// the last week, the past month, past year
	for _, pre := range [][]string{{"the", "last|past"}, {"past"}} {
		if j, ok := p.seq(start, pre...); ok {
			if u, next := p.unit(j); u != whenNoUnit {
				return last(1, u, next)
			}
		}
	}
	// les 7 derniers jours, ces deux dernières semaines
	if j, ok := p.seq(start, "les|ces|des?"); ok {
		if n, k, ok := p.count(j); ok {
			if k, ok := p.seq(k, "derniers|dernieres"); ok {
				if u, next := p.unit(k); u != whenNoUnit {
					return last(n, u, next)
				}
			}
		}
	}
	// depuis 3 jours, il y a 3 jours
	for _, pre := range [][]string{{"depuis"}, {"il", "y", "a"}} {
		if j, ok := p.seq(i, pre...); ok {
			if n, k, ok := p.count(j); ok {
				if u, next := p.unit(k); u != whenNoUnit {
					if pre[0] == "depuis" {
						return last(n, u, next)
					}
					return ago(n, u, next)
				}
			}
		}
	}
	// 3 days ago
	if n, k, ok := p.count(i); ok {
		if u, j := p.unit(k); u != whenNoUnit {
			if next, ok := p.seq(j, "ago"); ok {
				return ago(n, u, next)
			}
		}
	}
	return TimeRange{}, 0, false
}

// count matches a small count in digits (1 to 9999) or words.
func (p *whenParser) count(i int) (int, int, bool) {
	if i >= len(p.toks) {
		return 0, 0, false
	}
	t := p.toks[i]
	if t.kind == whenNumber {
		n, ok := whenNumberValue(t.norm, 4)
		return n, i + 1, ok && n > 0
	}
	words := []string{"a|an|one|un|une", "two|deux", "three|trois", "four|quatre", "five|cinq",
		"six", "seven|sept", "eight|huit", "nine|neuf", "ten|dix"}
	for n, w := range words {
		if t.kind == whenWord && whenAlt(t.norm, w) {
			return n + 1, i + 1, true
		}
	}
	return 0, 0, false
}

// whenNumberValue parses a string of at most maxDigits ASCII digits.
func whenNumberValue(s string, maxDigits int) (int, bool) {
	if s == "" || len(s) > maxDigits {
		return 0, false
	}
	n := 0
	for _, c := range []byte(s) {
		n = n*10 + int(c-'0')
	}
	return n, true
}

// unit matches a unit word at token i.
func (p *whenParser) unit(i int) (whenUnit, int) {
	units := []struct {
		words string
		unit  whenUnit
	}{
		{"hour|hours|heure|heures", whenHour},
		{"day|days|jour|jours", whenDay},
		{"week|weeks|semaine|semaines", whenWeek},
		{"month|months|mois", whenMonth},
		{"year|years|an|ans|annee|annees", whenYear},
	}
	for _, u := range units {
		if next, ok := p.seq(i, u.words); ok {
			return u.unit, next
		}
	}
	return whenNoUnit, 0
}

// introduced matches an introducing word followed by a period: "en 2023",
// "depuis le 3 mars", "avant 2020", "entre janvier et mars".
func (p *whenParser) introduced(i int) (TimeRange, int, bool) {
	const (
		in = iota
		on // like in, but not before a bare year or month
		since
		after
		before
		until
		between
	)
	intros := []struct {
		elems []string
		kind  int
	}{
		{[]string{"in", "the", "month", "of"}, in},
		{[]string{"in|during|throughout|en|pendant|durant"}, in},
		{[]string{"on"}, on},
		{[]string{"au", "mois", "de|d", "'?"}, in},
		{[]string{"au", "cours", "de|du"}, in},
		{[]string{"pendant|durant|en|dans?", "l", "'?", "annee"}, in},
		{[]string{"during|in?", "the", "year"}, in},
		{[]string{"since|depuis"}, since},
		{[]string{"a", "partir", "de|du|d", "'?"}, since},
		{[]string{"after|apres"}, after},
		{[]string{"before|avant"}, before},
		{[]string{"prior", "to"}, before},
		{[]string{"until|till"}, until},
		{[]string{"jusqu", "'?", "a|au|en"}, until},
		{[]string{"between|entre"}, between},
	}
	for _, intro := range intros {
		j, ok := p.seq(i, intro.elems...)
		if !ok {
			continue
		}
		r, next, bare, ok := p.period(j)
		if !ok || (bare && intro.kind == on) {
			continue
		}
		switch intro.kind {
		case since:
			return TimeRange{Since: r.Since}, next, true
		case after:
			return TimeRange{Since: r.Until}, next, true
		case before:
			return TimeRange{Until: r.Since}, next, true
		case until:
			return TimeRange{Until: r.Until}, next, true
		case between:
			k, ok := p.seq(next, "and|et")
			if !ok {
				continue
			}
			r2, next, _, ok := p.period(k)
			if !ok {
				continue
			}
			if r2.Until.After(r.Since) {
				return TimeRange{Since: r.Since, Until: r2.Until}, next, true
			}
			return TimeRange{Since: r2.Since, Until: r.Until}, next, true
		}
		return r, next, true
	}
	return TimeRange{}, 0, false
}

// period matches a named or dated period at token i. bare reports a bare
// year or month, which is a date only after an introducing word.
func (p *whenParser) period(i int) (r TimeRange, next int, bare, ok bool) {
	if r, next, ok := p.relative(i); ok {
		return r, next, false, true
	}
	if r, next, ok := p.iso(i); ok {
		return r, next, false, true
	}
	j := i
	det := false
	if k, ok := p.seq(i, "le|the"); ok {
		j, det = k, true
	}
	if r, next, ok := p.dayFirst(j); ok {
		return r, next, false, true
	}
	if det {
		return TimeRange{}, 0, false, false
	}
	if r, next, bare, ok := p.monthFirst(j); ok {
		return r, next, bare, true
	}
	if j < len(p.toks) && p.toks[j].kind == whenNumber {
		if y, ok := whenNumberValue(p.toks[j].norm, 4); ok && y >= 1800 && y <= p.now.Year()+1 {
			return p.yearRange(y), j + 1, true, true
		}
	}
	return TimeRange{}, 0, false, false
}

// yearRange returns the calendar year y.
func (p *whenParser) yearRange(y int) TimeRange {
	return TimeRange{Since: p.date(y, 1, 1), Until: p.date(y+1, 1, 1)}
}

// monthRange returns month m of year y.
func (p *whenParser) monthRange(y int, m time.Month) TimeRange {
	return TimeRange{Since: p.date(y, m, 1), Until: p.date(y, m+1, 1)}
}

// dayRange returns the day y-m-d, or false when there is no such day.
func (p *whenParser) dayRange(y int, m time.Month, d int) (TimeRange, bool) {
	if d < 1 || d > p.date(y, m+1, 0).Day() {
		return TimeRange{}, false
	}
	return TimeRange{Since: p.date(y, m, d), Until: p.date(y, m, d+1)}, true
}

// adjacent reports whether token i exists and directly follows token i-1.
func (p *whenParser) adjacent(i int) bool {
	return i > 0 && i < len(p.toks) && p.toks[i].start == p.toks[i-1].end
}

// glued reports whether token i continues a number or an expression
// written without spaces before it ("2.3", "1-3", "12/3").
func (p *whenParser) glued(i int) bool {
	if !p.adjacent(i) {
		return false
	}
	prev := p.toks[i-1]
	return prev.kind == whenNumber || (prev.kind == whenPunct && strings.ContainsAny(prev.norm, ".,:/-"))
}

// number returns the value of token i when it is a number of minDigits to
// maxDigits digits within [lo, hi].
func (p *whenParser) number(i, minDigits, maxDigits, lo, hi int) (int, bool) {
	if i >= len(p.toks) || p.toks[i].kind != whenNumber || len(p.toks[i].norm) < minDigits {
		return 0, false
	}
	n, ok := whenNumberValue(p.toks[i].norm, maxDigits)
	return n, ok && n >= lo && n <= hi
}

// iso matches 2023-10-24 or 2023-10.
func (p *whenParser) iso(i int) (TimeRange, int, bool) {
	y, ok := p.number(i, 4, 4, 1800, 9999)
	if !ok || !p.adjacent(i+1) || p.toks[i+1].norm != "-" || !p.adjacent(i+2) {
		return TimeRange{}, 0, false
	}
	m, ok := p.number(i+2, 1, 2, 1, 12)
	if !ok {
		return TimeRange{}, 0, false
	}
	if !p.adjacent(i+3) || p.toks[i+3].norm != "-" {
		return p.monthRange(y, time.Month(m)), i + 3, true
	}
	d, ok := p.number(i+4, 1, 2, 1, 31)
	if !ok || !p.adjacent(i+4) {
		return TimeRange{}, 0, false
	}
	r, ok := p.dayRange(y, time.Month(m), d)
	return r, i + 5, ok
}

// month matches a month name at token i (an abbreviation may be followed by
// a period).
func (p *whenParser) month(i int) (m time.Month, abbrev bool, next int) {
	if i >= len(p.toks) || p.toks[i].kind != whenWord {
		return 0, false, 0
	}
	names := []struct{ full, abbrev string }{
		{"janvier|january", "jan|janv"},
		{"fevrier|february", "feb|fev|fevr"},
		{"mars|march", "mar"},
		{"avril|april", "apr|avr"},
		{"mai|may", ""},
		{"juin|june", "jun"},
		{"juillet|july", "jul|juil"},
		{"aout|august", "aug"},
		{"septembre|september", "sep|sept"},
		{"octobre|october", "oct"},
		{"novembre|november", "nov"},
		{"decembre|december", "dec"},
	}
	t := p.toks[i].norm
	for k, n := range names {
		if whenAlt(t, n.full) {
			return time.Month(k + 1), false, i + 1
		}
		if whenAlt(t, n.abbrev) {
			if p.adjacent(i+1) && p.toks[i+1].norm == "." {
				return time.Month(k + 1), true, i + 2
			}
			return time.Month(k + 1), true, i + 1
		}
	}
	return 0, false, 0
}

// dayNumber matches a day of the month with an optional ordinal suffix
// (1er, 3rd, 24th).
func (p *whenParser) dayNumber(i int) (int, int, bool) {
	d, ok := p.number(i, 1, 2, 1, 31)
	if !ok {
		return 0, 0, false
	}
	if p.adjacent(i+1) && p.toks[i+1].kind == whenWord && whenAlt(p.toks[i+1].norm, "er|st|nd|rd|th|e|eme") {
		return d, i + 2, true
	}
	return d, i + 1, true
}

// year matches a four-digit year after a month or a day.
func (p *whenParser) year(i int) (int, int, bool) {
	y, ok := p.number(i, 4, 4, 1800, 9999)
	return y, i + 1, ok
}

// recentDay returns day d of month m in the most recent year where it is not
// in the future.
func (p *whenParser) recentDay(m time.Month, d int) (TimeRange, bool) {
	y := p.now.Year()
	if p.date(y, m, d).After(p.day(0)) {
		y--
	}
	return p.dayRange(y, m, d)
}

// dayFirst matches "24 octobre 2023", "24th of October", "3 mars".
func (p *whenParser) dayFirst(i int) (TimeRange, int, bool) {
	d, j, ok := p.dayNumber(i)
	if !ok || p.glued(i) {
		return TimeRange{}, 0, false
	}
	if k, ok := p.seq(j, "of"); ok {
		j = k
	}
	m, _, j := p.month(j)
	if m == 0 {
		return TimeRange{}, 0, false
	}
	if y, next, ok := p.year(j); ok {
		r, ok := p.dayRange(y, m, d)
		return r, next, ok
	}
	r, ok := p.recentDay(m, d)
	return r, j, ok
}

// monthFirst matches "October 24, 2023", "March 3", "January 2024",
// "January of 2024" and a bare month name. A lower-case "may" is bare
// whatever follows, being more often a verb.
func (p *whenParser) monthFirst(i int) (r TimeRange, next int, bare, ok bool) {
	m, abbrev, j := p.month(i)
	if m == 0 {
		return TimeRange{}, 0, false, false
	}
	verb := p.toks[i].raw == "may"
	if d, k, ok := p.dayNumber(j); ok {
		if c, ok := p.seq(k, ","); ok {
			if y, next, ok := p.year(c); ok {
				r, ok := p.dayRange(y, m, d)
				return r, next, verb, ok
			}
		}
		if y, next, ok := p.year(k); ok {
			r, ok := p.dayRange(y, m, d)
			return r, next, verb, ok
		}
		r, ok := p.recentDay(m, d)
		return r, k, verb, ok
	}
	k := j
	if c, ok := p.seq(j, "of"); ok {
		k = c
	}
	if y, next, ok := p.year(k); ok {
		return p.monthRange(y, m), next, verb, true
	}
	if abbrev {
		return TimeRange{}, 0, false, false
	}
	y := p.now.Year()
	if m > p.now.Month() {
		y--
	}
	return p.monthRange(y, m), j, true, true
}
