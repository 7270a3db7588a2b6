package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dalil-news/dalil/admin"
)

var _ admin.Records = AdminSource{}

// AdminSource reads the store for the admin page (admin.Records): the
// feeds with their health, the digests of a period and the archive's
// counts, its months in its time zone. The page's report is the insights
// service's (admin.NewSource).
type AdminSource struct {
	store       *Store
	maxFailures int
	loc         *time.Location
}

// The lengths of the admin page's lists.
const (
	adminPublishers, adminDigests = 20, 100
)

// AdminSource returns the store as the admin page's source: maxFailures
// consecutive failures (FEED_MAX_FAILURES) make a feed unhealthy; loc, an
// IANA time zone (DALIL_TIMEZONE; nil: UTC), bounds its days and months.
func (s *Store) AdminSource(maxFailures int, loc *time.Location) AdminSource {
	if loc == nil {
		loc = time.UTC
	}
	return AdminSource{s, maxFailures, loc}
}

// Feeds implements admin.Source: every feed, as `dalil feeds list` shows it.
func (a AdminSource) Feeds(ctx context.Context) ([]admin.Feed, error) {
	fl, err := a.store.Feeds(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]admin.Feed, len(fl))
	for i, f := range fl {
		out[i] = admin.Feed{ID: f.ID, URL: f.URL, Title: f.Title, Health: string(f.Health(a.maxFailures)),
			Failures: f.Failures, Items: f.Items, Interval: f.Interval, LastOK: f.LastOK, NextPoll: f.NextPoll, LastError: f.LastError}
	}
	return out, nil
}

// Digests implements admin.Source: the digests of every channel scheduled
// since since, newest first, at most 100.
func (a AdminSource) Digests(ctx context.Context, since time.Time) ([]admin.Digest, error) {
	rows, err := a.store.pool.Query(ctx, `SELECT channel_id, period, status, cardinality(message_ids), note
		FROM digests WHERE period >= $1 ORDER BY period DESC, channel_id LIMIT $2`, since, adminDigests)
	if err != nil {
		return nil, fmt.Errorf("digests since %s: %w", since.Format(time.RFC3339), a.store.classify(err))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (admin.Digest, error) {
		var d admin.Digest
		err := row.Scan(&d.ChannelID, &d.Period, &d.Status, &d.Messages, &d.Note)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("digests since %s: %w", since.Format(time.RFC3339), a.store.classify(err))
	}
	return out, nil
}

// Archive implements admin.Source: the articles counted in one scan, by
// publisher (the 20 largest), language and month of publication.
func (a AdminSource) Archive(ctx context.Context) (admin.Archive, error) {
	rows, err := a.store.pool.Query(ctx, `SELECT
			CASE WHEN GROUPING(publisher) = 0 THEN 'publisher' WHEN GROUPING(lang) = 0 THEN 'lang'
				WHEN GROUPING(month) = 0 THEN 'month' ELSE '' END,
			coalesce(publisher, lang, month), count(*), count(*) FILTER (WHERE month IS NULL)
		FROM (SELECT publisher, lang, to_char(published AT TIME ZONE $1, 'YYYY-MM') AS month FROM articles) a
		GROUP BY GROUPING SETS ((publisher), (lang), (month), ())`, a.loc.String())
	if err != nil {
		return admin.Archive{}, fmt.Errorf("count the archive: %w", a.store.classify(err))
	}
	var out admin.Archive
	var set string
	var key *string
	var n, undated int
	_, err = pgx.ForEachRow(rows, []any{&set, &key, &n, &undated}, func() error {
		switch {
		case set == "":
			out.Articles, out.Undated = n, undated
		case key == nil: // the undated articles' month
		case set == "publisher":
			out.ByPublisher = append(out.ByPublisher, admin.Count{Key: *key, N: n})
		case set == "lang":
			out.ByLang = append(out.ByLang, admin.Count{Key: *key, N: n})
		case set == "month":
			out.ByMonth = append(out.ByMonth, admin.Count{Key: *key, N: n})
		}
		return nil
	})
	if err != nil {
		return admin.Archive{}, fmt.Errorf("count the archive: %w", a.store.classify(err))
	}
	largest := func(x, y admin.Count) int { return cmp.Or(cmp.Compare(y.N, x.N), cmp.Compare(x.Key, y.Key)) }
	slices.SortFunc(out.ByPublisher, largest)
	slices.SortFunc(out.ByLang, largest)
	slices.SortFunc(out.ByMonth, func(x, y admin.Count) int { return cmp.Compare(x.Key, y.Key) })
	out.ByPublisher = out.ByPublisher[:min(len(out.ByPublisher), adminPublishers)]
	return out, nil
}
