package main

import (
	"context"
	"fmt"
	"time"

	"github.com/dalil-news/dalil/digest"
	"github.com/dalil-news/dalil/feeds"
	"github.com/dalil-news/dalil/ingest"
	"github.com/dalil-news/dalil/internal/cliflags"
)

const feedsSynopsis = `add [--interval D] [--no-check] URL | list [--json] | remove URL|ID | poll [ID|URL ... | --all]

Manages the RSS/Atom feeds that 'dalil serve' polls. 'add' fetches and
parses the feed once and refuses a URL that is not a feed (--no-check adds
it unread). 'poll' polls the due feeds once, now; 'poll ID ...' and 'poll
--all' poll those feeds now, even while they back off after failures; it
fails when a feed fails. The items found when a feed is added (its backlog)
are ingested but never announced in a digest. Times are in DALIL_TIMEZONE;
--json gives times in RFC 3339 and intervals as "30m0s" and in seconds.`

func cmdFeeds(ctx context.Context, a *app, args []string) error {
	fs := cliflags.New(a.stdout, "feeds", feedsSynopsis)
	interval := fs.Duration("interval", a.cfg.FeedInterval, "time between polls of the feed (add)")
	noCheck := fs.Bool("no-check", false, "add the feed without fetching and parsing it first (add)")
	all := fs.Bool("all", false, "poll every feed now, due or not (poll)")
	asJSON := fs.Bool("json", false, "print JSON (list)")
	pos, err := cliflags.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return cliflags.UsageError(fs, "feeds: give add, list, remove or poll")
	}
	verb, rest := pos[0], pos[1:]
	want := map[string]int{"add": 1, "remove": 1, "list": 0, "poll": len(rest)}
	n, ok := want[verb]
	switch {
	case !ok:
		return cliflags.UsageError(fs, "feeds: unknown action %q: give add, list, remove or poll", verb)
	case len(rest) < n:
		return cliflags.UsageError(fs, "feeds %s: give the feed's %s", verb, map[string]string{"add": "URL", "remove": "id or URL"}[verb])
	case len(rest) > n:
		return cliflags.UsageError(fs, "feeds %s: unexpected arguments %q", verb, rest[n:])
	}
	open := a.openStore
	if verb == "poll" || verb == "add" && !*noCheck {
		open = a.open // the poller and its fetcher
	}
	if err := open(ctx); err != nil {
		return err
	}
	switch verb {
	case "poll":
		return feedsPoll(ctx, a, rest, *all)
	case "add":
		u, err := ingest.CanonicalURL(rest[0])
		if err != nil {
			return err
		}
		note := "not checked"
		if !*noCheck {
			c, err := a.newPoller().Check(ctx, u)
			if err != nil {
				return fmt.Errorf("feeds add: %w (--no-check adds it all the same)", err)
			}
			note = fmt.Sprintf("%q, %s", c.Title, count(c.Items, "item", "items"))
		}
		f, created, err := a.store.AddFeed(ctx, u, *interval)
		if err != nil {
			return err
		}
		what := "added"
		if !created {
			what = "already there; interval updated"
		}
		fmt.Fprintf(a.stdout, "feed %d %s: %s (every %s; %s)\n", f.ID, what, f.URL, f.Interval, note)
	case "remove":
		f, err := feeds.Find(ctx, a.store, rest[0])
		if err != nil {
			return err
		}
		if err := a.store.RemoveFeed(ctx, f.ID); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "feed %d removed: %s (its articles stay)\n", f.ID, f.URL)
	case "list":
		fl, err := a.store.Feeds(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(a.stdout, map[string]any{"feeds": feeds.Listing(fl, a.cfg.FeedMaxFailures)})
		}
		return feeds.WriteTable(a.stdout, fl, a.cfg.FeedMaxFailures, func(t time.Time) string { return digest.FormatTime(t, a.cfg.TimeZone) })
	}
	return nil
}

// count writes n with its noun: "1 feed", "2 feeds".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// feedsPoll polls the feeds refs (ids or URLs), or every feed with all, or
// else the due ones, and fails when a feed failed.
func feedsPoll(ctx context.Context, a *app, refs []string, all bool) error {
	res, err := feeds.Result{}, error(nil)
	if p := a.newPoller(); all || len(refs) > 0 {
		res, err = p.PollNow(ctx, refs)
	} else {
		res, err = p.PollDue(ctx)
	}
	fmt.Fprintf(a.stdout, "polled %s: %d not modified, %d failed; %s: %d new, %d known, %d failed\n",
		count(res.Polled, "feed", "feeds"), res.NotModified, res.FeedErrors, count(res.Items, "item", "items"), res.New, res.Known, res.ItemErrors)
	if err == nil {
		err = res.Err()
	}
	if err != nil {
		return fmt.Errorf("feeds poll: %w; see 'dalil feeds list' for each feed's last error", err)
	}
	return nil
}
