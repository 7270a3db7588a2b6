package admin

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dalil-news/dalil/digest"
	"github.com/dalil-news/dalil/rag"
)

// fixed is a Source of a view model built by hand; since records the
// period the page asked for.
type fixed struct {
	report   Report
	feeds    []Feed
	digests  []Digest
	archive  Archive
	feedsErr error
	since    time.Time
}

func (f *fixed) Report(_ context.Context, since time.Time) (Report, error) {
	f.since = since
	return f.report, nil
}
func (f *fixed) Feeds(context.Context) ([]Feed, error) { return f.feeds, f.feedsErr }
func (f *fixed) Digests(context.Context, time.Time) ([]Digest, error) {
	return f.digests, nil
}
func (f *fixed) Archive(context.Context) (Archive, error) { return f.archive, nil }

// hostile are questions that must show as text and nothing else.
var hostile = []string{
	"<script>alert(1)</script>",
	"@everyone look",
	"abc\u202egnp.exe",
	strings.Repeat("long ", 800), // 4,000 characters
}

// sample is a page's worth of data: two days of questions with a day
// without between them, hostile questions, feeds, digests, an archive
// with a month without articles.
func sample(now time.Time) *fixed {
	day := func(ago int) time.Time { return midnight(now).AddDate(0, 0, -ago) }
	var topics []Topic
	for i, q := range hostile {
		topics = append(topics, Topic{Question: q, Count: 4 - i, Langs: []string{"en", "fr"}})
	}
	return &fixed{
		report: Report{
			Days:  []Day{{Date: day(4), Asked: 3, NotFound: 1}, {Date: day(2), Asked: 5, NotFound: 3}},
			Asked: 8, NotFound: 4, LatencyP50: 850 * time.Millisecond, LatencyP95: 2300 * time.Millisecond,
			Unanswered: topics,
			Articles: []ArticleCount{
				{Title: "Le Maroc lance son IA", URL: "https://desk.example/ia", Count: 3},
				{Title: "<img src=x onerror=alert(2)>", URL: "javascript:alert(3)", Count: 1},
			},
		},
		feeds: []Feed{
			{ID: 1, URL: "https://desk.example/rss", Title: "Le Desk", Health: "ok", Items: 120, Interval: 30 * time.Minute, LastOK: now},
			{ID: 2, URL: "https://down.example/rss", Health: "unhealthy", Failures: 5, Interval: time.Hour, LastError: "HTTP 503"},
		},
		digests: []Digest{{ChannelID: "123", Period: now, Status: "posted", Messages: 2}, {ChannelID: "123", Period: day(1), Status: "empty"}},
		archive: Archive{
			Articles: 9, Undated: 1,
			ByPublisher: []Count{{"Le Desk", 5}, {"هسبريس", 3}},
			ByLang:      []Count{{"fr", 5}, {"ar", 3}, {"", 1}},
			ByMonth:     []Count{{"2024-01", 4}, {"2024-03", 4}},
		},
	}
}

// serve makes a request to h and returns the response and its body.
func serve(h http.Handler, target string, header ...string) (*http.Response, string) {
	if strings.HasPrefix(target, "/") {
		target = "http://127.0.0.1:9090" + target // as ADMIN_ADDR's default serves it
	}
	req := httptest.NewRequest("GET", target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result(), rec.Body.String()
}

func TestAccess(t *testing.T) {
	const token = "0123456789abcdef-secret"
	basic := func(user, password string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
	}
	open := Handler(prometheus.NewRegistry(), Options{Source: sample(time.Now())})
	guarded := Handler(prometheus.NewRegistry(), Options{Token: token, Source: sample(time.Now())})
	tests := []struct {
		name     string
		h        http.Handler
		path     string
		auth     string
		wantCode int
	}{
		{"loopback: no token needed", open, "/", "", 200},
		{"loopback: metrics", open, "/metrics", "", 200},
		{"loopback by name", open, "http://localhost:9090/", "", 200},
		{"loopback, IPv6", open, "http://[::1]:9090/metrics", "", 200},
		{"no token: another host name (DNS rebinding)", open, "http://attacker.example:9090/", "", 403},
		{"no token: metrics through another host name", open, "http://attacker.example/metrics", "", 403},
		{"no token: probes stay open", open, "http://attacker.example:9090/healthz", "", 200},
		{"token: any host name", guarded, "http://dalil.example.org/", "Bearer " + token, 200},
		{"no credentials", guarded, "/", "", 401},
		{"wrong bearer", guarded, "/", "Bearer 0123456789abcdef-secreT", 401},
		{"bearer prefix of the token", guarded, "/", "Bearer 0123456789abcdef", 401},
		{"right bearer", guarded, "/", "Bearer " + token, 200},
		{"bearer, any case", guarded, "/", "bearer " + token, 200},
		{"wrong basic password", guarded, "/", basic("admin", "nope"), 401},
		{"token as basic user name", guarded, "/", basic(token, ""), 401},
		{"right basic password", guarded, "/", basic("anyone", token), 200},
		{"metrics without token", guarded, "/metrics", "", 401},
		{"metrics with token", guarded, "/metrics", "Bearer " + token, 200},
		{"liveness stays open", guarded, "/healthz", "", 200},
		{"readiness stays open", guarded, "/readyz", "", 200},
		{"unknown path", guarded, "/admin", "", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := serve(tt.h, tt.path, "Authorization", tt.auth)
			if resp.StatusCode != tt.wantCode {
				t.Fatalf("GET %s with %q = %d, want %d", tt.path, tt.auth, resp.StatusCode, tt.wantCode)
			}
			if tt.wantCode == 401 {
				if got := resp.Header.Values("WWW-Authenticate"); len(got) != 2 || !strings.HasPrefix(got[0], `Basic realm="dalil admin"`) {
					t.Errorf("WWW-Authenticate = %q, want a Basic and a Bearer challenge", got)
				}
				if strings.Contains(body, token) || strings.Contains(body, "<html") {
					t.Errorf("401 body = %q", body)
				}
			}
		})
	}
	if _, body := serve(Handler(prometheus.NewRegistry(), Options{}), "/"); !strings.Contains(body, "404") {
		t.Errorf("without a Source, / = %q, want 404", body)
	}
}

func TestPageHeaders(t *testing.T) {
	resp, body := serve(Handler(prometheus.NewRegistry(), Options{Source: sample(time.Now())}), "/")
	want := map[string]string{
		"Content-Type":           "text/html; charset=utf-8",
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "no-referrer",
		"Cache-Control":          "no-store",
	}
	for k, v := range want {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	policy := resp.Header.Get("Content-Security-Policy")
	for _, d := range []string{"default-src 'none'", "img-src data:", "form-action 'none'", "frame-ancestors 'none'", "base-uri 'none'"} {
		if !strings.Contains(policy, d) {
			t.Errorf("Content-Security-Policy %q lacks %q", policy, d)
		}
	}
	if strings.Contains(policy, "unsafe") || strings.Contains(policy, "script-src") {
		t.Errorf("Content-Security-Policy %q allows scripts or unsafe styles", policy)
	}
	// The style sheet the policy allows is the one in the page.
	m := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no <style> in the page")
	}
	sum := sha256.Sum256([]byte(m[1]))
	if hash := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(policy, "style-src "+hash) {
		t.Errorf("Content-Security-Policy %q does not allow the page's style, %s", policy, hash)
	}
	if strings.Contains(strings.ToLower(body), "<script") || strings.Contains(body, " style=") {
		t.Error("the page has a script or a style attribute, which its policy blocks")
	}
}

func TestPageLanguages(t *testing.T) {
	h := Handler(prometheus.NewRegistry(), Options{Source: sample(time.Now()), Retention: 90 * 24 * time.Hour})
	tests := []struct {
		target, acceptLanguage string
		want                   []string
	}{
		{"/", "", []string{`<html lang="en" dir="ltr">`, "<title>dalil — admin</title>", "Questions per day", "Unanswered questions", "Not found in the archive"}},
		{"/?lang=fr", "ar", []string{`<html lang="fr" dir="ltr">`, "dalil — administration", "Questions par jour", "Absentes des archives", "hors service", "Revues de presse", "850 ms", "2,3 s"}},
		{"/", "ar-MA,ar;q=0.9,fr;q=0.8", []string{`<html lang="ar" dir="rtl">`, "دليل — الإدارة", "الأسئلة في اليوم", "أسئلة بلا إجابة", "معطلة", "2٫3 s", "لمدة 90 يومًا"}},
		{"/", "de-DE, fr;q=0.5, en;q=0.4", []string{`<html lang="fr" dir="ltr">`}},
		{"/?lang=xx", "de", []string{`<html lang="en" dir="ltr">`}},
		{"/?lang=AR", "", []string{`dir="rtl"`}},
	}
	for _, tt := range tests {
		resp, body := serve(h, tt.target, "Accept-Language", tt.acceptLanguage)
		if resp.StatusCode != 200 {
			t.Errorf("GET %s: %d", tt.target, resp.StatusCode)
		}
		for _, w := range tt.want {
			if !strings.Contains(body, w) {
				t.Errorf("GET %s (Accept-Language %q) lacks %q", tt.target, tt.acceptLanguage, w)
			}
		}
	}
}

func TestPageHostileText(t *testing.T) {
	_, body := serve(Handler(prometheus.NewRegistry(), Options{Source: sample(time.Now())}), "/")
	for _, bad := range []string{"<script", "<img", "javascript:", "\u202e", hostile[3]} {
		if strings.Contains(body, bad) {
			t.Errorf("the page contains %q", bad)
		}
	}
	for _, good := range []string{
		"<bdi>&lt;script&gt;alert(1)&lt;/script&gt;</bdi>",
		"<bdi>@everyone look</bdi>",
		"<bdi>abcgnp.exe</bdi>",
		"<bdi>" + strings.Repeat("long ", 59) + "long…</bdi>",
		"&lt;img src=x onerror=alert(2)&gt;",
		`href="#ZgotmplZ"`,
	} {
		if !strings.Contains(body, good) {
			t.Errorf("the page lacks %q", good)
		}
	}
}

func TestPageEmpty(t *testing.T) {
	h := Handler(prometheus.NewRegistry(), Options{Source: &fixed{}, Retention: 90 * 24 * time.Hour})
	resp, body := serve(h, "/")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, want := range []string{"No questions yet in this period.", "No feeds", "No digest in this period.", "The archive is empty.",
		"kept 90 days (ANSWERS_RETENTION)", "keyed hashes"} {
		if !strings.Contains(body, want) {
			t.Errorf("the empty page lacks %q", want)
		}
	}
	if strings.Contains(body, "<svg") || strings.Contains(body, "NaN") || strings.Contains(body, "Inf") {
		t.Error("the empty page draws a chart")
	}
	// Days without questions, every day: no chart either.
	src := &fixed{report: Report{Days: []Day{{Date: midnight(time.Now())}}}}
	if _, body := serve(Handler(prometheus.NewRegistry(), Options{Source: src}), "/"); strings.Contains(body, "<svg") {
		t.Error("a period of zeros draws a chart")
	}
}

func TestPageGaps(t *testing.T) {
	loc, err := time.LoadLocation("Africa/Casablanca")
	if err != nil {
		t.Fatal(err)
	}
	h := Handler(prometheus.NewRegistry(), Options{Source: sample(time.Now().In(loc)), Location: loc})
	_, body := serve(h, "/?since=7d")
	charts := regexp.MustCompile(`(?s)<svg viewBox="0 0 720 200".*?</svg>`).FindAllString(body, -1)
	if len(charts) != 2 {
		t.Fatalf("%d charts, want the days' and the months'", len(charts))
	}
	days, months := charts[0], charts[1]
	if n := strings.Count(days, "<g><title>"); n != 7 {
		t.Errorf("%d days in the chart of 7 days", n)
	}
	today := midnight(time.Now().In(loc))
	for ago, want := range map[int]string{3: ": Answered 0, Not found in the archive 0</title></g>", 2: ": Answered 2, Not found in the archive 3</title><rect class=\"ok\""} {
		if d := today.AddDate(0, 0, -ago).Format("2006-01-02"); !strings.Contains(days, d+want) {
			t.Errorf("the chart lacks %s%s", d, want)
		}
	}
	if !strings.Contains(months, "<title>2024-02: 0</title></g>") || strings.Count(months, "<g><title>") != 3 {
		t.Errorf("the months' chart misses February, a month without articles:\n%s", months)
	}
	if strings.Contains(body, "NaN") {
		t.Error("NaN in a chart")
	}
}

func TestPagePeriod(t *testing.T) {
	now := time.Now()
	src := sample(now)
	h := Handler(prometheus.NewRegistry(), Options{Source: src, Retention: 48 * time.Hour})
	resp, body := serve(h, "/?since=30d")
	if resp.StatusCode != 200 || !strings.Contains(body, "older answers have been deleted") {
		t.Errorf("a period longer than the retention: %d, no note", resp.StatusCode)
	}
	if src.since.Before(now.Add(-48*time.Hour)) || src.since.After(time.Now().Add(-48*time.Hour)) {
		t.Errorf("the report was asked from %v, want 48 hours ago", src.since)
	}
	for _, bad := range []string{"0d", "367d", "7", "week", "-1d", "7dd"} {
		if resp, _ := serve(h, "/?since="+bad); resp.StatusCode != 400 {
			t.Errorf("since=%s: %d, want 400", bad, resp.StatusCode)
		}
	}
}

func TestPageSectionError(t *testing.T) {
	src := sample(time.Now())
	src.feedsErr = errors.New("feeds: connection <refused>")
	resp, body := serve(Handler(prometheus.NewRegistry(), Options{Source: src}), "/")
	if resp.StatusCode != 200 || !strings.Contains(body, "Unavailable: feeds: connection &lt;refused&gt;") || !strings.Contains(body, "Le Maroc lance son IA") {
		t.Errorf("a failed section: %d, want its error and the other sections", resp.StatusCode)
	}
}

func TestInert(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"exactly ten", 11, "exactly ten"},
		{"a bit too long", 8, "a bit to…"},
		{"سؤال طويل جدا", 4, "سؤال…"},
		{"x\u202ey\u2066z\u2069\u202a", 10, "xyz"},
		{"", 5, ""},
	}
	for _, tt := range tests {
		if got := inert(tt.in, tt.max); got != tt.want {
			t.Errorf("inert(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

func TestChart(t *testing.T) {
	if c := newChart("none", []string{"ok"}, nil); c != nil {
		t.Error("a chart of no columns")
	}
	if c := newChart("zeros", []string{"ok"}, []column{{"a", []int{0, 0}, ""}}); c != nil {
		t.Error("a chart of zeros")
	}
	c := newChart("days", []string{"ok", "nf"}, []column{{"d1", []int{2, 2}, ""}, {"d2", []int{0, 0}, ""}, {"d3", []int{1, 0}, ""}})
	if c.Max != 4 || len(c.Bars) != 3 || c.First != "d1" || c.Last != "d3" {
		t.Fatalf("chart = %+v", c)
	}
	tallest := c.Bars[0].Segs
	if len(tallest) != 2 || tallest[1].Y != c.Top || tallest[0].Y+tallest[0].H != c.Base || tallest[0].H != tallest[1].H {
		t.Errorf("the tallest column's segments %+v do not span %v to %v in halves", tallest, c.Base, c.Top)
	}
	if len(c.Bars[1].Segs) != 0 || len(c.Bars[2].Segs) != 1 || c.Bars[2].Segs[0].H*4 != c.Base-c.Top {
		t.Errorf("columns %+v", c.Bars[1:])
	}
}

// TestTexts checks that every language has every text, and a word for
// every feed health and digest status.
func TestTexts(t *testing.T) {
	healths := []rag.FeedHealth{rag.FeedNew, rag.FeedOK, rag.FeedFailing, rag.FeedUnhealthy}
	statuses := []digest.Status{digest.Pending, digest.Posted, digest.Empty, digest.Failed, digest.Skipped, digest.Unknown}
	for _, l := range languages {
		v := reflect.ValueOf(*l)
		for i := range v.NumField() {
			if f := v.Field(i); f.Kind() == reflect.String && f.String() == "" {
				t.Errorf("%s: %s is empty", l.Lang, v.Type().Field(i).Name)
			}
		}
		for _, h := range healths {
			if l.Healths[string(h)] == "" {
				t.Errorf("%s: no word for the feed health %q", l.Lang, h)
			}
		}
		for _, s := range statuses {
			if l.Statuses[string(s)] == "" {
				t.Errorf("%s: no word for the digest status %q", l.Lang, s)
			}
		}
		if len(l.Healths) != len(healths) || len(l.Statuses) != len(statuses) {
			t.Errorf("%s: words for unknown healths or statuses", l.Lang)
		}
	}
}
