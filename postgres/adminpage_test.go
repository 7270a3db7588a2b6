package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dalil-news/dalil/admin"
	"github.com/dalil-news/dalil/digest"
)

func TestAdminSourceEmpty(t *testing.T) {
	ctx := context.Background()
	src := MustOpenBound(t).AdminSource(5, time.UTC)
	fl, err := src.Feeds(ctx)
	if err != nil || len(fl) != 0 {
		t.Errorf("Feeds = %v, %v; want none", fl, err)
	}
	ds, err := src.Digests(ctx, time.Time{})
	if err != nil || len(ds) != 0 {
		t.Errorf("Digests = %v, %v; want none", ds, err)
	}
	a, err := src.Archive(ctx)
	if err != nil || !cmp.Equal(a, admin.Archive{}) {
		t.Errorf("Archive of an empty archive = %+v, %v; want zero", a, err)
	}
}

func TestAdminSource(t *testing.T) {
	ctx := context.Background()
	s := MustOpenBound(t)
	loc, err := time.LoadLocation("Africa/Casablanca")
	if err != nil {
		t.Fatal(err)
	}
	src := s.AdminSource(3, loc)

	// The archive: January and March 2024, none in February, one undated.
	save := saver(t, s)
	month := func(m time.Month, d int) time.Time { return time.Date(2024, m, d, 12, 0, 0, 0, time.UTC) }
	save(makeArticle("https://desk.example/1", "fr", month(1, 15), []int{0}, "Un."))
	a2, c2 := makeArticle("https://desk.example/2", "fr", month(3, 2), []int{1}, "Deux.")
	save(a2, c2)
	a3, c3 := makeArticle("https://hespress.example/3", "ar", month(3, 10), []int{2}, "ثلاثة.")
	a3.Publisher = "Hespress"
	save(a3, c3)
	a4, c4 := makeArticle("https://blog.example/4", "en", time.Time{}, []int{3}, "Four.")
	a4.Publisher = ""
	save(a4, c4)
	// The last hour of 2024-04-30 UTC is in May in Casablanca (UTC+1).
	a5, c5 := makeArticle("https://desk.example/5", "fr", time.Date(2024, 4, 30, 23, 30, 0, 0, time.UTC), []int{0}, "Cinq.")
	save(a5, c5)
	wantArchive := admin.Archive{
		Articles: 5, Undated: 1,
		ByPublisher: []admin.Count{{Key: "Le Test", N: 3}, {Key: "", N: 1}, {Key: "Hespress", N: 1}},
		ByLang:      []admin.Count{{Key: "fr", N: 3}, {Key: "ar", N: 1}, {Key: "en", N: 1}},
		ByMonth:     []admin.Count{{Key: "2024-01", N: 1}, {Key: "2024-03", N: 2}, {Key: "2024-05", N: 1}},
	}
	if got, err := src.Archive(ctx); err != nil || !cmp.Equal(wantArchive, got) {
		t.Errorf("Archive: %v, diff (-want +got):\n%s", err, cmp.Diff(wantArchive, got))
	}

	now := time.Now()
	// Feeds, with their health after 3 failures.
	f, _, err := s.AddFeed(ctx, "https://desk.example/rss", 30*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	f.Failures, f.LastError, f.Title = 3, "HTTP 503", "Le Desk"
	if err := s.UpdateFeedState(ctx, f); err != nil {
		t.Fatal(err)
	}
	wantFeeds := []admin.Feed{{ID: f.ID, URL: f.URL, Title: "Le Desk", Health: "unhealthy", Failures: 3, Interval: 30 * time.Minute, LastError: "HTTP 503"}}
	if got, err := src.Feeds(ctx); err != nil || !cmp.Equal(wantFeeds, got) {
		t.Errorf("Feeds: %v, diff (-want +got):\n%s", err, cmp.Diff(wantFeeds, got))
	}

	// Digests: one posted in two messages yesterday, one empty today, and
	// one of last month, out of the period.
	yesterday, today, lastMonth := now.Add(-24*time.Hour).Truncate(time.Second), now.Truncate(time.Second), now.AddDate(0, -1, 0)
	for _, rec := range []digest.Record{
		{ChannelID: "c1", Period: yesterday, Status: digest.Pending, Parts: []string{"a", "b"}},
		{ChannelID: "c1", Period: today, Status: digest.Empty, Note: "nothing new"},
		{ChannelID: "c2", Period: lastMonth, Status: digest.Empty},
	} {
		if err := s.BeginDigest(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.FinishDigest(ctx, digest.Record{ChannelID: "c1", Period: yesterday, Status: digest.Posted, MessageIDs: []string{"m1", "m2"}}); err != nil {
		t.Fatal(err)
	}
	wantDigests := []admin.Digest{
		{ChannelID: "c1", Period: today, Status: "empty", Note: "nothing new"},
		{ChannelID: "c1", Period: yesterday, Status: "posted", Messages: 2},
	}
	if got, err := src.Digests(ctx, now.AddDate(0, 0, -7)); err != nil || !cmp.Equal(wantDigests, got, cmp.Comparer(time.Time.Equal)) {
		t.Errorf("Digests: %v, diff (-want +got):\n%s", err, cmp.Diff(wantDigests, got, cmp.Comparer(time.Time.Equal)))
	}
}
