package admin

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dalil-news/dalil/nlp"
)

// The page is one server-rendered HTML document: html/template escapes
// every text by its context, the charts are inline SVG drawn here, and the
// Content-Security-Policy allows nothing but the page's own style sheet
// (by its hash) and data: images, so that a question such as
// <script>…</script> is text, never code. Texts from members and feeds
// are also cut to a length, stripped of the Unicode controls that reorder
// text (U+202A–U+202E, U+2066–U+2069) and isolated in <bdi>, so that
// neither a long question nor a right-to-left override garbles the rows
// around it.

//go:embed page.html
var pageHTML string

//go:embed page.css
var pageCSS string

var pageTemplate = template.Must(template.New("page").Parse(pageHTML))

// csp is the page's Content-Security-Policy.
var csp = func() string {
	sum := sha256.Sum256([]byte(pageCSS))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}()

const (
	// defaultDays is the period without ?since=; maxDays the longest.
	defaultDays, maxDays = 7, 366
	// maxMonths is how many months the archive's chart shows.
	maxMonths = 36
	// sourceTimeout bounds the reading of the page's data.
	sourceTimeout = 10 * time.Second
	// The lengths, in characters, past which texts are cut.
	maxQuestion, maxTitle, maxNote = 300, 160, 240
)

// periods are the lengths, in days, the page links to.
var periods = []int{1, 7, 30, 90}

// page serves the admin page (GET /?since=7d&lang=fr).
type page struct{ opts Options }

func (p *page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	t := language(r)
	days, err := parseSince(r.URL.Query().Get("since"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	loc := p.opts.Location
	if loc == nil {
		loc = time.UTC
	}
	now := time.Now().In(loc)
	since := midnight(now).AddDate(0, 0, 1-days)
	clamped := false
	if ret := p.opts.Retention; ret > 0 && since.Before(now.Add(-ret)) {
		since, clamped = now.Add(-ret), true
	}
	ctx, cancel := context.WithTimeout(r.Context(), sourceTimeout)
	defer cancel()
	v := view{t: t, loc: loc, since: since, now: now}
	v.Report, v.reportErr = p.opts.Source.Report(ctx, since)
	v.Feeds, v.feedsErr = p.opts.Source.Feeds(ctx)
	v.Digests, v.digestsErr = p.opts.Source.Digests(ctx, since)
	v.Archive, v.archiveErr = p.opts.Source.Archive(ctx)
	data := v.page(days, clamped, p.opts.Retention)

	var body bytes.Buffer
	if err := pageTemplate.Execute(&body, data); err != nil {
		http.Error(w, "render the admin page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("Vary", "Accept-Language")
	_, _ = body.WriteTo(w)
}

// parseSince reads ?since=: a number of days such as 7d (default 7).
func parseSince(v string) (int, error) {
	if v == "" {
		return defaultDays, nil
	}
	n, err := strconv.Atoi(strings.TrimSuffix(v, "d"))
	if err != nil || !strings.HasSuffix(v, "d") || n < 1 || n > maxDays {
		return 0, fmt.Errorf("since=%q: want a number of days from 1 to %d, such as 7d", v, maxDays)
	}
	return n, nil
}

// midnight is the start of t's day, in t's time zone.
func midnight(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// view is what the Source gave, to turn into the template's data.
type view struct {
	t          *texts
	loc        *time.Location
	since, now time.Time

	Report                                      Report
	Feeds                                       []Feed
	Digests                                     []Digest
	Archive                                     Archive
	reportErr, feedsErr, digestsErr, archiveErr error
}

// pageData is the template's data: every text cut and every number
// placed.
type pageData struct {
	T       *texts
	Style   template.CSS
	Range   string
	Clamped string
	Privacy string
	Langs   []link
	Periods []link

	Report  reportData
	Feeds   feedsData
	Digests digestsData
	Archive archiveData
}

// link is one entry of the page's language or period menu.
type link struct {
	Label, Href, Lang string
	Current           bool
}

func (v *view) page(days int, clamped bool, retention time.Duration) pageData {
	t := v.t
	d := pageData{
		T: t, Style: template.CSS(pageCSS),
		Range:   fmt.Sprintf(t.Range, isolate(v.since.Format("2006-01-02")), isolate(v.now.Format("2006-01-02"))),
		Privacy: t.PrivacyForever,
		Report:  v.report(), Feeds: v.feeds(), Digests: v.digests(), Archive: v.archive(),
	}
	if clamped {
		d.Clamped = fmt.Sprintf(t.Clamped, isolate(v.since.Format("2006-01-02")))
	}
	if retention > 0 {
		d.Privacy = fmt.Sprintf(t.PrivacyRetention, t.duration(retention))
	}
	for _, l := range languages {
		d.Langs = append(d.Langs, link{l.Name, href(l.Lang, days), l.Lang, l == t})
	}
	for _, n := range periods {
		d.Periods = append(d.Periods, link{t.days(n), href(t.Lang, n), t.Lang, n == days})
	}
	return d
}

// href is the page's address in a language, over days.
func href(lang string, days int) string {
	return "?" + url.Values{"lang": {lang}, "since": {strconv.Itoa(days) + "d"}}.Encode()
}

// duration says a retention: in days when whole, else in hours.
func (t *texts) duration(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return t.days(int(d / (24 * time.Hour)))
	}
	return fmt.Sprintf("%d h", int(d.Hours()))
}

// latency says a time taken to answer, in milliseconds under a second.
func (t *texts) latency(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return t.number(d.Seconds()) + " s"
}

// when formats a time in the page's time zone, "—" when unknown.
func (v *view) when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(v.loc).Format("2006-01-02 15:04")
}

// failed says why a section could not be read, "" when it could.
func (v *view) failed(err error) string {
	if err == nil {
		return ""
	}
	return fmt.Sprintf(v.t.Unavailable, inert(err.Error(), maxNote))
}

// reportData is the report section.
type reportData struct {
	Err                       string
	Asked, Answered, NotFound int
	P50, P95                  string
	Chart                     *chart
	Unanswered                []topicRow
	Articles                  []articleRow
}

type topicRow struct {
	Question, Langs string
	Count           int
}

type articleRow struct {
	Title, URL string
	Count      int
}

func (v *view) report() reportData {
	r := v.Report
	d := reportData{Err: v.failed(v.reportErr), Asked: r.Asked, Answered: r.Asked - r.NotFound, NotFound: r.NotFound}
	if d.Err != "" || r.Asked == 0 {
		return d
	}
	d.P50, d.P95 = v.t.latency(r.LatencyP50), v.t.latency(r.LatencyP95)
	byDate := map[string]Day{}
	for _, day := range r.Days {
		byDate[day.Date.Format("2006-01-02")] = day
	}
	var cols []column
	for day := midnight(v.since); !day.After(v.now); day = day.AddDate(0, 0, 1) {
		date := day.Format("2006-01-02")
		n := byDate[date]
		cols = append(cols, column{date, []int{n.Asked - n.NotFound, n.NotFound},
			fmt.Sprintf("%s: %s %d, %s %d", date, v.t.Answered, n.Asked-n.NotFound, v.t.NotFound, n.NotFound)})
	}
	d.Chart = newChart(v.t.PerDay, []string{"ok", "nf"}, cols)
	for _, tp := range r.Unanswered {
		d.Unanswered = append(d.Unanswered, topicRow{inert(tp.Question, maxQuestion), inert(strings.Join(tp.Langs, ", "), maxTitle), tp.Count})
	}
	for _, a := range r.Articles {
		title := a.Title
		if strings.TrimSpace(title) == "" {
			title = a.URL
		}
		d.Articles = append(d.Articles, articleRow{inert(title, maxTitle), a.URL, a.Count})
	}
	return d
}

// feedsData is the feeds section.
type feedsData struct {
	Err  string
	Rows []feedRow
}

type feedRow struct {
	Name, URL, Health, HealthClass, Interval string
	Failures, Items                          int
	LastOK, NextPoll, LastError              string
}

func (v *view) feeds() feedsData {
	d := feedsData{Err: v.failed(v.feedsErr)}
	for _, f := range v.Feeds {
		name := f.Title
		if strings.TrimSpace(name) == "" {
			name = f.URL
		}
		d.Rows = append(d.Rows, feedRow{
			Name: inert(name, maxTitle), URL: f.URL, Health: translate(v.t.Healths, f.Health), HealthClass: f.Health,
			Interval: nlp.ShortDuration(f.Interval), Failures: f.Failures, Items: f.Items,
			LastOK: v.when(f.LastOK), NextPoll: v.when(f.NextPoll), LastError: inert(f.LastError, maxNote),
		})
	}
	return d
}

// digestsData is the digests section.
type digestsData struct {
	Err  string
	Rows []digestRow
}

type digestRow struct {
	Channel, Period, Status, StatusClass, Note string
	Messages                                   int
}

func (v *view) digests() digestsData {
	d := digestsData{Err: v.failed(v.digestsErr)}
	for _, g := range v.Digests {
		d.Rows = append(d.Rows, digestRow{inert(g.ChannelID, maxTitle), v.when(g.Period), translate(v.t.Statuses, g.Status),
			g.Status, inert(g.Note, maxNote), g.Messages})
	}
	return d
}

// archiveData is the archive section.
type archiveData struct {
	Err                 string
	Articles, Undated   int
	ByPublisher, ByLang []shareRow
	Months              *chart
	Earlier             string
}

// shareRow is a key's count and its bar, as a share of the largest.
type shareRow struct {
	Key    string
	N      int
	X, Pct float64
}

func (v *view) archive() archiveData {
	a := v.Archive
	d := archiveData{Err: v.failed(v.archiveErr), Articles: a.Articles, Undated: a.Undated}
	if d.Err != "" || a.Articles == 0 {
		return d
	}
	d.ByPublisher, d.ByLang = v.shares(a.ByPublisher), v.shares(a.ByLang)
	cols, before := monthColumns(a.ByMonth)
	if len(cols) > maxMonths {
		for _, c := range cols[:len(cols)-maxMonths] {
			before += c.values[0]
		}
		cols = cols[len(cols)-maxMonths:]
	}
	if len(cols) > 0 {
		d.Months = newChart(v.t.ByMonth, []string{"month"}, cols)
		if before > 0 {
			d.Earlier = fmt.Sprintf(v.t.Earlier, isolate(cols[0].label), before)
		}
	}
	return d
}

// shares turns counts into rows with bars drawn from the reading side:
// the left in a left-to-right page, the right in Arabic.
func (v *view) shares(cs []Count) []shareRow {
	top := 0
	for _, c := range cs {
		top = max(top, c.N)
	}
	var rows []shareRow
	for _, c := range cs {
		key := inert(c.Key, maxTitle)
		if strings.TrimSpace(key) == "" {
			key = v.t.NoKey
		}
		pct := 0.0
		if top > 0 {
			pct = round1(100 * float64(c.N) / float64(top))
		}
		x := 0.0
		if v.t.Dir == "rtl" {
			x = round1(100 - pct)
		}
		rows = append(rows, shareRow{key, c.N, x, pct})
	}
	return rows
}

// monthColumns lays the months of cs out from the first to the last, the
// months between without articles included; it returns with them the
// count of keys that are not months (none from a correct Source).
func monthColumns(cs []Count) ([]column, int) {
	counts, odd := map[string]int{}, 0
	var first, last time.Time
	for _, c := range cs {
		m, err := time.Parse("2006-01", c.Key)
		if err != nil {
			odd += c.N
			continue
		}
		counts[c.Key] += c.N
		if first.IsZero() || m.Before(first) {
			first = m
		}
		if m.After(last) {
			last = m
		}
	}
	if first.IsZero() {
		return nil, odd
	}
	var cols []column
	for m := first; !m.After(last); m = m.AddDate(0, 1, 0) {
		key := m.Format("2006-01")
		cols = append(cols, column{key, []int{counts[key]}, fmt.Sprintf("%s: %d", key, counts[key])})
	}
	return cols, odd
}

// translate is a value's word in a table, the value itself when the table
// has none.
func translate(words map[string]string, v string) string {
	if w, ok := words[v]; ok {
		return w
	}
	return inert(v, maxTitle)
}

// isolate makes a date or a number a left-to-right island in a sentence
// (U+2066 … U+2069), so that an Arabic sentence keeps 2025-01-31 as it
// is written instead of reordering its parts.
func isolate(s string) string { return "\u2066" + s + "\u2069" }

// inert prepares a text from outside (a question, a title, an error) for
// the page: without the controls that reorder text, and cut after max
// characters with an ellipsis. html/template escapes it; the template
// isolates it in <bdi>.
func inert(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') {
			return -1
		}
		return r
	}, s)
	if n := 0; len(s) > max {
		for i := range s {
			if n == max {
				return strings.TrimSpace(s[:i]) + "…"
			}
			n++
		}
	}
	return s
}
