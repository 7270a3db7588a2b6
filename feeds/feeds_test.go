package feeds_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dalil-news/dalil/digest"
	"github.com/dalil-news/dalil/embeddings"
	"github.com/dalil-news/dalil/feeds"
	"github.com/dalil-news/dalil/ingest"
	"github.com/dalil-news/dalil/internal/testing/postgrestest"
	"github.com/dalil-news/dalil/postgres"
	"github.com/dalil-news/dalil/rag"
)

// env is a poller over a fresh database, polling a local server.
type env struct {
	store  *postgres.Store
	poller *feeds.Poller
	srv    *httptest.Server
	now    time.Time
	mu     sync.Mutex
	routes map[string]route
	// conditional records the If-None-Match header of each request by path.
	conditional map[string][]string
}

// route is what the server answers on a path.
type route struct {
	body   []byte
	ctype  string
	etag   string
	status int
	delay  time.Duration // before answering
}

func newEnv(t *testing.T) *env {
	t.Helper()
	emb := embeddings.NewOffline(embeddings.OfflineConfig{})
	store := postgrestest.MustOpen(t, emb)
	e := &env{store: store, now: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC), routes: map[string]route{}, conditional: map[string][]string{}}
	e.srv = httptest.NewServer(http.HandlerFunc(e.serve))
	t.Cleanup(e.srv.Close)
	svc := rag.NewService(store, emb, nil, rag.Config{})
	pages := ingest.NewFetcher(ingest.Config{AllowPrivate: true, Timeout: 5 * time.Second})
	// httptest listens on loopback, which the default client refuses.
	e.poller = feeds.NewPoller(store, svc, pages, slog.New(slog.NewTextHandler(tlog{t}, nil)), feeds.Config{Client: pages.Client(), Now: func() time.Time {
		e.mu.Lock()
		defer e.mu.Unlock()
		return e.now
	}})
	return e
}

// TestPollRefusesLoopbackByDefault shows that a feed URL pointing at the
// machine itself is refused unless private addresses are allowed.
func TestPollRefusesLoopbackByDefault(t *testing.T) {
	e := newEnv(t)
	e.set("/feed.xml", route{body: e.feed(t, "feed-dcdate.xml", "https://reporterre.net/"), ctype: "application/rss+xml"})
	f := e.add(t, "/feed.xml")
	pages := ingest.NewFetcher(ingest.Config{})
	p := feeds.NewPoller(e.store, nil, pages, slog.New(slog.NewTextHandler(tlog{t}, nil)), feeds.Config{})
	res, err := p.Poll(context.Background(), f)
	if err == nil || !strings.Contains(err.Error(), "loopback") || res.FeedErrors != 1 {
		t.Errorf("Poll of a loopback feed = %+v, %v; want a refusal naming the loopback address", res, err)
	}
}

func (e *env) serve(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	rt, ok := e.routes[r.URL.Path]
	e.conditional[r.URL.Path] = append(e.conditional[r.URL.Path], r.Header.Get("If-None-Match"))
	e.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	time.Sleep(rt.delay)
	if rt.etag != "" {
		w.Header().Set("ETag", rt.etag)
		if r.Header.Get("If-None-Match") == rt.etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	w.Header().Set("Content-Type", rt.ctype)
	if rt.status != 0 {
		w.WriteHeader(rt.status)
	}
	w.Write(rt.body)
}

func (e *env) set(path string, rt route) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.routes[path] = rt
}

func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = e.now.Add(d)
}

// feed reads a fixture with its links pointed at the test server.
func (e *env) feed(t *testing.T, name, host string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.ReplaceAll(b, []byte(host), []byte(e.srv.URL+"/"))
}

func (e *env) add(t *testing.T, path string) rag.Feed {
	t.Helper()
	f, _, err := e.store.AddFeed(context.Background(), e.srv.URL+path, 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (e *env) feedState(t *testing.T, url string) rag.Feed {
	t.Helper()
	f, err := e.store.FeedByURL(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// announced returns the titles a digest could announce now.
func (e *env) announced(t *testing.T) []string {
	t.Helper()
	arts, err := e.store.DigestArticles(context.Background(), digest.Query{Until: time.Now().Add(time.Hour), Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, a := range arts {
		titles = append(titles, a.Title)
	}
	return titles
}

// poll polls f once, failing the test on an error, and checks its result
// (what names the poll in the failure).
func (e *env) poll(ctx context.Context, t *testing.T, f rag.Feed, what string, want feeds.Result) {
	t.Helper()
	res, err := e.poller.Poll(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("%s (-want +got):\n%s", what, diff)
	}
}

// newItem is an item written for the tests, added to the ISO-8859-1 feed
// as the news that arrives after subscription.
const newItem = "<item><title>Not\xedcia nova: ponte reaberta ao tr\xe1fego</title><link>http://feeds.jn.pt/ponte-reaberta.html</link>" +
	"<guid>jn-ponte-reaberta</guid><description>A ponte foi reaberta ao tr\xe1fego esta manh\xe3, depois de tr\xeas meses de obras de refor\xe7o da estrutura.</description>" +
	"<pubDate>Wed, 03 Jan 2018 15:00:00 GMT</pubDate></item>"

func TestPollISO88591ETagAndBacklog(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	body := e.feed(t, "encoding.rss", "http://feeds.jn.pt/")
	e.set("/jn.rss", route{body: body, ctype: "application/rss+xml; charset=ISO-8859-1", etag: `"v1"`})
	f := e.add(t, "/jn.rss")

	// First poll: the backlog. Item pages 404, so the excerpts are kept;
	// the 4 items with no description (videos) fail and are retried.
	e.poll(ctx, t, f, "first poll", feeds.Result{Polled: 1, Items: 40, New: 36, ItemErrors: 4})
	got := e.feedState(t, f.URL)
	if got.ETag != `"v1"` || got.Failures != 0 || got.Title != "Jornal de Notícias - Últimas Notícias" || got.Items != 36 {
		t.Errorf("feed after first poll: etag %q failures %d title %q items %d", got.ETag, got.Failures, got.Title, got.Items)
	}
	if !got.NextPoll.Equal(e.now.Add(10 * time.Minute)) {
		t.Errorf("next poll %v, want %v", got.NextPoll, e.now.Add(10*time.Minute))
	}
	a, err := e.store.ArticleByURL(ctx, e.srv.URL+"/~r/JN-ULTIMAS/~3/UBnb8Ra3Q1U/sonia-laig-e-a-nova-presidente-da-rarissimas-9021600.html")
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != "Mãe de utente é a nova presidente da Raríssimas" || !strings.HasPrefix(a.Text, "Sónia Laygue, profissional na área") {
		t.Errorf("decoded article: title %q text %q", a.Title, a.Text)
	}
	if titles := e.announced(t); len(titles) != 0 {
		t.Errorf("the backlog is announced: %q", titles)
	}

	// Second poll: 304.
	e.advance(11 * time.Minute)
	e.poll(ctx, t, e.feedState(t, f.URL), "second poll", feeds.Result{Polled: 1, NotModified: 1})
	if diff := cmp.Diff([]string{"", `"v1"`}, e.conditional["/jn.rss"]); diff != "" {
		t.Errorf("If-None-Match sent (-want +got):\n%s", diff)
	}

	// Third poll: one new item, announced; the others are known by GUID.
	e.set("/jn.rss", route{body: bytes.Replace(body, []byte("<item>"), []byte(newItem+"<item>"), 1),
		ctype: "application/rss+xml; charset=ISO-8859-1", etag: `"v2"`})
	e.advance(11 * time.Minute)
	e.poll(ctx, t, e.feedState(t, f.URL), "third poll", feeds.Result{Polled: 1, Items: 41, New: 1, Known: 36, ItemErrors: 4})
	if diff := cmp.Diff([]string{"Notícia nova: ponte reaberta ao tráfego"}, e.announced(t)); diff != "" {
		t.Errorf("announced (-want +got):\n%s", diff)
	}
}

// TestPollScrubsNUL shows that a JSON feed writing NUL bytes (which
// PostgreSQL refuses) in its title, an item's id and an item's text, and a
// language of non-Latin letters, has its items stored and its state saved.
func TestPollScrubsNUL(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	text := strings.Repeat("Le conseil municipal a voté le budget de la ville pour l'année prochaine. ", 12)
	body := `{"version": "https://jsonfeed.org/version/1.1", "title": "Journal\u0000 test", "language": "中文",
	  "items": [
	    {"id": "g\u0000x", "url": "/a", "title": "Budget\u0000 voté", "content_text": "` + text + `\u0000"},
	    {"id": "g2", "url": "/b", "title": "Deuxième article", "content_text": "` + strings.Repeat("Le tramway de la ville sera prolongé vers le nord dès le printemps. ", 12) + `"}
	  ]}`
	e.set("/feed.json", route{body: []byte(body), ctype: "application/feed+json"})
	f := e.add(t, "/feed.json")
	e.poll(ctx, t, f, "poll", feeds.Result{Polled: 1, Items: 2, New: 2})
	if got := e.feedState(t, f.URL); got.Title != "Journal test" || got.Failures != 0 || got.Items != 2 {
		t.Errorf("feed after the poll: title %q failures %d items %d", got.Title, got.Failures, got.Items)
	}
	a, err := e.store.ArticleByURL(ctx, e.srv.URL+"/a")
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != "Budget voté" || a.Lang != "fr" {
		t.Errorf("stored article: title %q lang %q", a.Title, a.Lang)
	}
}

// TestPollEveryItemFailed shows that a poll in which not one item went in
// (an outage more likely than bad items) fails: its validators are not
// kept, so the next poll fetches the feed whole and retries the items, and
// a first poll's backlog stays unannounced.
func TestPollEveryItemFailed(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	text := strings.Repeat("Le conseil municipal a voté le budget de la ville pour l'année prochaine. ", 12)
	item := `{"id": "a1", "url": "/a", "title": "Budget voté", "content_text": "` + text + `"}`
	// The item's link is a javascript: URL dalil refuses, as an item
	// whose page and excerpt cannot be had would be.
	e.set("/feed.json", route{body: []byte(`{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": [` +
		strings.Replace(item, `"/a"`, `"javascript:void(0)"`, 1) + `]}`), ctype: "application/feed+json", etag: `"v1"`})
	f := e.add(t, "/feed.json")
	res, err := e.poller.Poll(ctx, f)
	if err == nil || !strings.Contains(err.Error(), "none of its 1 items could be ingested") {
		t.Errorf("first poll: %v, want every item failed", err)
	}
	if diff := cmp.Diff(feeds.Result{Polled: 1, FeedErrors: 1, Items: 1, ItemErrors: 1}, res); diff != "" {
		t.Errorf("first poll (-want +got):\n%s", diff)
	}
	got := e.feedState(t, f.URL)
	if got.ETag != "" || got.Failures != 1 || !got.LastOK.IsZero() {
		t.Errorf("feed after the failed poll: etag %q failures %d last ok %v", got.ETag, got.Failures, got.LastOK)
	}

	// Fixed, with the same ETag: fetched whole, ingested, not announced.
	e.set("/feed.json", route{body: []byte(`{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": [` + item + `]}`),
		ctype: "application/feed+json", etag: `"v1"`})
	e.advance(time.Hour)
	e.poll(ctx, t, e.feedState(t, f.URL), "second poll", feeds.Result{Polled: 1, Items: 1, New: 1})
	if titles := e.announced(t); len(titles) != 0 {
		t.Errorf("the backlog is announced: %q", titles)
	}
}

func TestPollBrokenFeedBacksOffAndTurnsUnhealthy(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.set("/broken.rss", route{body: []byte("<html><body><h1>Maintenance</h1>"), ctype: "text/html"})
	e.set("/gone.rss", route{body: []byte("gone"), ctype: "text/plain", status: http.StatusInternalServerError})
	for _, path := range []string{"/broken.rss", "/gone.rss"} {
		t.Run(path, func(t *testing.T) {
			f := e.add(t, path)
			var waits []time.Duration
			for i := 0; i < 6; i++ {
				before := e.now
				if _, err := e.poller.Poll(ctx, f); err == nil {
					t.Fatalf("poll %d of %s succeeded", i+1, path)
				}
				f = e.feedState(t, f.URL)
				waits = append(waits, f.NextPoll.Sub(before))
				e.advance(f.NextPoll.Sub(e.now))
			}
			want := []time.Duration{10 * time.Minute, 20 * time.Minute, 40 * time.Minute, 80 * time.Minute, 160 * time.Minute, 320 * time.Minute}
			if diff := cmp.Diff(want, waits); diff != "" {
				t.Errorf("backoff (-want +got):\n%s", diff)
			}
			if f.Failures != 6 || f.Health(e.poller.MaxFailures()) != rag.FeedUnhealthy || f.LastError == "" {
				t.Errorf("feed: failures %d health %s error %q", f.Failures, f.Health(e.poller.MaxFailures()), f.LastError)
			}
		})
	}
}

// page is an article page written for the test, served where the
// excerpt-only item links.
const page = `<!doctype html><html lang="fr"><head><title>Europe : vers un affaiblissement historique des normes écologiques</title>
<meta property="og:site_name" content="Reporterre"></head><body><article><h1>Europe : vers un affaiblissement historique des normes écologiques</h1>
<p>Le 26 février, la Commission européenne a présenté un projet de directive « Omnibus », un ensemble de nouvelles règles destinées à alléger les contraintes administratives pesant sur les entreprises.</p>
<p>Plusieurs ONG et syndicats craignent un affaiblissement historique des normes de durabilité et de protection des droits humains, qui avaient été adoptées au terme de longues négociations entre les États membres et le Parlement européen.</p>
<p>Le texte doit maintenant être examiné par le Parlement et le Conseil, où les débats s'annoncent vifs entre les partisans de la simplification et les défenseurs du pacte vert.</p>
</article></body></html>`

func TestPollExcerptFetchesPageAndDedupes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.set("/reporterre.xml", route{body: e.feed(t, "feed-dcdate.xml", "https://reporterre.net/"), ctype: "application/rss+xml"})
	e.set("/copy.xml", route{body: e.feed(t, "feed-dcdate.xml", "https://reporterre.net/"), ctype: "application/rss+xml"})
	e.set("/Europe-vers-un-affaiblissement-historique-des-normes-ecologiques", route{body: []byte(page), ctype: "text/html; charset=utf-8"})
	f := e.add(t, "/reporterre.xml")

	e.poll(ctx, t, f, "poll", feeds.Result{Polled: 1, Items: 1, New: 1})
	a, err := e.store.ArticleByURL(ctx, e.srv.URL+"/Europe-vers-un-affaiblissement-historique-des-normes-ecologiques")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Text, "débats s'annoncent vifs") || a.Lang != "fr" || a.Published.Format(time.RFC3339) != "2025-02-26T16:42:45Z" {
		t.Errorf("article from the page: lang %q published %v text %q", a.Lang, a.Published, a.Text)
	}

	// Same feed again (no validators): known by GUID. Another feed with
	// the same item: known by URL, without fetching the page again.
	fetches := len(e.conditional["/Europe-vers-un-affaiblissement-historique-des-normes-ecologiques"])
	res, err := e.poller.Poll(ctx, e.feedState(t, f.URL))
	if err != nil {
		t.Fatal(err)
	}
	res2, err := e.poller.Poll(ctx, e.add(t, "/copy.xml"))
	if err != nil {
		t.Fatal(err)
	}
	res.Add(res2)
	if diff := cmp.Diff(feeds.Result{Polled: 2, Items: 2, Known: 2}, res); diff != "" {
		t.Errorf("re-polls (-want +got):\n%s", diff)
	}
	if n := len(e.conditional["/Europe-vers-un-affaiblissement-historique-des-normes-ecologiques"]); n != fetches {
		t.Errorf("page fetched %d more times", n-fetches)
	}
}

// tlog writes the poller's log to the test's log.
type tlog struct{ t *testing.T }

func (l tlog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
