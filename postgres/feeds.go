package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dalil-news/dalil/rag"
)

// feedColumns are the columns scanFeed reads, from feeds f.
const feedColumns = `f.id, f.url, f.title, f.etag, f.last_modified, f.interval_seconds,
	f.last_polled_at, f.last_ok_at, f.next_poll_at, f.failures, f.last_error, f.created_at,
	(SELECT count(*) FROM feed_items i WHERE i.feed_id = f.id)`

func scanFeed(row pgx.Row) (rag.Feed, error) {
	var f rag.Feed
	var secs int
	var polled, ok, next *time.Time
	err := row.Scan(&f.ID, &f.URL, &f.Title, &f.ETag, &f.LastModified, &secs,
		&polled, &ok, &next, &f.Failures, &f.LastError, &f.CreatedAt, &f.Items)
	if err != nil {
		return rag.Feed{}, err
	}
	f.Interval = time.Duration(secs) * time.Second
	f.LastPolled, f.LastOK, f.NextPoll = deref(polled), deref(ok), deref(next)
	return f, nil
}

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// AddFeed subscribes to the feed at url (a canonical URL) polled every
// interval (at least a minute). created is false when the feed was already
// there; its interval is then updated.
func (s *Store) AddFeed(ctx context.Context, url string, interval time.Duration) (f rag.Feed, created bool, err error) {
	if err := checkText(url); err != nil || url == "" {
		return rag.Feed{}, false, fmt.Errorf("add feed %q: invalid URL", url)
	}
	if interval < time.Minute {
		return rag.Feed{}, false, fmt.Errorf("add feed %q: interval %s is under a minute", url, interval)
	}
	err = s.pool.QueryRow(ctx, `INSERT INTO feeds (url, interval_seconds) VALUES ($1, $2)
		ON CONFLICT (url) DO UPDATE SET interval_seconds = EXCLUDED.interval_seconds
		RETURNING xmax = 0`, url, int(interval/time.Second)).Scan(&created)
	if err != nil {
		return rag.Feed{}, false, fmt.Errorf("add feed %q: %w", url, err)
	}
	f, err = s.FeedByURL(ctx, url)
	return f, created, err
}

// Feeds returns every feed, oldest subscription first.
func (s *Store) Feeds(ctx context.Context) ([]rag.Feed, error) {
	return s.queryFeeds(ctx, "SELECT "+feedColumns+" FROM feeds f ORDER BY f.id")
}

// ClaimDueFeed takes the most overdue feed whose next poll is at or
// before now (or that was never polled) for one poller: it moves the
// feed's next poll to now+lease and returns the feed. Pollers claiming at
// once get different feeds (a claimed row is skipped, not waited for), so
// no feed is polled twice in a period; the poll's outcome then sets the
// next poll. ok is false when no feed is due.
func (s *Store) ClaimDueFeed(ctx context.Context, now time.Time, lease time.Duration) (f rag.Feed, ok bool, err error) {
	f, err = scanFeed(s.pool.QueryRow(ctx, `UPDATE feeds f SET next_poll_at = $2
		WHERE f.id = (SELECT d.id FROM feeds d WHERE d.next_poll_at IS NULL OR d.next_poll_at <= $1
			ORDER BY d.next_poll_at NULLS FIRST, d.id LIMIT 1 FOR UPDATE SKIP LOCKED)
		RETURNING `+feedColumns, now, now.Add(lease)))
	if errors.Is(err, pgx.ErrNoRows) {
		return rag.Feed{}, false, nil
	}
	if err != nil {
		return rag.Feed{}, false, fmt.Errorf("claim a due feed: %w", err)
	}
	return f, true, nil
}

func (s *Store) queryFeeds(ctx context.Context, sql string, args ...any) ([]rag.Feed, error) {
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("list feeds: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (rag.Feed, error) { return scanFeed(r) })
	if err != nil {
		return nil, fmt.Errorf("list feeds: %w", err)
	}
	return out, nil
}

// Feed returns the feed with id; the error wraps rag.ErrNotFound when
// there is none.
func (s *Store) Feed(ctx context.Context, id int64) (rag.Feed, error) {
	f, err := scanFeed(s.pool.QueryRow(ctx, "SELECT "+feedColumns+" FROM feeds f WHERE f.id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return rag.Feed{}, fmt.Errorf("feed %d: %w", id, rag.ErrNotFound)
	}
	if err != nil {
		return rag.Feed{}, fmt.Errorf("feed %d: %w", id, err)
	}
	return f, nil
}

// FeedByURL returns the feed stored under url; the error wraps
// rag.ErrNotFound when there is none.
func (s *Store) FeedByURL(ctx context.Context, url string) (rag.Feed, error) {
	f, err := scanFeed(s.pool.QueryRow(ctx, "SELECT "+feedColumns+" FROM feeds f WHERE f.url = $1", url))
	if errors.Is(err, pgx.ErrNoRows) {
		return rag.Feed{}, fmt.Errorf("feed %q: %w", url, rag.ErrNotFound)
	}
	if err != nil {
		return rag.Feed{}, fmt.Errorf("feed %q: %w", url, err)
	}
	return f, nil
}

// RemoveFeed unsubscribes from the feed with id; its articles stay. The
// error wraps rag.ErrNotFound when there is none.
func (s *Store) RemoveFeed(ctx context.Context, id int64) error {
	tag, err := s.pool.Exec(ctx, "DELETE FROM feeds WHERE id = $1", id)
	if err != nil {
		return fmt.Errorf("remove feed %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("remove feed %d: %w", id, rag.ErrNotFound)
	}
	return nil
}

// UpdateFeedState saves a feed's polling state: title, validators, poll
// times, failures and last error.
func (s *Store) UpdateFeedState(ctx context.Context, f rag.Feed) error {
	for _, v := range []string{f.Title, f.ETag, f.LastModified, f.LastError} {
		if err := checkText(v); err != nil {
			return fmt.Errorf("update feed %d: %w", f.ID, err)
		}
	}
	tag, err := s.pool.Exec(ctx, `UPDATE feeds SET title = $2, etag = $3, last_modified = $4,
		last_polled_at = $5, last_ok_at = $6, next_poll_at = $7, failures = $8, last_error = $9
		WHERE id = $1`,
		f.ID, f.Title, f.ETag, f.LastModified, nullTime(f.LastPolled), nullTime(f.LastOK), nullTime(f.NextPoll), f.Failures, f.LastError)
	if err != nil {
		return fmt.Errorf("update feed %d: %w", f.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("update feed %d: %w", f.ID, rag.ErrNotFound)
	}
	return nil
}

// FeedItemSeen reports whether the feed already recorded an item with guid.
func (s *Store) FeedItemSeen(ctx context.Context, feedID int64, guid string) (bool, error) {
	var seen bool
	err := s.pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM feed_items WHERE feed_id = $1 AND guid = $2)", feedID, guid).Scan(&seen)
	if err != nil {
		return false, fmt.Errorf("feed %d item %q: %w", feedID, guid, err)
	}
	return seen, nil
}

// RecordFeedItem remembers that the feed's item guid became the article
// articleID (0: the item gave no article).
func (s *Store) RecordFeedItem(ctx context.Context, feedID int64, guid, url string, articleID int64) error {
	if err := checkText(guid + url); err != nil {
		return fmt.Errorf("record feed %d item %q: %w", feedID, guid, err)
	}
	var article *int64
	if articleID > 0 {
		article = &articleID
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO feed_items (feed_id, guid, url, article_id) VALUES ($1, $2, $3, $4)
		ON CONFLICT (feed_id, guid) DO UPDATE SET url = EXCLUDED.url, article_id = COALESCE(EXCLUDED.article_id, feed_items.article_id)`,
		feedID, guid, url, article)
	if err != nil {
		return fmt.Errorf("record feed %d item %q: %w", feedID, guid, err)
	}
	return nil
}

// SetAnnounce sets whether a digest may announce the article with id. The
// error wraps rag.ErrNotFound when there is none.
func (s *Store) SetAnnounce(ctx context.Context, id int64, announce bool) error {
	tag, err := s.pool.Exec(ctx, "UPDATE articles SET announce = $2 WHERE id = $1", id, announce)
	if err != nil {
		return fmt.Errorf("set announce of article %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("set announce of article %d: %w", id, rag.ErrNotFound)
	}
	return nil
}
