package feeds_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dalil-news/dalil/embeddings"
	"github.com/dalil-news/dalil/feeds"
	"github.com/dalil-news/dalil/ingest"
	"github.com/dalil-news/dalil/rag"
)

// TestPollDueReplicas runs two pollers, as two replicas would, on one
// database: in each period every due feed is fetched once, by one of them.
func TestPollDueReplicas(t *testing.T) {
	e := newEnv(t)
	const n = 8
	for i := range n {
		path := fmt.Sprintf("/f%d.xml", i)
		e.set(path, route{body: smallFeed(e.srv.URL, i), ctype: "application/rss+xml", delay: 30 * time.Millisecond})
		e.add(t, path)
	}
	emb := embeddings.NewOffline(embeddings.OfflineConfig{})
	pages := ingest.NewFetcher(ingest.Config{AllowPrivate: true, Timeout: 5 * time.Second})
	other := feeds.NewPoller(e.store, rag.NewService(e.store, emb, nil, rag.Config{}), pages,
		slog.New(slog.NewTextHandler(tlog{t}, nil)), feeds.Config{Client: pages.Client(), Now: func() time.Time {
			e.mu.Lock()
			defer e.mu.Unlock()
			return e.now
		}})
	round := func(wantPolled, wantFetched int) {
		t.Helper()
		var wg sync.WaitGroup
		var mu sync.Mutex
		var polled []int
		for _, p := range []*feeds.Poller{e.poller, other} {
			wg.Go(func() {
				res, err := p.PollDue(context.Background())
				if err != nil || res.FeedErrors != 0 {
					t.Errorf("PollDue = %+v, %v", res, err)
				}
				mu.Lock()
				polled = append(polled, res.Polled)
				mu.Unlock()
			})
		}
		wg.Wait()
		if polled[0]+polled[1] != wantPolled {
			t.Errorf("the pollers polled %v feeds, want %d in all", polled, wantPolled)
		}
		e.mu.Lock()
		defer e.mu.Unlock()
		for i := range n {
			if got := len(e.conditional[fmt.Sprintf("/f%d.xml", i)]); got != wantFetched {
				t.Errorf("feed %d fetched %d times, want %d", i, got, wantFetched)
			}
		}
	}
	round(n, 1)
	round(0, 1) // nothing due: polled already this period
	e.advance(11 * time.Minute)
	round(n, 2)
}

// smallFeed is an RSS feed written for the tests: two items of its own,
// long enough to be taken as articles without fetching their pages.
func smallFeed(base string, n int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Feed %d</title><link>%s/</link>`, n, base)
	for i := range 2 {
		fmt.Fprintf(&b, `<item><title>Nouvelle %d du flux %d</title><link>%s/articles/%d-%d.html</link><guid>f%d-%d</guid><description>`, i, n, base, n, i, n, i)
		for range 12 {
			fmt.Fprintf(&b, "Le port de la ville %d a ouvert un nouveau quai pour les navires de commerce, annonce la direction. ", n*10+i)
		}
		b.WriteString(`</description><pubDate>Sat, 01 Mar 2025 08:00:00 GMT</pubDate></item>`)
	}
	b.WriteString(`</channel></rss>`)
	return []byte(b.String())
}
