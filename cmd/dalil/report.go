package main

import (
	"context"
	"fmt"
	"time"

	"github.com/dalil-news/dalil/insights"
	"github.com/dalil-news/dalil/internal/cliflags"
	"github.com/dalil-news/dalil/internal/config"
)

const reportSynopsis = `[--since 7d] [--json]

Reports what members asked the bot in Discord over the last --since (days,
7d, or a duration, 36h): questions a day, answered or "not found", latency,
the unanswered questions by topic (near-duplicates merged, with counts and
languages), the most cited articles and the answers given a 👎. Days are
in DALIL_TIMEZONE. Members appear only as keyed hashes, and answers older
than ANSWERS_RETENTION are purged, so no report reaches further back.`

func cmdReport(ctx context.Context, a *app, args []string) error {
	fs := cliflags.New(a.stdout, "report", reportSynopsis)
	since := fs.String("since", "7d", "the period up to now: days (7d) or a duration (36h)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := cliflags.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("report: unexpected arguments %q", pos)
	}
	d, err := config.ParseDays(*since)
	if err != nil {
		return fmt.Errorf("report: --since %w", err)
	}
	if err := a.openStore(ctx); err != nil {
		return err
	}
	r, err := a.insights().Report(ctx, insights.Last(d, time.Now()))
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(a.stdout, r)
	}
	return insights.WriteText(a.stdout, r)
}

// insights returns the report service over the store.
func (a *app) insights() *insights.Service {
	return insights.New(a.store, insights.Config{Location: a.cfg.TimeZone, Retention: a.cfg.AnswersRetention})
}
