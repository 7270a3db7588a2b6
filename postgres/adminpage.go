package postgres

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dalil-news/dalil/admin"
)

var _ admin.Source = AdminSource{}

// AdminSource reads the store for the admin page (admin.Source): the
// feeds with their health, the digests of a period, the archive's counts,
// and a report of the answers table (questions per day, not found,
// latency, the questions not answered grouped by their text, the articles
// cited most). Days and months are in its time zone.
type AdminSource struct {
	store       *Store
	maxFailures int
	loc         *time.Location
}

// The lengths of the admin page's lists.
const (
	adminTopics, adminArticles, adminPublishers, adminDigests = 10, 10, 20, 100
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

// Report implements admin.Source over the answers given since since, in
// one round trip. Questions not answered are grouped when they are the
// same text but for case and spaces, shown as their latest wording.
func (a AdminSource) Report(ctx context.Context, since time.Time) (admin.Report, error) {
	var r admin.Report
	b := &pgx.Batch{}
	b.Queue(`SELECT count(*), count(*) FILTER (WHERE NOT found),
			coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms), 0),
			coalesce(percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms), 0)
		FROM answers WHERE created_at >= $1`, since).QueryRow(func(row pgx.Row) error {
		var p50, p95 float64
		err := row.Scan(&r.Asked, &r.NotFound, &p50, &p95)
		r.LatencyP50, r.LatencyP95 = time.Duration(math.Round(p50))*time.Millisecond, time.Duration(math.Round(p95))*time.Millisecond
		return err
	})
	b.Queue(`SELECT (created_at AT TIME ZONE $2)::date, count(*), count(*) FILTER (WHERE NOT found)
		FROM answers WHERE created_at >= $1 GROUP BY 1 ORDER BY 1`, since, a.loc.String()).Query(func(rows pgx.Rows) error {
		var d admin.Day
		_, err := pgx.ForEachRow(rows, []any{&d.Date, &d.Asked, &d.NotFound}, func() error {
			y, m, day := d.Date.Date()
			d.Date = time.Date(y, m, day, 0, 0, 0, 0, a.loc)
			r.Days = append(r.Days, d)
			return nil
		})
		return err
	})
	b.Queue(`SELECT (array_agg(question ORDER BY id DESC))[1], count(*),
			coalesce(array_agg(DISTINCT lang ORDER BY lang) FILTER (WHERE lang <> ''), '{}')
		FROM answers WHERE created_at >= $1 AND NOT found
		GROUP BY lower(regexp_replace(btrim(question), '\s+', ' ', 'g'))
		ORDER BY 2 DESC, 1 LIMIT $2`, since, adminTopics).Query(func(rows pgx.Rows) error {
		var t admin.Topic
		_, err := pgx.ForEachRow(rows, []any{&t.Question, &t.Count, &t.Langs}, func() error {
			r.Unanswered = append(r.Unanswered, t)
			return nil
		})
		return err
	})
	b.Queue(`SELECT max(c->'article'->>'title'), c->'article'->>'url', count(DISTINCT a.id)
		FROM answers a, jsonb_array_elements(a.citations) c
		WHERE a.created_at >= $1 AND c->'article'->>'url' <> ''
		GROUP BY 2 ORDER BY 3 DESC, 1 LIMIT $2`, since, adminArticles).Query(func(rows pgx.Rows) error {
		var c admin.ArticleCount
		_, err := pgx.ForEachRow(rows, []any{&c.Title, &c.URL, &c.Count}, func() error {
			r.Articles = append(r.Articles, c)
			return nil
		})
		return err
	})
	if err := a.store.pool.SendBatch(ctx, b).Close(); err != nil {
		return admin.Report{}, fmt.Errorf("report of the answers since %s: %w", since.Format(time.RFC3339), a.store.classify(err))
	}
	return r, nil
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
