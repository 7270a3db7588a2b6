package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dalil-news/dalil/digest"
	"github.com/dalil-news/dalil/rag"
)

var _ digest.Store = (*Store)(nil)

// digestLockClass is the first key of the per-channel digest advisory locks
// ("dges"); the second is hashtext(channel_id).
const digestLockClass int32 = 0x64676573

const channelColumns = "channel_id, guild_id, schedule, time_zone, lang, feed_ids, publishers, empty_note, enabled, created_at"

func scanChannel(row pgx.Row) (digest.Channel, error) {
	var c digest.Channel
	err := row.Scan(&c.ChannelID, &c.GuildID, &c.Schedule, &c.TimeZone, &c.Lang, &c.FeedIDs, &c.Publishers, &c.EmptyNote, &c.Enabled, &c.CreatedAt)
	return c, err
}

// SetDigestChannel creates or replaces a channel's digest settings (empty
// Schedule and TimeZone take the defaults, 08:00 Africa/Casablanca) and
// returns them as stored. Validate the schedule before (see digest.CronSpec).
// It fails, wrapping rag.ErrNotFound, when a feed id names no feed.
func (s *Store) SetDigestChannel(ctx context.Context, c digest.Channel) (digest.Channel, error) {
	if strings.TrimSpace(c.ChannelID) == "" {
		return digest.Channel{}, errors.New("set digest channel: empty channel id")
	}
	if c.Schedule == "" {
		c.Schedule = digest.DefaultSchedule
	}
	if c.TimeZone == "" {
		c.TimeZone = digest.DefaultTimeZone
	}
	for _, v := range append([]string{c.ChannelID, c.GuildID, c.Schedule, c.TimeZone, c.Lang}, c.Publishers...) {
		if err := checkText(v); err != nil {
			return digest.Channel{}, fmt.Errorf("set digest channel %s: %w", c.ChannelID, err)
		}
	}
	if c.FeedIDs == nil {
		c.FeedIDs = []int64{}
	}
	var missing []int64
	if err := s.pool.QueryRow(ctx, `SELECT coalesce(array_agg(u.id ORDER BY u.id), '{}') FROM unnest($1::bigint[]) u(id)
		WHERE NOT EXISTS (SELECT 1 FROM feeds f WHERE f.id = u.id)`, c.FeedIDs).Scan(&missing); err != nil {
		return digest.Channel{}, fmt.Errorf("set digest channel %s: %w", c.ChannelID, err)
	}
	if len(missing) > 0 {
		return digest.Channel{}, fmt.Errorf("set digest channel %s: feed %s: %w (see 'dalil feeds list')",
			c.ChannelID, strings.Trim(fmt.Sprint(missing), "[]"), rag.ErrNotFound)
	}
	if c.Publishers == nil {
		c.Publishers = []string{}
	}
	out, err := scanChannel(s.pool.QueryRow(ctx, `INSERT INTO digest_channels
		(channel_id, guild_id, schedule, time_zone, lang, feed_ids, publishers, empty_note, enabled)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (channel_id) DO UPDATE SET guild_id = EXCLUDED.guild_id, schedule = EXCLUDED.schedule,
			time_zone = EXCLUDED.time_zone, lang = EXCLUDED.lang, feed_ids = EXCLUDED.feed_ids,
			publishers = EXCLUDED.publishers, empty_note = EXCLUDED.empty_note, enabled = EXCLUDED.enabled,
			updated_at = now()
		RETURNING `+channelColumns,
		c.ChannelID, c.GuildID, c.Schedule, c.TimeZone, c.Lang, c.FeedIDs, c.Publishers, c.EmptyNote, c.Enabled))
	if err != nil {
		return digest.Channel{}, fmt.Errorf("set digest channel %s: %w", c.ChannelID, err)
	}
	return out, nil
}

// DigestChannels returns every channel's digest settings.
func (s *Store) DigestChannels(ctx context.Context) ([]digest.Channel, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+channelColumns+" FROM digest_channels ORDER BY channel_id")
	if err != nil {
		return nil, fmt.Errorf("digest channels: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (digest.Channel, error) { return scanChannel(r) })
	if err != nil {
		return nil, fmt.Errorf("digest channels: %w", err)
	}
	return out, nil
}

// DigestChannel returns one channel's settings; the error wraps
// rag.ErrNotFound when the channel has none.
func (s *Store) DigestChannel(ctx context.Context, channelID string) (digest.Channel, error) {
	c, err := scanChannel(s.pool.QueryRow(ctx, "SELECT "+channelColumns+" FROM digest_channels WHERE channel_id = $1", channelID))
	if errors.Is(err, pgx.ErrNoRows) {
		return digest.Channel{}, fmt.Errorf("digest channel %s: %w", channelID, rag.ErrNotFound)
	}
	if err != nil {
		return digest.Channel{}, fmt.Errorf("digest channel %s: %w", channelID, err)
	}
	return c, nil
}

// DeleteDigestChannel removes a channel's settings (its digest history
// stays). The error wraps rag.ErrNotFound when there are none.
func (s *Store) DeleteDigestChannel(ctx context.Context, channelID string) error {
	tag, err := s.pool.Exec(ctx, "DELETE FROM digest_channels WHERE channel_id = $1", channelID)
	if err != nil {
		return fmt.Errorf("delete digest channel %s: %w", channelID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("delete digest channel %s: %w", channelID, rag.ErrNotFound)
	}
	return nil
}

// digestWhere selects the announceable articles ingested in ($1, $2],
// from the feeds $4 or the publishers $5 when either is not empty.
const digestWhere = `a.announce AND a.ingested_at > $1 AND a.ingested_at <= $2
	AND ((cardinality($4::bigint[]) = 0 AND cardinality($5::text[]) = 0)
		OR EXISTS (SELECT 1 FROM feed_items i WHERE i.article_id = a.id AND i.feed_id = ANY($4))
		OR lower(a.publisher) = ANY($5))`

// digestArgs are the parameters of digestWhere, then the publication
// bound ($3).
func digestArgs(q digest.Query) []any {
	feeds, pubs := q.FeedIDs, make([]string, len(q.Publishers))
	for i, p := range q.Publishers {
		pubs[i] = strings.ToLower(strings.TrimSpace(p))
	}
	if feeds == nil {
		feeds = []int64{}
	}
	return []any{q.Since, q.Until, nullTime(q.PublishedAfter), feeds, pubs}
}

// DigestArticles returns, with their text, the articles ingested in
// (q.Since, q.Until] that may be announced, published after
// q.PublishedAfter (or undated), from q.FeedIDs or q.Publishers when either
// is given, oldest ingested first, at most q.Limit (the newest are kept).
func (s *Store) DigestArticles(ctx context.Context, q digest.Query) ([]rag.Article, error) {
	if q.Limit <= 0 {
		return nil, fmt.Errorf("digest articles: limit %d must be positive", q.Limit)
	}
	rows, err := s.pool.Query(ctx, `SELECT * FROM (
		SELECT `+articleColumns+`, a.text FROM articles a
		WHERE `+digestWhere+` AND (a.published IS NULL OR $3::timestamptz IS NULL OR a.published >= $3)
		ORDER BY a.ingested_at DESC, a.id DESC LIMIT $6) r
		ORDER BY r.ingested_at, r.id`,
		append(digestArgs(q), q.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("digest articles: %w", err)
	}
	var out []rag.Article
	var a rag.Article
	fields, done := articleFields(&a)
	_, err = pgx.ForEachRow(rows, append(fields, &a.Text), func() error {
		done()
		out = append(out, a)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("digest articles: %w", err)
	}
	return out, nil
}

// CountPublishedBefore counts the articles DigestArticles leaves out of q
// for their age: matching q, but published before q.PublishedAfter (0 when
// it is zero).
func (s *Store) CountPublishedBefore(ctx context.Context, q digest.Query) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM articles a WHERE `+digestWhere+` AND a.published < $3`,
		digestArgs(q)...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count old digest articles: %w", err)
	}
	return n, nil
}

// LockDigest tries to take the channel's session advisory lock on a
// connection of its own, without waiting; ok is false when another session
// holds it. release unlocks and returns the connection; the lock also goes
// when the process dies.
func (s *Store) LockDigest(ctx context.Context, channelID string) (release func(), ok bool, err error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("lock digest of channel %s: %w", channelID, err)
	}
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1, hashtext($2))", digestLockClass, channelID).Scan(&ok); err != nil {
		conn.Release()
		return nil, false, fmt.Errorf("lock digest of channel %s: %w", channelID, err)
	}
	if !ok {
		conn.Release()
		return nil, false, nil
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := conn.Exec(ctx, "SELECT pg_advisory_unlock($1, hashtext($2))", digestLockClass, channelID); err != nil {
			// Closing the session is the other way to free the lock.
			_ = conn.Conn().Close(ctx)
		}
		conn.Release()
	}, true, nil
}

const digestColumns = "channel_id, period, status, since, until, parts, message_ids, note, attempts, created_at, updated_at"

func scanDigest(row pgx.Row) (digest.Record, error) {
	var r digest.Record
	var since, until *time.Time
	var parts []byte
	var status string
	err := row.Scan(&r.ChannelID, &r.Period, &status, &since, &until, &parts, &r.MessageIDs, &r.Note, &r.Attempts, &r.CreatedAt, &r.UpdatedAt)
	if err != nil {
		return digest.Record{}, err
	}
	r.Status, r.Since, r.Until = digest.Status(status), deref(since), deref(until)
	if err := json.Unmarshal(parts, &r.Parts); err != nil {
		return digest.Record{}, fmt.Errorf("digest parts: %w", err)
	}
	return r, nil
}

// LastDigest returns the channel's latest digest that consumed its
// articles: posted, empty, unknown or pending.
func (s *Store) LastDigest(ctx context.Context, channelID string) (digest.Record, bool, error) {
	return s.oneDigest(ctx, "SELECT "+digestColumns+` FROM digests
		WHERE channel_id = $1 AND status IN ('posted', 'empty', 'unknown', 'pending')
		ORDER BY period DESC LIMIT 1`, channelID)
}

// DigestRecord returns the channel's digest for period.
func (s *Store) DigestRecord(ctx context.Context, channelID string, period time.Time) (digest.Record, bool, error) {
	return s.oneDigest(ctx, "SELECT "+digestColumns+" FROM digests WHERE channel_id = $1 AND period = $2", channelID, period)
}

func (s *Store) oneDigest(ctx context.Context, sql string, args ...any) (digest.Record, bool, error) {
	r, err := scanDigest(s.pool.QueryRow(ctx, sql, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return digest.Record{}, false, nil
	}
	if err != nil {
		return digest.Record{}, false, fmt.Errorf("digest of channel %v: %w", args[0], err)
	}
	return r, true, nil
}

// PendingDigests returns every pending digest, oldest first.
func (s *Store) PendingDigests(ctx context.Context) ([]digest.Record, error) {
	return s.digests(ctx, "SELECT "+digestColumns+" FROM digests WHERE status = 'pending' ORDER BY period")
}

// Digests returns the channel's latest digests, newest first.
func (s *Store) Digests(ctx context.Context, channelID string, limit int) ([]digest.Record, error) {
	return s.digests(ctx, "SELECT "+digestColumns+" FROM digests WHERE channel_id = $1 ORDER BY period DESC LIMIT $2", channelID, limit)
}

func (s *Store) digests(ctx context.Context, sql string, args ...any) ([]digest.Record, error) {
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("list digests: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (digest.Record, error) { return scanDigest(r) })
	if err != nil {
		return nil, fmt.Errorf("list digests: %w", err)
	}
	return out, nil
}

// BeginDigest inserts rec, or replaces a failed record of the same channel
// and period (adding one attempt). It returns digest.ErrExists when the
// period already has a record in another state: the unique key on
// (channel_id, period) decides between racing processes.
func (s *Store) BeginDigest(ctx context.Context, rec digest.Record) error {
	switch rec.Status {
	case digest.Pending, digest.Empty, digest.Skipped:
	default:
		return fmt.Errorf("begin digest of channel %s: status %q, want pending, empty or skipped", rec.ChannelID, rec.Status)
	}
	parts, err := partsJSON(rec)
	if err != nil {
		return err
	}
	tag, err := s.pool.Exec(ctx, `INSERT INTO digests (channel_id, period, status, since, until, parts, note)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (channel_id, period) DO UPDATE SET status = EXCLUDED.status, since = EXCLUDED.since,
			until = EXCLUDED.until, parts = EXCLUDED.parts, note = EXCLUDED.note, message_ids = '{}',
			attempts = digests.attempts + 1, updated_at = now()
		WHERE digests.status = 'failed'`,
		rec.ChannelID, rec.Period, string(rec.Status), nullTime(rec.Since), nullTime(rec.Until), parts, rec.Note)
	if err != nil {
		return fmt.Errorf("begin digest of channel %s for %s: %w", rec.ChannelID, rec.Period.Format(time.RFC3339), err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("begin digest of channel %s for %s: %w", rec.ChannelID, rec.Period.Format(time.RFC3339), digest.ErrExists)
	}
	return nil
}

func partsJSON(rec digest.Record) ([]byte, error) {
	for i, p := range rec.Parts {
		if err := checkText(p); err != nil {
			return nil, fmt.Errorf("digest of channel %s part %d: %w", rec.ChannelID, i+1, err)
		}
	}
	parts := rec.Parts
	if parts == nil {
		parts = []string{}
	}
	return json.Marshal(parts)
}

// FinishDigest records the outcome of a pending digest (posted with its
// message ids, failed, or unknown) in one statement, hence one transaction;
// it fails when the record is not pending.
func (s *Store) FinishDigest(ctx context.Context, rec digest.Record) error {
	switch rec.Status {
	case digest.Posted, digest.Failed, digest.Unknown:
	default:
		return fmt.Errorf("finish digest of channel %s: status %q, want posted, failed or unknown", rec.ChannelID, rec.Status)
	}
	ids := rec.MessageIDs
	if ids == nil {
		ids = []string{}
	}
	if err := checkText(rec.Note + strings.Join(ids, "")); err != nil {
		return fmt.Errorf("finish digest of channel %s: %w", rec.ChannelID, err)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE digests SET status = $3, message_ids = $4, note = $5, updated_at = now()
		WHERE channel_id = $1 AND period = $2 AND status = 'pending'`,
		rec.ChannelID, rec.Period, string(rec.Status), ids, rec.Note)
	if err != nil {
		return fmt.Errorf("finish digest of channel %s for %s: %w", rec.ChannelID, rec.Period.Format(time.RFC3339), err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("finish digest of channel %s for %s: no pending record", rec.ChannelID, rec.Period.Format(time.RFC3339))
	}
	return nil
}
