package when

import (
	"strings"
	"time"
)

// parser matches date phrases in a token stream.
type parser struct {
	toks []token
	now  time.Time
}

// timeUnit is a calendar unit.
type timeUnit int

const (
	noUnit timeUnit = iota
	hourUnit
	dayUnit
	weekUnit
	monthUnit
	yearUnit
)

// phrase matches a date phrase starting at token i and returns its range and
// the index of the token after it.
func (p *parser) phrase(i int) (Range, int, bool) {
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
func (p *parser) seq(i int, elems ...string) (int, bool) {
	for _, e := range elems {
		opt := len(e) > 1 && strings.HasSuffix(e, "?")
		if opt {
			e = e[:len(e)-1]
		}
		if i < len(p.toks) && p.toks[i].kind != numberTok && alt(p.toks[i].norm, e) {
			i++
			continue
		}
		if !opt {
			return 0, false
		}
	}
	return i, true
}

// alt reports whether s is one of the "|"-separated alternatives.
func alt(s, alts string) bool {
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
func (p *parser) date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, p.now.Location())
}

// day returns midnight of today plus offset days.
func (p *parser) day(offset int) time.Time {
	y, m, d := p.now.Date()
	return p.date(y, m, d+offset)
}

// back returns the instant n units before now, at midnight except for hours.
func (p *parser) back(u timeUnit, n int) time.Time {
	y, m, d := p.now.Date()
	switch u {
	case hourUnit:
		return p.now.Add(-time.Duration(n) * time.Hour)
	case weekUnit:
		return p.date(y, m, d-7*n)
	case monthUnit:
		return p.date(y, m-time.Month(n), d)
	case yearUnit:
		return p.date(y-n, m, d)
	}
	return p.date(y, m, d-n)
}

// calendar returns the calendar day, week, month or year offset units from
// the current one.
func (p *parser) calendar(u timeUnit, offset int) Range {
	y, m, d := p.now.Date()
	switch u {
	case weekUnit:
		monday := d - (int(p.now.Weekday())+6)%7 + 7*offset
		return Range{Since: p.date(y, m, monday), Until: p.date(y, m, monday+7)}
	case monthUnit:
		return Range{Since: p.date(y, m+time.Month(offset), 1), Until: p.date(y, m+time.Month(offset+1), 1)}
	case yearUnit:
		return Range{Since: p.date(y+offset, 1, 1), Until: p.date(y+offset+1, 1, 1)}
	}
	return Range{Since: p.day(offset), Until: p.day(offset + 1)}
}

// relative matches a named period relative to today: "yesterday", "la
// semaine dernière", "هذا الشهر".
func (p *parser) relative(i int) (Range, int, bool) {
	type rel struct {
		elems  []string
		unit   timeUnit
		offset int
	}
	// Arabic words are written folded (see nlp.Fold).
	rels := []rel{
		{[]string{"today"}, dayUnit, 0},
		{[]string{"aujourd", "'?", "hui"}, dayUnit, 0},
		{[]string{"aujourdhui"}, dayUnit, 0},
		{[]string{"this", "morning|afternoon|evening"}, dayUnit, 0},
		{[]string{"tonight"}, dayUnit, 0},
		{[]string{"ce", "matin|soir"}, dayUnit, 0},
		{[]string{"cet", "apres", "-?", "midi"}, dayUnit, 0},
		{[]string{"اليوم"}, dayUnit, 0},
		{[]string{"the?", "day", "before", "yesterday"}, dayUnit, -2},
		{[]string{"avant", "-?", "hier"}, dayUnit, -2},
		{[]string{"yesterday"}, dayUnit, -1},
		{[]string{"hier", "soir|matin?"}, dayUnit, -1},
		{[]string{"امس|بالامس|البارحه"}, dayUnit, -1},
		{[]string{"this", "week"}, weekUnit, 0},
		{[]string{"cette", "semaine", "-?", "ci?"}, weekUnit, 0},
		{[]string{"هذا", "الاسبوع"}, weekUnit, 0},
		{[]string{"last", "week"}, weekUnit, -1},
		{[]string{"la?", "semaine", "derniere|passee"}, weekUnit, -1},
		{[]string{"الاسبوع", "الماضي"}, weekUnit, -1},
		{[]string{"this", "month"}, monthUnit, 0},
		{[]string{"ce", "mois", "-?", "ci?"}, monthUnit, 0},
		{[]string{"هذا", "الشهر"}, monthUnit, 0},
		{[]string{"last", "month"}, monthUnit, -1},
		{[]string{"le?", "mois", "dernier|passe"}, monthUnit, -1},
		{[]string{"الشهر", "الماضي"}, monthUnit, -1},
		{[]string{"this", "year"}, yearUnit, 0},
		{[]string{"cette", "annee", "-?", "ci?"}, yearUnit, 0},
		{[]string{"هذا", "العام"}, yearUnit, 0},
		{[]string{"هذه", "السنه"}, yearUnit, 0},
		{[]string{"last", "year"}, yearUnit, -1},
		{[]string{"l?", "'?", "annee|an", "derniere|dernier|passee|passe"}, yearUnit, -1},
		{[]string{"العام|السنه", "الماضي|الماضيه"}, yearUnit, -1},
	}
	for _, r := range rels {
		if next, ok := p.seq(i, r.elems...); ok {
			return p.calendar(r.unit, r.offset), next, true
		}
	}
	return Range{}, 0, false
}

// rolling matches a window of the last N units ("the past 3 days", "les 7
// derniers jours", "depuis une semaine") or a point N units ago ("3 days
// ago", "il y a 3 jours").
func (p *parser) rolling(i int) (Range, int, bool) {
	last := func(n int, u timeUnit, next int) (Range, int, bool) {
		return Range{Since: p.back(u, n), Until: p.day(1)}, next, true
	}
	ago := func(n int, u timeUnit, next int) (Range, int, bool) {
		return Range{Since: p.back(u, n), Until: p.back(u, n-1)}, next, true
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
			if u, next := p.unit(k); u != noUnit {
				return last(n, u, next)
			}
		}
	}
	// the last week, the past month, past year
	for _, pre := range [][]string{{"the", "last|past"}, {"past"}} {
		if j, ok := p.seq(start, pre...); ok {
			if u, next := p.unit(j); u != noUnit {
				return last(1, u, next)
			}
		}
	}
	// les 7 derniers jours, ces deux dernières semaines
	if j, ok := p.seq(start, "les|ces|des?"); ok {
		if n, k, ok := p.count(j); ok {
			if k, ok := p.seq(k, "derniers|dernieres"); ok {
				if u, next := p.unit(k); u != noUnit {
					return last(n, u, next)
				}
			}
		}
	}
	// depuis 3 jours, il y a 3 jours
	for _, pre := range [][]string{{"depuis"}, {"il", "y", "a"}} {
		if j, ok := p.seq(i, pre...); ok {
			if n, k, ok := p.count(j); ok {
				if u, next := p.unit(k); u != noUnit {
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
		if u, j := p.unit(k); u != noUnit {
			if next, ok := p.seq(j, "ago"); ok {
				return ago(n, u, next)
			}
		}
	}
	return Range{}, 0, false
}

// count matches a small count in digits (1 to 9999) or words.
func (p *parser) count(i int) (int, int, bool) {
	if i >= len(p.toks) {
		return 0, 0, false
	}
	t := p.toks[i]
	if t.kind == numberTok {
		n, ok := numberValue(t.norm, 4)
		return n, i + 1, ok && n > 0
	}
	words := []string{"a|an|one|un|une", "two|deux", "three|trois", "four|quatre", "five|cinq",
		"six", "seven|sept", "eight|huit", "nine|neuf", "ten|dix"}
	for n, w := range words {
		if t.kind == wordTok && alt(t.norm, w) {
			return n + 1, i + 1, true
		}
	}
	return 0, 0, false
}

// numberValue parses a string of at most maxDigits ASCII digits.
func numberValue(s string, maxDigits int) (int, bool) {
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
func (p *parser) unit(i int) (timeUnit, int) {
	units := []struct {
		words string
		unit  timeUnit
	}{
		{"hour|hours|heure|heures", hourUnit},
		{"day|days|jour|jours", dayUnit},
		{"week|weeks|semaine|semaines", weekUnit},
		{"month|months|mois", monthUnit},
		{"year|years|an|ans|annee|annees", yearUnit},
	}
	for _, u := range units {
		if next, ok := p.seq(i, u.words); ok {
			return u.unit, next
		}
	}
	return noUnit, 0
}

// introduced matches an introducing word followed by a period: "en 2023",
// "depuis le 3 mars", "avant 2020", "entre janvier et mars".
func (p *parser) introduced(i int) (Range, int, bool) {
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
			return Range{Since: r.Since}, next, true
		case after:
			return Range{Since: r.Until}, next, true
		case before:
			return Range{Until: r.Since}, next, true
		case until:
			return Range{Until: r.Until}, next, true
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
				return Range{Since: r.Since, Until: r2.Until}, next, true
			}
			return Range{Since: r2.Since, Until: r.Until}, next, true
		}
		return r, next, true
	}
	return Range{}, 0, false
}

// period matches a named or dated period at token i. bare reports a bare
// year or month, which is a date only after an introducing word.
func (p *parser) period(i int) (r Range, next int, bare, ok bool) {
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
		return Range{}, 0, false, false
	}
	if r, next, bare, ok := p.monthFirst(j); ok {
		return r, next, bare, true
	}
	if j < len(p.toks) && p.toks[j].kind == numberTok {
		if y, ok := numberValue(p.toks[j].norm, 4); ok && y >= 1800 && y <= p.now.Year()+1 {
			return p.yearRange(y), j + 1, true, true
		}
	}
	return Range{}, 0, false, false
}

// yearRange returns the calendar year y.
func (p *parser) yearRange(y int) Range {
	return Range{Since: p.date(y, 1, 1), Until: p.date(y+1, 1, 1)}
}

// monthRange returns month m of year y.
func (p *parser) monthRange(y int, m time.Month) Range {
	return Range{Since: p.date(y, m, 1), Until: p.date(y, m+1, 1)}
}

// dayRange returns the day y-m-d, or false when there is no such day.
func (p *parser) dayRange(y int, m time.Month, d int) (Range, bool) {
	if d < 1 || d > p.date(y, m+1, 0).Day() {
		return Range{}, false
	}
	return Range{Since: p.date(y, m, d), Until: p.date(y, m, d+1)}, true
}

// adjacent reports whether token i exists and directly follows token i-1.
func (p *parser) adjacent(i int) bool {
	return i > 0 && i < len(p.toks) && p.toks[i].start == p.toks[i-1].end
}

// glued reports whether token i continues a number or an expression
// written without spaces before it ("2.3", "1-3", "12/3").
func (p *parser) glued(i int) bool {
	if !p.adjacent(i) {
		return false
	}
	prev := p.toks[i-1]
	return prev.kind == numberTok || (prev.kind == punctTok && strings.ContainsAny(prev.norm, ".,:/-"))
}

// number returns the value of token i when it is a number of minDigits to
// maxDigits digits within [lo, hi].
func (p *parser) number(i, minDigits, maxDigits, lo, hi int) (int, bool) {
	if i >= len(p.toks) || p.toks[i].kind != numberTok || len(p.toks[i].norm) < minDigits {
		return 0, false
	}
	n, ok := numberValue(p.toks[i].norm, maxDigits)
	return n, ok && n >= lo && n <= hi
}

// iso matches 2023-10-24 or 2023-10.
func (p *parser) iso(i int) (Range, int, bool) {
	y, ok := p.number(i, 4, 4, 1800, 9999)
	if !ok || !p.adjacent(i+1) || p.toks[i+1].norm != "-" || !p.adjacent(i+2) {
		return Range{}, 0, false
	}
	m, ok := p.number(i+2, 1, 2, 1, 12)
	if !ok {
		return Range{}, 0, false
	}
	if !p.adjacent(i+3) || p.toks[i+3].norm != "-" {
		return p.monthRange(y, time.Month(m)), i + 3, true
	}
	d, ok := p.number(i+4, 1, 2, 1, 31)
	if !ok || !p.adjacent(i+4) {
		return Range{}, 0, false
	}
	r, ok := p.dayRange(y, time.Month(m), d)
	return r, i + 5, ok
}

// month matches a month name at token i (an abbreviation may be followed by
// a period).
func (p *parser) month(i int) (m time.Month, abbrev bool, next int) {
	if i >= len(p.toks) || p.toks[i].kind != wordTok {
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
		if alt(t, n.full) {
			return time.Month(k + 1), false, i + 1
		}
		if alt(t, n.abbrev) {
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
func (p *parser) dayNumber(i int) (int, int, bool) {
	d, ok := p.number(i, 1, 2, 1, 31)
	if !ok {
		return 0, 0, false
	}
	if p.adjacent(i+1) && p.toks[i+1].kind == wordTok && alt(p.toks[i+1].norm, "er|st|nd|rd|th|e|eme") {
		return d, i + 2, true
	}
	return d, i + 1, true
}

// year matches a four-digit year after a month or a day.
func (p *parser) year(i int) (int, int, bool) {
	y, ok := p.number(i, 4, 4, 1800, 9999)
	return y, i + 1, ok
}

// recentDay returns day d of month m in the most recent year where it is not
// in the future.
func (p *parser) recentDay(m time.Month, d int) (Range, bool) {
	y := p.now.Year()
	if p.date(y, m, d).After(p.day(0)) {
		y--
	}
	return p.dayRange(y, m, d)
}

// dayFirst matches "24 octobre 2023", "24th of October", "3 mars".
func (p *parser) dayFirst(i int) (Range, int, bool) {
	d, j, ok := p.dayNumber(i)
	if !ok || p.glued(i) {
		return Range{}, 0, false
	}
	if k, ok := p.seq(j, "of"); ok {
		j = k
	}
	m, _, j := p.month(j)
	if m == 0 {
		return Range{}, 0, false
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
func (p *parser) monthFirst(i int) (r Range, next int, bare, ok bool) {
	m, abbrev, j := p.month(i)
	if m == 0 {
		return Range{}, 0, false, false
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
		return Range{}, 0, false, false
	}
	y := p.now.Year()
	if m > p.now.Month() {
		y--
	}
	return p.monthRange(y, m), j, true, true
}
