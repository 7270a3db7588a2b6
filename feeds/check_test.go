package feeds_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dalil-news/dalil/rag"
)

// TestCheck shows that Check refuses, with the reason, what is not a feed
// (an HTML page, a 404, malformed XML) and reads a real one.
func TestCheck(t *testing.T) {
	e := newEnv(t)
	e.set("/page.html", route{body: []byte("<!doctype html><html><body><h1>Le Monde</h1></body></html>"), ctype: "text/html; charset=utf-8"})
	e.set("/bad.xml", route{body: []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>Cut</title><item><title>one`), ctype: "application/rss+xml"})
	e.set("/atom.xml", route{body: e.feed(t, "heise.atom", "https://www.heise.de/"), ctype: "application/atom+xml"})
	for _, tc := range []struct {
		path, want string
	}{
		{"/page.html", "neither RSS nor Atom (the server sent an HTML page)"},
		{"/missing.xml", "HTTP status 404 Not Found"},
		{"/bad.xml", "parse feed"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			_, err := e.poller.Check(context.Background(), e.srv.URL+tc.path)
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("Check(%s) = %v; want one line with %q", tc.path, err, tc.want)
			}
		})
	}
	got, err := e.poller.Check(context.Background(), e.srv.URL+"/atom.xml")
	if err != nil || got.Title != "heise developer neueste Meldungen" || got.Items != 15 {
		t.Errorf("Check(heise.atom) = %+v, %v; want its title and 15 entries", got, err)
	}
	if fl, err := e.store.Feeds(context.Background()); err != nil || len(fl) != 0 {
		t.Errorf("feeds after Check: %v, %v; want none stored", fl, err)
	}
}

// TestPollFeedsIgnoresBackoff shows that a feed backing off after a
// failure is not due, and that PollFeeds polls it now all the same,
// counting the failures in Result.Err.
func TestPollFeedsIgnoresBackoff(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.set("/feed.xml", route{body: []byte("down"), ctype: "text/plain", status: http.StatusServiceUnavailable})
	f := e.add(t, "/feed.xml")
	res, _ := e.poller.PollDue(ctx)
	if err := res.Err(); err == nil || err.Error() != "1 of 1 feeds failed" {
		t.Errorf("Result.Err of a failed poll = %v", err)
	}
	e.advance(time.Minute)
	e.set("/feed.xml", route{body: e.feed(t, "heise.atom", "https://www.heise.de/"), ctype: "application/atom+xml"})
	if res, err := e.poller.PollDue(ctx); err != nil || res.Polled != 0 {
		t.Fatalf("PollDue during the backoff = %+v, %v; want nothing polled", res, err)
	}
	res, err := e.poller.PollFeeds(ctx, []rag.Feed{e.feedState(t, f.URL)})
	if err != nil || res.Polled != 1 || res.FeedErrors != 0 || res.Err() != nil {
		t.Fatalf("PollFeeds = %+v, %v; want the feed polled now", res, err)
	}
	if got := e.feedState(t, f.URL); got.Failures != 0 || got.LastOK.IsZero() {
		t.Errorf("feed after a forced poll: %+v", got)
	}
}
