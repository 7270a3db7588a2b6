package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/dalil-news/dalil/ingest"
	"github.com/dalil-news/dalil/nlp"
	"github.com/dalil-news/dalil/postgres"
	"github.com/dalil-news/dalil/rag"
)

const feedsSynopsis = `add [--interval D] URL | list [--json] | remove URL|ID | poll

Manages the RSS/Atom feeds that 'dalil serve' polls. 'poll' polls the due
feeds once, now. The items found when a feed is added (its backlog) are
ingested but never announced in a digest.`

func cmdFeeds(ctx context.Context, a *app, args []string) error {
	fs := newFlags(a, "feeds", feedsSynopsis)
	interval := fs.Duration("interval", a.cfg.FeedInterval, "time between polls of the feed (add)")
	asJSON := fs.Bool("json", false, "print JSON (list)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		fs.Usage()
		return errors.New("feeds: give add, list, remove or poll")
	}
	verb, rest := pos[0], pos[1:]
	want := map[string]int{"add": 1, "remove": 1, "list": 0, "poll": 0}
	n, ok := want[verb]
	if !ok || len(rest) != n {
		fs.Usage()
		return fmt.Errorf("feeds %s: unexpected arguments %q", verb, rest)
	}
	if verb == "poll" {
		return feedsPoll(ctx, a)
	}
	if err := a.openStore(ctx); err != nil {
		return err
	}
	store := a.store
	switch verb {
	case "add":
		u, err := ingest.CanonicalURL(rest[0])
		if err != nil {
			return err
		}
		f, created, err := store.AddFeed(ctx, u, *interval)
		if err != nil {
			return err
		}
		what := "added"
		if !created {
			what = "already there; interval updated"
		}
		fmt.Fprintf(a.stdout, "feed %d %s: %s (every %s)\n", f.ID, what, f.URL, f.Interval)
	case "remove":
		f, err := findFeed(ctx, store, rest[0])
		if err != nil {
			return err
		}
		if err := store.RemoveFeed(ctx, f.ID); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "feed %d removed: %s (its articles stay)\n", f.ID, f.URL)
	case "list":
		fl, err := store.Feeds(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			type jsonFeed struct {
				rag.Feed
				Health rag.FeedHealth `json:"health"`
			}
			out := make([]jsonFeed, len(fl))
			for i, f := range fl {
				out[i] = jsonFeed{f, f.Health(a.cfg.FeedMaxFailures)}
			}
			return writeJSON(a.stdout, map[string]any{"feeds": out})
		}
		if len(fl) == 0 {
			fmt.Fprintln(a.stdout, "no feeds; add one with 'dalil feeds add URL'")
			return nil
		}
		w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tHEALTH\tFAILURES\tITEMS\tLAST OK\tNEXT POLL\tURL\tLAST ERROR")
		for _, f := range fl {
			fmt.Fprintf(w, "%d\t%s\t%d\t%d\t%s\t%s\t%s\t%s\n", f.ID, f.Health(a.cfg.FeedMaxFailures), f.Failures, f.Items,
				when(f.LastOK), when(f.NextPoll), f.URL, nlp.OneLine(f.LastError, 80))
		}
		return w.Flush()
	}
	return nil
}

// when formats a time for listings, "-" when unknown.
func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04")
}

// findFeed finds a feed by id or URL.
func findFeed(ctx context.Context, store *postgres.Store, ref string) (rag.Feed, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return store.Feed(ctx, id)
	}
	u, err := ingest.CanonicalURL(ref)
	if err != nil {
		return rag.Feed{}, err
	}
	return store.FeedByURL(ctx, u)
}

func feedsPoll(ctx context.Context, a *app) error {
	if err := a.open(ctx); err != nil {
		return err
	}
	res, err := a.newPoller().PollDue(ctx)
	fmt.Fprintf(a.stdout, "polled %d feeds: %d not modified, %d failed; %d items: %d new, %d known, %d failed\n",
		res.Polled, res.NotModified, res.FeedErrors, res.Items, res.New, res.Known, res.ItemErrors)
	if err != nil {
		return err
	}
	if res.FeedErrors > 0 || res.ItemErrors > 0 {
		fmt.Fprintln(a.stderr, "see 'dalil feeds list' for each feed's last error")
	}
	return nil
}
