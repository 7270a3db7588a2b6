package postgres

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// langChunksTTL is how long the archive's chunk counts by language are
// reused. They only weigh the parts of a structured query against each
// other (groupedLegSQL), which a count a few minutes old does as well;
// after a big load, until the counts (and the statistics they come from)
// catch up, a part's words may be as common as its language's count and
// weigh little.
const langChunksTTL = 5 * time.Minute

// langStatsSQL reads the planner's statistics of the chunks' languages:
// the table's estimated row count and the share of each common language
// (a chunk's lang is its article's). ANALYZE, which autovacuum runs as the
// table grows, keeps them; reading them costs a catalog lookup, where
// counting read every chunk (0.3 s at 100k chunks, their rows being
// wide).
const langStatsSQL = `SELECT c.reltuples::float8, s.most_common_vals::text::text[], s.most_common_freqs::float8[]
FROM pg_class c LEFT JOIN pg_stats s ON s.schemaname = current_schema() AND s.tablename = 'chunks' AND s.attname = 'lang'
WHERE c.oid = 'chunks'::regclass`

// langCountSQL counts the chunks of each language exactly, for an archive
// too small for its statistics to matter or without them.
const langCountSQL = `SELECT lang, count(*) FROM chunks GROUP BY lang`

// minEstimatedChunks is the archive size from which the statistics are
// used instead of counting (counting 10k chunks takes about 30 ms).
const minEstimatedChunks = 10000

// langChunks caches the archive's chunk count by language. The zero
// value is ready to use.
type langChunks struct {
	mu sync.Mutex
	at time.Time
	n  map[string]int64
}

// get returns the chunk count by language, read from db when it is older
// than langChunksTTL: estimated from the statistics when the archive holds
// at least minEstimatedChunks and they list its languages, else counted.
func (c *langChunks) get(ctx context.Context, db searchConn) (map[string]int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n != nil && time.Since(c.at) < langChunksTTL {
		return c.n, nil
	}
	n, err := estimateLangChunks(ctx, db)
	if err == nil && n == nil {
		n, err = countLangChunks(ctx, db)
	}
	if err != nil {
		return nil, fmt.Errorf("count chunks by language: %w", err)
	}
	c.n, c.at = n, time.Now()
	return n, nil
}

// estimateLangChunks returns the chunk counts the statistics give, or nil
// when the archive is small or has none.
func estimateLangChunks(ctx context.Context, db searchConn) (map[string]int64, error) {
	rows, err := db.Query(ctx, langStatsSQL)
	if err != nil {
		return nil, err
	}
	var total float64
	var langs []string
	var freqs []float64
	if _, err := pgx.ForEachRow(rows, []any{&total, &langs, &freqs}, func() error { return nil }); err != nil {
		return nil, err
	}
	if total < minEstimatedChunks || len(langs) == 0 || len(langs) != len(freqs) {
		return nil, nil
	}
	n := make(map[string]int64, len(langs))
	for i, l := range langs {
		n[l] = int64(math.Round(total * freqs[i]))
	}
	return n, nil
}

// countLangChunks counts the chunks of each language.
func countLangChunks(ctx context.Context, db searchConn) (map[string]int64, error) {
	rows, err := db.Query(ctx, langCountSQL)
	if err != nil {
		return nil, err
	}
	n := map[string]int64{}
	var lang string
	var count int64
	if _, err := pgx.ForEachRow(rows, []any{&lang, &count}, func() error {
		n[lang] = count
		return nil
	}); err != nil {
		return nil, err
	}
	return n, nil
}
