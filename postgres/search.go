package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/pgvector/pgvector-go"

	"github.com/dalil-news/dalil/nlp"
	"github.com/dalil-news/dalil/rag"
)

// BM25's parameters: term-frequency saturation and length normalization.
// No length normalization (b = 0): chunks are of bounded, similar length,
// and on the dev questions (make eval) k1 = 1, b = 0 ranked best, MRR@10
// fr-fr 0.757 / en-en 0.951 / ar-ar 0.892 / en-ar 0.130, against 0.746 /
// 0.947 / 0.902 / 0.095 with the textbook 1.2 and 0.75 and 0.749 / 0.947 /
// 0.899 / 0.107 with 1.2 and 0.3. (Until the SQL cast them, PostgreSQL
// typed both parameters integer and pgx truncated 1.2 and 0.75 to 1 and 0:
// these are the values every earlier measurement ran with.)
const (
	bm25K1 = 1.0
	bm25B  = 0.0
)

// maxWordBytes drops longer "words" from the full-text query: no
// dictionary knows them and they only cost time.
const maxWordBytes = 64

// A search is three statements instead of one long one: planning the
// earlier 90-line statement for every question's values cost 4–6 ms, more
// than its vector leg (docs/performance.md). Each statement below is
// prepared once per connection by pgx's statement cache, and an undated
// one runs on its generic plan, made once; the two legs are fused in Go
// by rag.Fusion. The two legs run at once, each on a connection of its own,
// each one round trip (a dated full-text leg two):
//
//   - the vector leg walks the HNSW index (a dated one is planned for its
//     window);
//   - the full-text leg looks up the question's lexemes with their document
//     frequencies, chooses the rarest to match on, and scores BM25 over the
//     chunks holding them.
//
// Then one statement reads the passages and articles of the fused result.
// No search holds a connection while it waits for another, so a pool
// smaller than the number of concurrent searches cannot deadlock.

// vectorLegSQL returns the vector leg: the n nearest chunks by cosine
// distance to $1, through the HNSW index (a bare ORDER BY … LIMIT), within
// the window $2, $3 when dated. n is written into the statement, not
// passed: with a parameter for it, PostgreSQL estimated the generic plan
// at a tenth of the table and planned the statement for every question
// (0.04 ms at 10k chunks); with a constant the generic plan is the custom
// one and is made once a connection. A service asks for one n or a few.
func vectorLegSQL(dated bool, n int) string {
	join, window := "", ""
	if dated {
		join, window = "JOIN articles a ON a.id = c.article_id", "WHERE a.published >= $2 AND a.published < $3"
	}
	return `SELECT c.id, c.article_id, c.embedding <=> $1 FROM chunks c ` + join + ` ` + window + `
ORDER BY c.embedding <=> $1 LIMIT ` + strconv.Itoa(n)
}

// lexemesCTE parses the question's words ($4, as queryWords returns them)
// with its language's text-search configuration ($5; all of them when "")
// and the language-neutral one, and returns (l) its lexemes known to the
// archive with their document counts (kept by triggers, migration 0004),
// and the archive's chunk count and total length. Lexemes holding a quote
// or a backslash are left out: they would need escaping in a tsquery and
// no dictionary produces them from words.
var lexemesCTE = `q AS (
	SELECT DISTINCT w FROM unnest(` + lexemeArray("$4::text", "$5::text") + `) w
), l AS (
	SELECT l.word, l.ndoc, st.chunks, st.total_len
	FROM q JOIN lexemes l ON l.word = q.w CROSS JOIN text_stats st
	WHERE l.ndoc > 0 AND l.word !~ '[''\\]'
)`

// lexemeArray returns the SQL array of the lexemes of the text expr, in
// the language lang, an SQL expression (all of them when ""), and
// language-neutral.
func lexemeArray(expr, lang string) string {
	return `CASE ` + lang + `
		WHEN 'fr' THEN tsvector_to_array(to_tsvector('dalil_fr', ` + expr + `))
		WHEN 'en' THEN tsvector_to_array(to_tsvector('dalil_en', ` + expr + `))
		WHEN 'ar' THEN tsvector_to_array(to_tsvector('dalil_ar', ` + expr + `))
		ELSE tsvector_to_array(to_tsvector('dalil_fr', ` + expr + `)) || tsvector_to_array(to_tsvector('dalil_en', ` + expr + `))
			|| tsvector_to_array(to_tsvector('dalil_ar', ` + expr + `))
		END || tsvector_to_array(to_tsvector('dalil_simple', ` + expr + `))`
}

// commonFactor bounds the full-text leg when a question has no rare word:
// when even its rarest word is in more than commonFactor × TextMatchLimit
// chunks, the leg matches only chunks holding every matching word, since
// listing the chunks of a common word (a GIN bitmap of all of them, which
// no LIMIT shortens) is what made the slowest searches slow.
const commonFactor = 8

// textPlanCTE chooses, from the question's lexemes (l: word, ndoc, chunks,
// total_len), the words the full-text leg matches on, and returns them (p)
// with what BM25 needs. Parameters: $1 the match budget (TextMatchLimit),
// $2 the words matched on (MatchWords), $3 commonFactor. Rarest first:
// "every" requires the $2 rarest; "any" accepts the rarest ones whose chunk
// counts add up to at most $1, and always the rarest one, unless that one
// is common (in more than $3 × $1 chunks): then "any" is "every". Matching
// on rare words bounds the work: a question full of common words cannot
// make the leg read the archive, and common words add little to a BM25
// score anyway. Unless the rarest word alone is in more than $1 chunks,
// every chunk the leg reads is one holding a chosen word, not an arbitrary
// subset. words and idfs are every lexeme of the question and its inverse
// document frequency; mean_len is the archive's mean chunk length in
// lexemes. With no lexeme, every column is NULL.
const textPlanCTE = `r AS (
	SELECT word, ndoc, chunks, total_len, row_number() OVER w AS i, sum(ndoc) OVER w AS cum
	FROM l WINDOW w AS (ORDER BY ndoc, word ROWS UNBOUNDED PRECEDING)
), p AS (
	SELECT array_agg(word ORDER BY i) AS words,
		array_agg(ln(1 + (chunks - ndoc + 0.5::float8) / (ndoc + 0.5::float8)) ORDER BY i) AS idfs,
		greatest(max(total_len)::float8 / greatest(max(chunks), 1), 1) AS mean_len,
		string_agg('''' || word || '''', ' & ' ORDER BY i) FILTER (WHERE i <= $2::int)::tsquery AS every,
		(CASE WHEN min(ndoc) > $3::int8 * $1::int
			THEN string_agg('''' || word || '''', ' & ' ORDER BY i) FILTER (WHERE i <= $2::int)
			ELSE string_agg('''' || word || '''', ' | ' ORDER BY i) FILTER (WHERE i <= $2::int AND (i = 1 OR cum <= $1::int))
		END)::tsquery AS "any"
	FROM r
)`

// textPlanSQL returns what textPlanCTE chooses (NULLs when the question
// has no lexeme known to the archive), for a dated full-text leg. Its
// parameters are textLegSQL(false)'s first five.
var textPlanSQL = `WITH ` + lexemesCTE + `, ` + textPlanCTE + `
SELECT every::text, "any"::text, words, idfs, mean_len FROM p`

// textLegSQL returns the full-text leg. Undated, it is one statement: the
// question's lexemes (lexemesCTE), the words to match on (textPlanCTE),
// then the matches; its parameters:
//
//	$1 matches read at most    $2 words matched on    $3 commonFactor
//	$4 the question's words    $5 its language        $6, $7 BM25's k1 and b
//	$8 the question's vector (or NULL)
//
// The tsqueries reach the scans as the values of initplans, which the GIN
// index takes like parameters, and the statement runs on its generic plan.
// One statement instead of a lexeme lookup and then the leg: with the
// vector leg busy on the other core, the second round trip waited for the
// client to be scheduled (docs/performance.md). Dated, it takes what
// textPlanSQL returned, so that its plan, made for the window every time,
// is made for the words too, and a small statement is quick to plan:
//
//	$1 matches read at most    $2, $3 textPlanSQL's every and any
//	$4, $5 its words and idfs  $6, $7 BM25's k1 and b
//	$8 the question's vector (or NULL)   $9, $10 the publication window
//	$11 textPlanSQL's mean_len
//
// Chunks holding every matching word are read first, then those holding
// any (when that differs), at most $1 in all, and every one is scored with
// BM25 (idf-weighted saturated term frequencies, normalized for length by
// b), best first. setweight + ts_filter cut each chunk's
// tsvector down to the question's lexemes before unnest: unnesting the
// whole tsvector cost 15-25 µs a chunk, the cut one 2 µs. Every match also
// gets its exact cosine distance to the question, read from the same row
// (migration 0007 keeps rows whole), for the vector ranking (Search).
func textLegSQL(dated bool) string {
	plan, every, some := lexemesCTE+`, `+textPlanCTE, `(SELECT every FROM p)`, `(SELECT "any" FROM p)`
	join, window := "", ""
	if dated {
		plan, every, some = `p AS (SELECT $4::text[] AS words, $5::float8[] AS idfs, $11::float8 AS mean_len)`, `$2::tsquery`, `$3::tsquery`
		join, window = "JOIN articles a ON a.id = c.article_id", "AND a.published >= $9 AND a.published < $10"
	}
	return `WITH ` + plan + `, m AS (
	(SELECT c.id, c.article_id, c.tsv, c.embedding <=> $8::vector AS dist FROM chunks c ` + join + `
	WHERE c.tsv @@ ` + every + ` ` + window + ` LIMIT $1::int)
	UNION ALL
	(SELECT c.id, c.article_id, c.tsv, c.embedding <=> $8::vector AS dist FROM chunks c ` + join + `
	WHERE ` + some + ` <> ` + every + ` AND c.tsv @@ ` + some + `
		AND NOT c.tsv @@ ` + every + ` ` + window + ` LIMIT $1::int)
	LIMIT $1::int
)
SELECT m.id, m.article_id, m.dist
FROM m CROSS JOIN p CROSS JOIN unnest(ts_filter(setweight(setweight(m.tsv, 'D'), 'A', p.words), '{a}')) u
GROUP BY m.id, m.article_id, m.dist
ORDER BY sum(p.idfs[array_position(p.words, u.lexeme)] * cardinality(u.positions) * ($6::float8 + 1)
	/ (cardinality(u.positions) + $6::float8 * (1 - $7::float8 + $7::float8 * length(m.tsv) / p.mean_len))) DESC, m.id`
}

// groupedLegSQL is the full-text leg of a structured query
// (rag.SearchQuery.Groups): each group is one word of the question, and
// its parts are its forms in one language each (the word itself, its
// translations into French, into Arabic). A part scores as one BM25 term,
// as in Pirkola's structured query: its term frequency in a chunk is the
// sum of its lexemes', its document frequency the sum of theirs, among
// the chunks of its language (at most their count), so that a word with
// many translations, or a rare wrong one, weighs as one word. A group
// scores in a chunk as its best part there. Each part's rarity is judged
// against its language's chunks (their count; a part of no known
// language, against every chunk): a French chunk on the French
// translations it holds, an Arabic one on the Arabic ones, so that
// neither the dictionary that gives many common words nor the language
// with fewer chunks outweighs the others. The document frequencies are
// the archive's (lexemes counts no language), which is exact for words
// of one language and makes a word several languages share (a name) as
// common as it is in all of them. On the dev questions this scored the
// archive's languages on one scale better than a search a language fused
// by rank (docs/crosslingual.md). The words to match on are chosen as
// textPlanCTE chooses them, a group standing for a word. Parameters:
//
//	$1 matches read at most    $2 groups matched on    $3 commonFactor
//	$4 the parts' words        $5 their languages      $6, $7 BM25's k1 and b
//	$8 the question's vector (or NULL)   $9 each part's group (1-based)
//	$10 the chunks of each part's language (0 when unknown: every chunk)
//	$11 each part's skeleton ("" for none)
//
// A part with a skeleton (rag.QueryPart.Skeleton, an Arabic name) also
// gets the archive's Latin words of that consonant skeleton
// (dalil_skeleton, migration 0012; at most maxSkeletonWords, the most
// common first), each a part of its own in the group, as rare as it is
// among all chunks: "Mezzour" for مزور, beside "mesure"; unless the
// archive holds one of the group's words as they are (the name in Arabic
// script): then the Arabic articles that name it answer, and the Latin
// spelling would bring in, on the dev questions, the English parallels of
// Arabic paragraphs.
//
// Structured queries run only when the question's own search found
// nothing (rag), so this statement is not tuned as textLegSQL is.
var groupedLegSQL = `WITH q0 AS (
	SELECT DISTINCT g.gi, g.pi, w FROM unnest($4::text[], $9::int[]) WITH ORDINALITY g(txt, gi, pi)
	CROSS JOIN LATERAL unnest(` + lexemeArray("g.txt", "($5::text[])[g.pi]") + `) w
), q AS (
	SELECT gi, pi, w FROM q0
	UNION
	SELECT g.gi, 1000 * g.pi + x.i, x.word FROM unnest($9::int[], $11::text[]) WITH ORDINALITY g(gi, sk, pi)
	CROSS JOIN LATERAL (SELECT word, row_number() OVER (ORDER BY ndoc DESC, word) AS i FROM lexemes
		WHERE g.sk <> '' AND word ~ '^[a-z]' AND dalil_skeleton(word) = g.sk AND ndoc > 0
			AND NOT EXISTS (SELECT 1 FROM q0 JOIN lexemes k ON k.word = q0.w WHERE q0.gi = g.gi AND k.ndoc > 0)
		ORDER BY ndoc DESC, word LIMIT ` + strconv.Itoa(maxSkeletonWords) + `) x
), l AS (
	SELECT q.gi, q.pi, l.word, l.ndoc, st.chunks, st.total_len
	FROM lexemes l JOIN q ON q.w = l.word CROSS JOIN text_stats st
	WHERE l.word = ANY (ARRAY(SELECT w FROM q)) AND l.ndoc > 0 AND l.word !~ '[''\\]'
), lw AS MATERIALIZED (
	SELECT l.word, l.gi, l.pi, pt.idf FROM l JOIN (
		SELECT gi, pi, ln(1 + (n - ndoc + 0.5::float8) / (ndoc + 0.5::float8)) AS idf
		FROM (SELECT gi, pi, max(n) AS n, least(sum(ndoc), max(n)) AS ndoc
			FROM (SELECT gi, pi, ndoc, coalesce(nullif(($10::int8[])[pi], 0), chunks) AS n FROM l) x
			GROUP BY gi, pi) y
	) pt ON pt.gi = l.gi AND pt.pi = l.pi
), g AS (
	SELECT gi, least(sum(ndoc), max(chunks)) AS ndoc,
		'(' || string_agg('''' || word || '''', ' | ') || ')' AS tsq
	FROM (SELECT DISTINCT gi, word, ndoc, chunks FROM l) d GROUP BY gi
), r AS (
	SELECT gi, tsq, row_number() OVER w AS i, sum(ndoc) OVER w AS cum
	FROM g WINDOW w AS (ORDER BY ndoc, gi ROWS UNBOUNDED PRECEDING)
), p AS (
	SELECT (SELECT array_agg(DISTINCT word) FROM l) AS words,
		(SELECT greatest(max(total_len)::float8 / greatest(max(chunks), 1), 1) FROM l) AS mean_len,
		string_agg(tsq, ' & ' ORDER BY i) FILTER (WHERE i <= $2::int)::tsquery AS every,
		(CASE WHEN min(cum) > $3::int8 * $1::int
			THEN string_agg(tsq, ' & ' ORDER BY i) FILTER (WHERE i <= $2::int)
			ELSE string_agg(tsq, ' | ' ORDER BY i) FILTER (WHERE i <= $2::int AND (i = 1 OR cum <= $1::int))
		END)::tsquery AS "any"
	FROM r
), m AS (
	(SELECT c.id, c.article_id, c.tsv, c.embedding <=> $8::vector AS dist FROM chunks c
	WHERE c.tsv @@ (SELECT every FROM p) LIMIT $1::int)
	UNION ALL
	(SELECT c.id, c.article_id, c.tsv, c.embedding <=> $8::vector AS dist FROM chunks c
	WHERE (SELECT "any" FROM p) <> (SELECT every FROM p) AND c.tsv @@ (SELECT "any" FROM p)
		AND NOT c.tsv @@ (SELECT every FROM p) LIMIT $1::int)
	LIMIT $1::int
)
SELECT m.id, m.article_id, m.dist
FROM m CROSS JOIN p CROSS JOIN LATERAL (
	SELECT sum(b.best) AS score FROM (
		SELECT max(t.idf * t.tf * ($6::float8 + 1)
			/ (t.tf + $6::float8 * (1 - $7::float8 + $7::float8 * length(m.tsv) / p.mean_len))) AS best
		FROM (SELECT lw.gi, max(lw.idf) AS idf, sum(cardinality(u.positions)) AS tf
			FROM unnest(ts_filter(setweight(setweight(m.tsv, 'D'), 'A', p.words), '{a}')) u JOIN lw ON lw.word = u.lexeme
			GROUP BY lw.gi, lw.pi) t
		GROUP BY t.gi
	) b
) s
ORDER BY s.score DESC, m.id`

// passagesSQL returns the chunks with ids $1 and their articles; $2 is
// the number of ids. The LIMIT changes no result (ids are unique) but lets
// PostgreSQL settle on the statement's generic plan, which is the custom
// one's (index lookups of chunks, then of articles): it estimates a
// parameter's LIMIT at a tenth of the rows, so the generic plan costs less
// than the custom ones, and planning, 0.1-0.25 ms of a 0.17 ms round trip
// for five passages at 10k chunks, is done once a connection
// (docs/performance.md; TestPassagesGenericPlan).
const passagesSQL = `SELECT c.id, c.article_id, c.idx, c.heading, c.text, c.start_off, c.end_off, ` + articleColumns + `
FROM chunks c JOIN articles a ON a.id = c.article_id
WHERE c.id = ANY ($1) LIMIT $2`

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

// maxSkeletonWords caps the archive words a skeleton adds to a part.
const maxSkeletonWords = 8

// maxGroupWords caps the words of one part of a structured query's group.
const maxGroupWords = 12

// queryGroups returns the words of the parts of a structured query's
// groups (see groupedLegSQL), each cut to maxGroupWords words (as
// queryWords keeps them), leaving out those with none, with the 1-based
// group, the language and the skeleton of each; at most max groups.
func queryGroups(groups [][]rag.QueryPart, max int) (words []string, group []int32, langs, skeletons []string) {
	n := int32(0)
	for _, g := range groups {
		if int(n) == max {
			break
		}
		held := false
		for _, part := range g {
			ws := strings.Split(queryWords(part.Words, maxGroupWords), " | ")
			if ws[0] == "" {
				continue
			}
			if !held {
				held = true
				n++
			}
			words = append(words, strings.Join(ws, " "))
			group = append(group, n)
			langs = append(langs, part.Lang)
			skeletons = append(skeletons, part.Skeleton)
		}
	}
	return words, group, langs, skeletons
}

// missingStopWord reports the words PostgreSQL's stop lists lack: its
// French list has "le" and "la" but not "les", which the French stemmer
// turns into "le", matching nearly every French chunk.
func missingStopWord(w string) bool {
	return w == "les"
}

// searchConn is the pool or a transaction.
type searchConn interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// Search runs the hybrid search: the q.Candidates nearest chunks by cosine
// distance (those the HNSW index finds and the full-text matches, at their
// exact distances) and the q.Candidates best full-text matches of the
// question's words (BM25, in French, English, Arabic and language-neutral
// configurations, accent-insensitive), fused by weighted reciprocal rank
// fusion, at most q.PerArticle per article, best first. Either leg may be
// empty (no vector, or no words), not both.
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
	var vec []rag.Hit
	vecErr := make(chan error, 1)
	if len(q.Vector) > 0 && !q.TextOnly {
		go func() {
			var err error
			vec, err = s.vectorLeg(ctx, q, cand)
			vecErr <- err
		}()
	} else {
		vecErr <- nil
	}
	txt, err := s.textLeg(ctx, q, words)
	if err := errors.Join(<-vecErr, err); err != nil {
		return nil, fmt.Errorf("search %q: %w", nlp.Truncate(q.Text, 80), s.classify(err))
	}
	txt = txt[:min(len(txt), cand)]
	var hits []rag.FusedHit
	if q.TextOnly {
		hits = rag.Fusion{K: s.cfg.RRFK, TextWeight: 1}.Fuse(nil, txt, q.PerArticle, q.K)
		if len(q.Vector) > 0 {
			// The matches' distances, for their similarity only.
			dist := make(map[int64]float64, len(txt))
			for _, h := range txt {
				dist[h.ChunkID] = h.Distance
			}
			for i := range hits {
				if d := dist[hits[i].ChunkID]; !math.IsNaN(d) { // a zero vector is near nothing
					hits[i].Distance, hits[i].Measured = d, true
				}
			}
		}
	} else {
		if len(q.Vector) > 0 {
			vec = nearest(vec, txt, cand)
		}
		hits = rag.Fusion{K: s.cfg.RRFK, VectorWeight: s.cfg.VectorWeight, TextWeight: s.cfg.TextWeight}.Fuse(vec, txt, q.PerArticle, q.K)
	}
	out, err := s.passages(ctx, hits)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", nlp.Truncate(q.Text, 80), s.classify(err))
	}
	return out, nil
}

// nearest returns the n chunks of vec and matches nearest to the question,
// each once, nearest first, ties by id: the vector ranking. The HNSW index
// misses some of the exact nearest chunks, most often a paragraph unlike
// the rest of the archive (docs/performance.md, "HNSW recall"); such a
// paragraph shares the question's rare words, so the full-text leg reads
// it, with its exact distance, and the vector ranking gets it back. A chunk
// whose distance is NaN (a zero vector: the index leaves it out, a scan
// without the index returns it) is no neighbour and is left out.
func nearest(vec, matches []rag.Hit, n int) []rag.Hit {
	seen := make(map[int64]bool, len(vec)+len(matches))
	var all []rag.Hit
	for _, h := range slices.Concat(vec, matches) {
		if !seen[h.ChunkID] && !math.IsNaN(h.Distance) {
			seen[h.ChunkID] = true
			all = append(all, h)
		}
	}
	slices.SortStableFunc(all, func(a, b rag.Hit) int {
		return cmp.Or(cmp.Compare(a.Distance, b.Distance), cmp.Compare(a.ChunkID, b.ChunkID))
	})
	return all[:min(len(all), n)]
}

// vectorLeg returns the cand chunks the HNSW index finds nearest to
// q.Vector, in the index's order (nearest ranks them).
// ef_search at least cand, and iterative scans for a dated search, need
// settings local to a transaction; the common case runs on the
// connection's defaults.
func (s *Store) vectorLeg(ctx context.Context, q rag.SearchQuery, cand int) ([]rag.Hit, error) {
	dated, since, until := window(q)
	efSearch := max(s.cfg.EfSearch, cand)
	iterative := dated && s.iterativeScan()
	var vec []rag.Hit
	run := func(db searchConn) error {
		args := []any{pgvector.NewVector(q.Vector)}
		if dated {
			// Planned for this window every time (CacheDescribe's unnamed
			// statement): whether to walk the index or sort the window's
			// chunks depends on how many the window holds, which a cached
			// generic plan cannot know.
			args = append([]any{pgx.QueryExecModeCacheDescribe}, append(args, since, until)...)
		}
		rows, err := db.Query(ctx, vectorLegSQL(dated, cand), args...)
		if err != nil {
			return fmt.Errorf("vector leg: %w", dimensionErr(err))
		}
		var h rag.Hit
		if _, err := pgx.ForEachRow(rows, []any{&h.ChunkID, &h.ArticleID, &h.Distance}, func() error {
			vec = append(vec, h)
			return nil
		}); err != nil {
			return fmt.Errorf("vector leg: %w", dimensionErr(err))
		}
		return nil
	}
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
		return nil, err
	}
	return vec, nil
}

// textLeg returns the chunks that match words, best BM25 score first, with
// their cosine distances to q.Vector when it is set.
func (s *Store) textLeg(ctx context.Context, q rag.SearchQuery, words string) ([]rag.Hit, error) {
	if words == "" {
		return nil, nil
	}
	dated, since, until := window(q)
	var vec *pgvector.Vector
	if len(q.Vector) > 0 {
		v := pgvector.NewVector(q.Vector)
		vec = &v
	}
	plan := []any{s.cfg.TextMatchLimit, s.cfg.MatchWords, commonFactor, words, q.Lang} // textPlanSQL's
	args := append(plan[:len(plan):len(plan)], bm25K1, bm25B, vec)
	if dated {
		// Planned for this window and these words every time
		// (CacheDescribe's unnamed statement): whether to read the window's
		// articles first depends on how many it holds. Undated, the
		// statement is prepared once a connection and PostgreSQL settles on
		// its generic plan, which is the custom one's shape whatever the
		// words (bitmap scans of the GIN index, cut by the LIMIT;
		// textPlanCTE keeps common words out): planning it cost 0.2-0.6 ms
		// a question (docs/performance.md).
		var every, some pgtype.Text
		var lexemes []string
		var idfs []float64
		var meanLen pgtype.Float8
		if err := s.pool.QueryRow(ctx, textPlanSQL, plan...).Scan(&every, &some, &lexemes, &idfs, &meanLen); err != nil {
			return nil, fmt.Errorf("look up the question's words: %w", err)
		}
		if !every.Valid {
			return nil, nil
		}
		args = []any{pgx.QueryExecModeCacheDescribe, s.cfg.TextMatchLimit, every.String, some.String, lexemes, idfs,
			bm25K1, bm25B, vec, since, until, meanLen.Float64}
	}
	sql := textLegSQL(dated)
	if parts, group, langs, skeletons := queryGroups(q.Groups, s.cfg.MaxQueryWords); len(parts) > 0 && !dated {
		counts, err := s.langChunks.get(ctx, s.pool)
		if err != nil {
			return nil, fmt.Errorf("full-text leg: %w", err)
		}
		n := make([]int64, len(langs))
		for i, l := range langs {
			if l != "" { // a part of no known language: every chunk
				n[i] = counts[l]
			}
		}
		sql, args[3], args[4] = groupedLegSQL, parts, langs
		args = append(args, group, n, skeletons)
	}
	var txt []rag.Hit
	rows, err := s.pool.Query(ctx, sql, args...)
	if err == nil {
		var h rag.Hit
		var dist pgtype.Float8
		_, err = pgx.ForEachRow(rows, []any{&h.ChunkID, &h.ArticleID, &dist}, func() error {
			h.Distance = dist.Float64
			txt = append(txt, h)
			return nil
		})
	}
	if err != nil {
		return nil, fmt.Errorf("full-text leg: %w", dimensionErr(err))
	}
	return txt, nil
}

// passages reads the chunks and articles of hits, in their order; a chunk
// deleted since the legs ran is left out.
func (s *Store) passages(ctx context.Context, hits []rag.FusedHit) ([]rag.Passage, error) {
	if len(hits) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(hits))
	for i, h := range hits {
		ids[i] = h.ChunkID
	}
	rows, err := s.pool.Query(ctx, passagesSQL, ids, len(ids))
	if err != nil {
		return nil, fmt.Errorf("read passages: %w", err)
	}
	byID, err := scanPassages(rows)
	if err != nil {
		return nil, fmt.Errorf("read passages: %w", err)
	}
	out := make([]rag.Passage, 0, len(hits))
	for _, h := range hits {
		p, ok := byID[h.ChunkID]
		if !ok {
			continue
		}
		p.Score, p.VectorRank, p.TextRank = h.Score, h.VectorRank, h.TextRank
		if h.VectorRank > 0 || h.Measured {
			p.Similarity = 1 - h.Distance
		}
		out = append(out, p)
	}
	return out, nil
}

// window reports whether q restricts publication dates, and its bounds,
// infinite where unset.
func window(q rag.SearchQuery) (dated bool, since, until pgtype.Timestamptz) {
	return !q.Since.IsZero() || !q.Until.IsZero(), bound(q.Since, pgtype.NegativeInfinity), bound(q.Until, pgtype.Infinity)
}

// bound maps a zero time to an infinite timestamp.
func bound(t time.Time, inf pgtype.InfinityModifier) pgtype.Timestamptz {
	if t.IsZero() {
		return pgtype.Timestamptz{InfinityModifier: inf, Valid: true}
	}
	return pgtype.Timestamptz{Time: t, Valid: true}
}

// scanPassages reads the rows of passagesSQL by chunk id.
func scanPassages(rows pgx.Rows) (map[int64]rag.Passage, error) {
	out := map[int64]rag.Passage{}
	var p rag.Passage
	afields, done := articleFields(&p.Article)
	fields := append([]any{&p.Chunk.ID, &p.Chunk.ArticleID, &p.Chunk.Index, &p.Chunk.Heading, &p.Chunk.Text,
		&p.Chunk.Start, &p.Chunk.End}, afields...)
	_, err := pgx.ForEachRow(rows, fields, func() error {
		done()
		out[p.Chunk.ID] = p
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
