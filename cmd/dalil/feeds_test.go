package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// feedServer serves the bodies of paths (404 for the others) and lets a
// test change them.
type feedServer struct {
	*httptest.Server
	mu    sync.Mutex
	pages map[string]string
}

func newFeedServer(t *testing.T, pages map[string]string) *feedServer {
	s := &feedServer{pages: pages}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		body, ok := s.pages[r.URL.Path]
		s.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		if strings.Contains(body, "<html") {
			w.Header().Set("Content-Type", "text/html")
		}
		w.Write([]byte(body))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *feedServer) set(path, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages[path] = body
}

// emptyFeed is a valid RSS 2.0 feed without items (so that polling it
// fetches no page).
const emptyFeed = `<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet news</title><link>https://quiet.example/</link><description>nothing yet</description></channel></rss>`

// newFeedsCLI is a CLI over a fresh database that may fetch from loopback.
func newFeedsCLI(t *testing.T) cli {
	c := newCLI(t)
	c.env["FETCH_ALLOW_PRIVATE"] = "true"
	return c
}

// TestCLIFeedsAddChecksAndPollForces shows that 'feeds add' reads the feed
// once and refuses what is not one, that 'feeds poll' fails when a feed
// fails, and that 'feeds poll ID' polls a feed backing off.
func TestCLIFeedsAddChecksAndPollForces(t *testing.T) {
	atom, err := os.ReadFile("../../feeds/testdata/heise.atom")
	if err != nil {
		t.Fatal(err)
	}
	srv := newFeedServer(t, map[string]string{
		"/page.html":  "<!doctype html><html><body><h1>Actualités</h1></body></html>",
		"/bad.xml":    `<?xml version="1.0"?><rss version="2.0"><channel><title>Cut</title><item><title>one`,
		"/heise.atom": string(atom),
		"/quiet.xml":  emptyFeed,
	})
	c := newFeedsCLI(t)
	for path, want := range map[string]string{
		"/page.html":   "neither RSS nor Atom (the server sent an HTML page)",
		"/missing.xml": "HTTP status 404 Not Found",
		"/bad.xml":     "parse feed",
	} {
		out, _, err := c.run("feeds", "add", srv.URL+path)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "--no-check") || strings.Contains(err.Error(), "\n") {
			t.Errorf("feeds add %s = %q, %v; want one line with %q", path, out, err, want)
		}
	}
	if out, _, err := c.run("feeds", "list"); err != nil || !strings.Contains(out, "no feeds") {
		t.Fatalf("feeds list after refused adds = %q, %v; want none", out, err)
	}
	out, _, err := c.run("feeds", "add", srv.URL+"/heise.atom")
	if err != nil || !strings.Contains(out, `"heise developer neueste Meldungen", 15 items`) {
		t.Fatalf("feeds add of a real feed = %q, %v", out, err)
	}
	// Its items link to heise.de: not polled here.
	if _, _, err := c.run("feeds", "remove", srv.URL+"/heise.atom"); err != nil {
		t.Fatal(err)
	}
	if out, _, err := c.run("feeds", "add", "--no-check", srv.URL+"/page.html"); err != nil || !strings.Contains(out, "feed 2 added") || !strings.Contains(out, "not checked") {
		t.Fatalf("feeds add --no-check = %q, %v", out, err)
	}
	if out, _, err := c.run("feeds", "add", srv.URL+"/quiet.xml"); err != nil || !strings.Contains(out, `"Quiet news", 0 items`) {
		t.Fatalf("feeds add of a feed without items = %q, %v", out, err)
	}

	out, _, err = c.run("feeds", "poll")
	if err == nil || !strings.Contains(err.Error(), "1 of 2 feeds failed") || !strings.Contains(out, "polled 2 feeds: 0 not modified, 1 failed") {
		t.Errorf("feeds poll with a failing feed = %q, %v; want an error saying 1 of 2 failed", out, err)
	}
	// The HTML page backs off; the working feed waits for its interval.
	if out, _, err := c.run("feeds", "poll"); err != nil || !strings.Contains(out, "polled 0 feeds") {
		t.Errorf("second feeds poll = %q, %v; want nothing due", out, err)
	}
	srv.set("/page.html", emptyFeed)
	if out, _, err := c.run("feeds", "poll", "2"); err != nil || !strings.Contains(out, "polled 1 feed: 0 not modified, 0 failed") {
		t.Errorf("feeds poll 2 = %q, %v; want the backing-off feed polled now", out, err)
	}
	if out, _, err := c.run("feeds", "poll", "--all"); err != nil || !strings.Contains(out, "polled 2 feeds") {
		t.Errorf("feeds poll --all = %q, %v; want both feeds polled", out, err)
	}
}

// failedFeed is a CLI with one feed, polled every 2h, whose poll failed:
// nothing listens at its address.
func failedFeed(t *testing.T) cli {
	c := newFeedsCLI(t)
	url := "http://127.0.0.1:1/publisher/news/sections/politics-and-economy/feed.xml"
	if _, _, err := c.run("feeds", "add", "--no-check", "--interval", "2h", url); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.run("feeds", "poll"); err == nil {
		t.Fatal("poll of a refused connection succeeded")
	}
	return c
}

// TestCLIFeedsListShowsCause shows that 'feeds list' prints a failed
// feed's error up to its cause, however long the URL.
func TestCLIFeedsListShowsCause(t *testing.T) {
	out, _, err := failedFeed(t).run("feeds", "list")
	if err != nil || !strings.Contains(out, "connection refused") {
		t.Errorf("feeds list = %q, %v; want the cause of the failure", out, err)
	}
}

// TestCLIFeedsListLabelsZone shows that 'feeds list' labels its times
// with their zone.
func TestCLIFeedsListLabelsZone(t *testing.T) {
	out, _, err := failedFeed(t).run("feeds", "list")
	if err != nil || !regexp.MustCompile(`\d\d:\d\d \+0[01]:00 \(Africa/Casablanca\)`).MatchString(out) {
		t.Errorf("feeds list = %q, %v; want the next poll labelled with its zone", out, err)
	}
}

// TestCLIFeedsListJSONInterval shows that --json gives intervals as
// durations and seconds, not nanoseconds.
func TestCLIFeedsListJSONInterval(t *testing.T) {
	out, _, err := failedFeed(t).run("feeds", "list", "--json")
	if err != nil || !strings.Contains(out, `"interval": "2h0m0s"`) || !strings.Contains(out, `"interval_seconds": 7200`) {
		t.Errorf("feeds list --json = %q, %v; want the interval as \"2h0m0s\" and 7200 seconds", out, err)
	}
}
