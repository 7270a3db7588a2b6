package postgres

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// TakeTokens takes one token from each of the token buckets keys names
// (a member's, a guild's), in one transaction, or none when one of them
// holds less than a token; waits[i] is then how long until bucket i holds
// one (0 for those that did). Bucket i starts full, with bursts[i] tokens,
// and refills at perSecond[i] tokens a second, by the database's clock, so
// that every replica counts the same questions. The buckets are stored
// under keyed hashes of their keys (migration 0013).
func (s *Store) TakeTokens(ctx context.Context, keys []string, perSecond []float64, bursts []int) ([]time.Duration, error) {
	if len(perSecond) != len(keys) || len(bursts) != len(keys) {
		return nil, fmt.Errorf("take tokens: %d keys, %d rates and %d bursts", len(keys), len(perSecond), len(bursts))
	}
	for i := range keys {
		if !(perSecond[i] > 0) || bursts[i] < 1 {
			return nil, fmt.Errorf("take tokens: bucket %d refills at %v a second and holds %d: want more than 0 and at least 1", i+1, perSecond[i], bursts[i])
		}
	}
	hashed := make([]string, len(keys))
	for i, k := range keys {
		h, err := s.memberHash(ctx, k)
		if err != nil {
			return nil, fmt.Errorf("take tokens: %w", err)
		}
		hashed[i] = h
	}
	// Rows are inserted and locked in key order, so that two replicas
	// taking the same buckets cannot deadlock.
	order := make([]int, len(keys))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(hashed[a], hashed[b]) })
	sorted, full := make([]string, len(keys)), make([]float64, len(keys))
	for j, i := range order {
		sorted[j], full[j] = hashed[i], float64(bursts[i])
		if j > 0 && sorted[j] == sorted[j-1] {
			return nil, fmt.Errorf("take tokens: a bucket named twice")
		}
	}
	waits := make([]time.Duration, len(keys))
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// One statement creates the missing buckets and locks the others,
		// in key order, and reads them: a bucket purged between two
		// statements would read as empty.
		rows, err := tx.Query(ctx, `INSERT INTO rate_buckets AS r (key, tokens, updated_at)
			SELECT k, t, clock_timestamp() FROM unnest($1::text[], $2::float8[]) AS b(k, t)
			ON CONFLICT (key) DO UPDATE SET tokens = r.tokens
			RETURNING key, tokens, extract(epoch FROM clock_timestamp() - updated_at)::float8, clock_timestamp()`, sorted, full)
		if err != nil {
			return err
		}
		type bucket struct{ tokens, idle float64 }
		held := map[string]bucket{}
		var now time.Time
		var key string
		var b bucket
		if _, err := pgx.ForEachRow(rows, []any{&key, &b.tokens, &b.idle, &now}, func() error {
			held[key] = b
			return nil
		}); err != nil {
			return err
		}
		left := make([]float64, len(keys))
		empty := false
		for i, k := range hashed {
			// A database clock that went back refills nothing.
			left[i] = min(float64(bursts[i]), held[k].tokens+max(held[k].idle, 0)*perSecond[i])
			if left[i] < 1 {
				empty = true
				waits[i] = time.Duration(math.Ceil((1 - left[i]) / perSecond[i] * float64(time.Second)))
			}
		}
		if empty {
			return nil
		}
		for i := range left {
			left[i]--
		}
		_, err = tx.Exec(ctx, `UPDATE rate_buckets r SET tokens = b.t, updated_at = $3
			FROM unnest($1::text[], $2::float8[]) AS b(k, t) WHERE r.key = b.k`, hashed, left, now)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("take tokens: %w", s.classify(err))
	}
	return waits, nil
}

// PurgeRateBuckets deletes the token buckets untouched for idle (long
// enough to be full again, which no row says just as well) and returns
// how many it deleted.
func (s *Store) PurgeRateBuckets(ctx context.Context, idle time.Duration) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM rate_buckets WHERE updated_at < clock_timestamp() - make_interval(secs => $1)`, idle.Seconds())
	if err != nil {
		return 0, fmt.Errorf("purge rate buckets: %w", s.classify(err))
	}
	return tag.RowsAffected(), nil
}
