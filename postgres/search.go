package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/pgvector/pgvector-go"

	"github.com/dalil-news/dalil/rag"
)

// BM25's parameters: term-frequency saturation and length normalization.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// maxWordBytes drops longer "words" from the full-text query: no
// dictionary knows them and they only cost time.
const maxWordBytes = 64

// searchSQL returns the hybrid search statement. Parameters:
//
//	$1 question vector (NULL: no vector leg)   $2 rows per leg
//	$3 the question's words ("w1 | w2 | …")     $4 full-text matches ranked
//	$5 RRF k    $6 passages per article (0: no cap)    $7 passages wanted
//	$8 rarest words used to match   $9, $10 BM25's k1 and b
//	$11, $12 weights of the vector and full-text legs in the fusion
//	$13 the question's language ("" when unknown)
//	$14, $15 publication window [since, until) when dated
//
// The vector leg is a CTE referenced once, so PostgreSQL inlines it and the
// bare `ORDER BY embedding <=> $1 LIMIT` uses the HNSW index.
//
// The full-text leg is BM25 over the tsv column: the question is parsed
// with its language's text-search configuration (all of them when the
// language is unknown) and the language-neutral one, its lexemes are looked
// up in the lexemes table (document frequencies kept by triggers, migration
// 0004), and chunks holding one of the $8 rarest are fetched through the GIN
// index, at most $4 of them (those holding all of them first), then scored with BM25 (idf, saturated term
// frequency, length normalization). Matching on rare words only bounds the
// work: a question full of common words cannot make it score the table,
// and common words add little to a BM25 score anyway.
func searchSQL(dated bool) string {
	join, window := "", ""
	if dated {
		join = "JOIN articles a ON a.id = c.article_id"
		window = "AND a.published >= $14 AND a.published < $15"
	}
	return `WITH vec AS (
	SELECT c.id, c.embedding <=> $1 AS distance
	FROM chunks c ` + join + `
	WHERE $1::vector IS NOT NULL ` + window + `
	ORDER BY c.embedding <=> $1
	LIMIT $2
), vec_ranked AS (
	SELECT id, distance, row_number() OVER (ORDER BY distance, id) AS rank FROM vec
), q AS (
	SELECT DISTINCT w FROM unnest(CASE $13::text
		WHEN 'fr' THEN tsvector_to_array(to_tsvector('dalil_fr', $3))
		WHEN 'en' THEN tsvector_to_array(to_tsvector('dalil_en', $3))
		WHEN 'ar' THEN tsvector_to_array(to_tsvector('dalil_ar', $3))
		ELSE tsvector_to_array(to_tsvector('dalil_fr', $3)) || tsvector_to_array(to_tsvector('dalil_en', $3))
			|| tsvector_to_array(to_tsvector('dalil_ar', $3))
		END || tsvector_to_array(to_tsvector('dalil_simple', $3))) w
), qt AS (
	SELECT l.word, l.ndoc, ln(1 + (st.chunks - l.ndoc + 0.5) / (l.ndoc + 0.5)) AS idf,
		('''' || l.word || '''')::tsquery AS tq
	FROM q JOIN lexemes l ON l.word = q.w, text_stats st
	WHERE l.ndoc > 0 AND l.word !~ '[''\\]'
), mq AS (
	SELECT string_agg('''' || word || '''', ' | ')::tsquery AS any_word,
		string_agg('''' || word || '''', ' & ')::tsquery AS every_word
	FROM (SELECT word FROM qt ORDER BY ndoc, word LIMIT $8) r
), txt_match AS (
	(SELECT c.id, c.tsv
	FROM chunks c ` + join + `
	WHERE c.tsv @@ (SELECT every_word FROM mq) ` + window + `
	LIMIT $4)
	UNION ALL
	(SELECT c.id, c.tsv
	FROM chunks c ` + join + `
	WHERE c.tsv @@ (SELECT any_word FROM mq) AND NOT c.tsv @@ (SELECT every_word FROM mq) ` + window + `
	LIMIT $4)
	LIMIT $4
), txt_pre AS (
	-- A cheap first score (ts_rank against the rare words, one C call a
	-- match) keeps the best $2 * 4 for the full BM25, whose idf-weighted
	-- term frequencies cost an unnest of every kept chunk's lexemes.
	SELECT m.id, m.tsv
	FROM txt_match m
	ORDER BY ts_rank(m.tsv, (SELECT any_word FROM mq), 0) DESC, m.id
	LIMIT $2 * 4
), txt AS (
	SELECT m.id, row_number() OVER (ORDER BY s.score DESC, m.id) AS rank
	FROM txt_pre m CROSS JOIN text_stats st CROSS JOIN LATERAL (
		SELECT sum(qt.idf * cardinality(u.positions) * ($9 + 1)
			/ (cardinality(u.positions) + $9 * (1 - $10 + $10 * length(m.tsv)
				/ greatest(st.total_len::float8 / greatest(st.chunks, 1), 1)))) AS score
		FROM unnest(m.tsv) u JOIN qt ON qt.word = u.lexeme
	) s
	ORDER BY rank
	LIMIT $2
), fused AS (
	SELECT coalesce(v.id, t.id) AS id, v.distance, v.rank AS vrank, t.rank AS trank,
		coalesce($11::float8 / ($5::float8 + v.rank), 0) + coalesce($12::float8 / ($5::float8 + t.rank), 0) AS score
	FROM vec_ranked v FULL OUTER JOIN txt t ON t.id = v.id
), capped AS (
	SELECT f.id, f.distance, f.vrank, f.trank, f.score,
		row_number() OVER (PARTITION BY c.article_id ORDER BY f.score DESC, f.id) AS nth,
		c.article_id, c.idx, c.heading, c.text, c.start_off, c.end_off
	FROM fused f JOIN chunks c ON c.id = f.id
)
SELECT p.score, p.distance, p.vrank, p.trank,
	p.id, p.article_id, p.idx, p.heading, p.text, p.start_off, p.end_off,
	` + articleColumns + `
FROM capped p JOIN articles a ON a.id = p.article_id
WHERE $6::bigint = 0 OR p.nth <= $6
ORDER BY p.score DESC, p.id
LIMIT $7`
}

// queryWords returns the tsquery text that ORs the distinct words of the
// question (letters, marks and digits; at most max of them), or "" when
// there are none. Only word characters reach to_tsquery, so its operators
// cannot be injected.
func queryWords(question string, max int) string {
	seen := map[string]bool{}
	var words []string
	for _, w := range strings.FieldsFunc(strings.ToLower(question), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsMark(r) && !unicode.IsDigit(r)
	}) {
		if len(w) > maxWordBytes || seen[w] || missingStopWord(w) {
			continue
		}
		seen[w] = true
		words = append(words, w)
		if len(words) == max {
			break
		}
	}
	return strings.Join(words, " | ")
}

// missingStopWord reports the words PostgreSQL's stop lists lack: its
// French list has "le" and "la" but not "les", which the French stemmer
// turns into "le", matching nearly every French chunk.
func missingStopWord(w string) bool {
	return w == "les"
}

// Search runs the hybrid search: the q.Candidates nearest chunks by cosine
// distance (HNSW) and the q.Candidates best full-text matches of the
// question's words (in French, English, Arabic and language-neutral
// configurations, accent-insensitive), fused by reciprocal rank fusion, at
// most q.PerArticle per article, best first. Either leg may be empty (no
// vector, or no words), not both.
func (s *Store) Search(ctx context.Context, q rag.SearchQuery) ([]rag.Passage, error) {
	words := queryWords(q.Text, s.cfg.MaxQueryWords)
	switch {
	case q.K < 1 || q.K > maxEfSearch:
		return nil, fmt.Errorf("search: k %d is outside 1..%d", q.K, maxEfSearch)
	case q.PerArticle < 0:
		return nil, fmt.Errorf("search: per-article cap %d is negative", q.PerArticle)
	case len(q.Vector) == 0 && words == "":
		return nil, fmt.Errorf("search: %w: neither a vector nor words in %q", rag.ErrEmptyInput, q.Text)
	}
	cand := min(max(q.Candidates, q.K), maxEfSearch)
	dated := !q.Since.IsZero() || !q.Until.IsZero()
	var vec any
	if len(q.Vector) > 0 {
		vec = pgvector.NewVector(q.Vector)
	}
	// The unnamed statement of CacheDescribe is planned for these very
	// values every time: a generic plan cannot know how many chunks the
	// words or the date window select, and picks badly.
	args := []any{pgx.QueryExecModeCacheDescribe, vec, cand, words, s.cfg.TextMatchLimit, s.cfg.RRFK, q.PerArticle, q.K,
		s.cfg.MatchWords, bm25K1, bm25B, s.cfg.VectorWeight, s.cfg.TextWeight, q.Lang}
	if dated {
		args = append(args, bound(q.Since, pgtype.NegativeInfinity), bound(q.Until, pgtype.Infinity))
	}
	sql := searchSQL(dated)

	var out []rag.Passage
	run := func(db interface {
		Query(context.Context, string, ...any) (pgx.Rows, error)
	}) error {
		rows, err := db.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		out, err = scanPassages(rows)
		return err
	}
	// ef_search at least the LIMIT of the vector leg, and iterative scans
	// for filtered searches, need settings local to a transaction; the
	// common case runs alone on the pool's defaults.
	efSearch := max(s.cfg.EfSearch, cand)
	iterative := dated && s.iterativeScan()
	var err error
	if efSearch == s.cfg.EfSearch && !iterative {
		err = run(s.pool)
	} else {
		err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "SELECT set_config('hnsw.ef_search', $1, true)", strconv.Itoa(efSearch)); err != nil {
				return fmt.Errorf("set hnsw.ef_search: %w", err)
			}
			if iterative {
				if _, err := tx.Exec(ctx, "SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true)"); err != nil {
					return fmt.Errorf("set hnsw.iterative_scan: %w", err)
				}
			}
			return run(tx)
		})
	}
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", truncate(q.Text, 80), dimensionErr(err))
	}
	return out, nil
}

// bound maps a zero time to an infinite timestamp.
func bound(t time.Time, inf pgtype.InfinityModifier) pgtype.Timestamptz {
	if t.IsZero() {
		return pgtype.Timestamptz{InfinityModifier: inf, Valid: true}
	}
	return pgtype.Timestamptz{Time: t, Valid: true}
}

// scanPassages reads the rows of searchSQL.
func scanPassages(rows pgx.Rows) ([]rag.Passage, error) {
	var out []rag.Passage
	var p rag.Passage
	var distance *float64
	var vrank, trank *int64
	afields, done := articleFields(&p.Article)
	fields := append([]any{&p.Score, &distance, &vrank, &trank,
		&p.Chunk.ID, &p.Chunk.ArticleID, &p.Chunk.Index, &p.Chunk.Heading, &p.Chunk.Text, &p.Chunk.Start, &p.Chunk.End},
		afields...)
	_, err := pgx.ForEachRow(rows, fields, func() error {
		done()
		p.Similarity, p.VectorRank, p.TextRank = 0, 0, 0
		if distance != nil {
			p.Similarity = 1 - *distance
		}
		if vrank != nil {
			p.VectorRank = int(*vrank)
		}
		if trank != nil {
			p.TextRank = int(*trank)
		}
		out = append(out, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// truncate shortens s to at most n runes for error messages.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
