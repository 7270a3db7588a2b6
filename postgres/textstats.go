package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// DeferTextStats stops this Store's saves from keeping the BM25 statistics
// (lexeme document counts, chunk count and total length; migrations 0004
// and 0005) up to date, for a bulk load: that upkeep is about half of a
// load's time. It marks the statistics stale first; RecountTextStats
// recounts them and resumes the upkeep. Meanwhile searches rank full-text
// matches with the counts from before the load. Saves of other Stores
// (other processes) keep counting.
func (s *Store) DeferTextStats(ctx context.Context) error {
	if _, err := s.pool.Exec(ctx, "UPDATE text_stats SET stale = true"); err != nil {
		return fmt.Errorf("mark the text statistics stale on %s: %w", s.where, err)
	}
	s.deferCounts.Store(true)
	return nil
}

// TextStatsStale reports whether the BM25 statistics wait for a recount:
// after DeferTextStats, or a bulk load killed before RecountTextStats.
func (s *Store) TextStatsStale(ctx context.Context) (bool, error) {
	var stale bool
	if err := s.pool.QueryRow(ctx, "SELECT stale FROM text_stats").Scan(&stale); err != nil {
		return false, fmt.Errorf("read the text statistics on %s: %w", s.where, err)
	}
	return stale, nil
}

// RecountTextStats recounts the BM25 statistics from the stored chunks and
// clears the stale mark, in one transaction that keeps writers to chunks
// waiting (SHARE lock) so that the counts are exact; searches go on. It
// reads every chunk's lexemes: a few seconds at 100k chunks. This Store's
// saves keep the statistics up to date again afterwards.
//
// Only a holder of the bulk-load lock recounts: it runs under this Store's
// lock (TryLockBulk) or takes it for the recount, and fails without
// touching anything while a bulk load elsewhere holds it, since that
// load's deferred saves would go uncounted with the stale mark cleared.
func (s *Store) RecountTextStats(ctx context.Context) error {
	err := s.withBulkLock(ctx, func(conn *pgx.Conn) error {
		return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if err := s.maintenance(ctx, tx); err != nil {
				return err
			}
			return recount(ctx, tx)
		})
	})
	if err != nil {
		return fmt.Errorf("recount the text statistics on %s: %w", s.where, s.classify(err))
	}
	s.deferCounts.Store(false)
	return nil
}

// recount recounts the BM25 statistics in tx.
func recount(ctx context.Context, tx pgx.Tx) error {
	for _, q := range []string{
		"LOCK TABLE chunks IN SHARE MODE",
		"SET LOCAL work_mem = '256MB'",
		"DELETE FROM lexemes",
		`INSERT INTO lexemes (word, ndoc)
		SELECT w, count(*) FROM chunks c, unnest(tsvector_to_array(c.tsv)) w GROUP BY w`,
		`UPDATE text_stats SET chunks = s.n, total_len = s.len, stale = false
		FROM (SELECT count(*) AS n, coalesce(sum(length(tsv)), 0) AS len FROM chunks) s`,
	} {
		if _, err := tx.Exec(ctx, q); err != nil {
			return err
		}
	}
	return nil
}
