package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/pgvector/pgvector-go"

	"github.com/dalil-news/dalil/rag"
)

// Lookup finds the article stored under url or, failing that, with
// contentHash (ignored when empty). ok is false when there is none.
func (s *Store) Lookup(ctx context.Context, url, contentHash string) (rag.Existing, bool, error) {
	found, err := s.LookupMany(ctx, []rag.LookupKey{{URL: url, ContentHash: contentHash}})
	if err != nil {
		return rag.Existing{}, false, err
	}
	return found[0], found[0].ID != 0, nil
}

// LookupMany finds, for each key, the article stored under its URL or,
// failing that, with its content hash (ignored when empty; the oldest
// article when several have it), in one round trip. found[i] has ID 0 when
// there is none.
func (s *Store) LookupMany(ctx context.Context, keys []rag.LookupKey) ([]rag.Existing, error) {
	urls, hashes := make([]string, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		urls[i], hashes[i] = k.URL, k.ContentHash
	}
	rows, err := s.pool.Query(ctx, lookupSQL, urls, hashes)
	if err != nil {
		return nil, fmt.Errorf("look up %d articles: %w", len(keys), s.classify(err))
	}
	found, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (rag.Existing, error) {
		var id *int64
		var url, hash *string
		if err := row.Scan(&id, &url, &hash); err != nil || id == nil {
			return rag.Existing{}, err
		}
		return rag.Existing{ID: *id, URL: *url, ContentHash: *hash}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("look up %d articles: %w", len(keys), s.classify(err))
	}
	if len(found) != len(keys) {
		return nil, fmt.Errorf("look up %d articles: %d rows", len(keys), len(found))
	}
	return found, nil
}

// lookupSQL finds, for each (url, hash) of the arrays $1 and $2 in order,
// the article with that URL or else the oldest with that hash; a row of
// NULLs when there is none.
const lookupSQL = `SELECT e.id, e.url, e.content_hash
	FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(url, hash, i)
	LEFT JOIN LATERAL (SELECT id, url, content_hash FROM articles
		WHERE url = k.url OR (k.hash <> '' AND content_hash = k.hash)
		ORDER BY url = k.url DESC, id LIMIT 1) e ON true
	ORDER BY k.i`

// SaveArticle stores a and its embedded chunks in one transaction and
// returns what it did: it inserts a new article (rag.Created), or updates
// the one with the same URL and replaces its chunks (rag.Updated). It
// writes nothing when the article with the same URL has the same content
// hash (rag.Unchanged), or when a new URL's content hash is stored under
// another URL (rag.Duplicate). It sets a.ID and a.IngestedAt to the stored
// article's (kept from the first save). Every chunk needs an embedding of
// the index's dimension; on any error nothing is stored. It takes one
// round trip.
//
// Concurrent saves are safe (see migration 0005) and deduplicate: saves
// of one content hash take turns (a transaction advisory lock on it), so
// that the same text under two URLs at once is stored once.
func (s *Store) SaveArticle(ctx context.Context, a *rag.Article, chunks []rag.Chunk) (rag.SaveStatus, error) {
	if a == nil {
		return "", errors.New("save article: nil article")
	}
	if err := checkArticle(a, chunks); err != nil {
		return "", fmt.Errorf("save article %q: %w", a.URL, err)
	}
	// One round trip: the batch runs in one implicit transaction, so a
	// failing statement rolls back the whole article.
	b := &pgx.Batch{}
	if s.deferCounts.Load() {
		// Skip the BM25 statistics' triggers (migration 0005) in this
		// transaction; RecountTextStats counts it later.
		b.Queue("SELECT set_config('dalil.defer_counts', 'on', true)")
	}
	b.Queue("SELECT pg_advisory_xact_lock($1, hashtext($2))", contentLockClass, a.ContentHash)
	var (
		status   rag.SaveStatus
		id       int64
		ingested time.Time
	)
	b.Queue(saveArticleSQL, a.URL, a.Title, a.Publisher, nullTime(a.Published), a.Lang, a.Text, a.ContentHash).
		QueryRow(func(row pgx.Row) error { return row.Scan(&status, &id, &ingested) })
	// The chunks of an article this transaction wrote are replaced (for a
	// new one the DELETE finds none, and its trigger returns at once:
	// migration 0006); an unchanged or duplicate one keeps its own.
	b.Queue("DELETE FROM chunks WHERE article_id = (SELECT id FROM articles WHERE url = $1 AND "+writtenHere+")", a.URL)
	n := len(chunks)
	idx, starts, ends := make([]int32, n), make([]int32, n), make([]int32, n)
	headings, texts := make([]string, n), make([]string, n)
	vecs := make([]pgvector.Vector, n)
	for i, c := range chunks {
		idx[i], starts[i], ends[i] = int32(c.Index), int32(c.Start), int32(c.End)
		headings[i], texts[i] = c.Heading, c.Text
		vecs[i] = pgvector.NewVector(c.Embedding)
	}
	b.Queue(insertChunksSQL, a.URL, a.Lang, idx, headings, texts, starts, ends, vecs)
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return "", fmt.Errorf("save article %q: %w", a.URL, s.classify(dimensionErr(err)))
	}
	a.ID, a.IngestedAt = id, ingested
	return status, nil
}

// contentLockClass is the first key of the transaction advisory locks that
// serialize the saves of one content hash ("dhsh"); the second is
// hashtext(content_hash).
const contentLockClass int32 = 0x64687368

// saveArticleSQL inserts or updates the article ($1 url … $7 content
// hash), unless its content is unchanged or, for a new URL, stored under
// another URL, and returns what it did (created, updated, unchanged,
// duplicate) with the id and first ingest time of the stored article.
// Under the content hash's lock, the NOT EXISTS sees every committed
// article with that hash.
const saveArticleSQL = `WITH ins AS (
	INSERT INTO articles (url, title, publisher, published, lang, text, content_hash)
	SELECT $1, $2, $3, $4, $5, $6, $7
	WHERE $7 = '' OR EXISTS (SELECT 1 FROM articles WHERE url = $1)
		OR NOT EXISTS (SELECT 1 FROM articles WHERE content_hash = $7 AND url <> $1)
	ON CONFLICT (url) DO UPDATE SET title = EXCLUDED.title, publisher = EXCLUDED.publisher,
		published = EXCLUDED.published, lang = EXCLUDED.lang, text = EXCLUDED.text,
		content_hash = EXCLUDED.content_hash, updated_at = now()
	WHERE articles.content_hash <> EXCLUDED.content_hash
	RETURNING id, ingested_at, xmax = 0 AS inserted)
SELECT CASE WHEN ins.inserted THEN 'created' WHEN ins.id IS NOT NULL THEN 'updated'
		WHEN e.url = $1 THEN 'unchanged' ELSE 'duplicate' END,
	coalesce(ins.id, e.id), coalesce(ins.ingested_at, e.ingested_at)
FROM (SELECT) one
LEFT JOIN ins ON true
LEFT JOIN LATERAL (SELECT id, url, ingested_at FROM articles
	WHERE url = $1 OR ($7 <> '' AND content_hash = $7)
	ORDER BY url = $1 DESC, id LIMIT 1) e ON true`

// writtenHere holds for an articles row this transaction wrote.
const writtenHere = "xmin = pg_current_xact_id()::xid"

// insertChunksSQL stores the chunks of the article with URL $1, one array
// parameter a column, when this transaction wrote that article.
const insertChunksSQL = `INSERT INTO chunks (article_id, idx, heading, text, start_off, end_off, lang, embedding)
	SELECT a.id, c.idx, c.heading, c.text, c.s, c.e, $2, c.emb
	FROM articles a, unnest($3::int[], $4::text[], $5::text[], $6::int[], $7::int[], $8::vector[]) AS c(idx, heading, text, s, e, emb)
	WHERE a.url = $1 AND a.` + writtenHere

// checkArticle rejects what PostgreSQL would refuse with a less clear
// message, and chunks that do not fit the article.
func checkArticle(a *rag.Article, chunks []rag.Chunk) error {
	if strings.TrimSpace(a.URL) == "" {
		return errors.New("empty URL")
	}
	if strings.TrimSpace(a.Text) == "" {
		return fmt.Errorf("article text: %w", rag.ErrEmptyInput)
	}
	fields := []struct{ name, v string }{
		{"url", a.URL}, {"title", a.Title}, {"publisher", a.Publisher},
		{"lang", a.Lang}, {"text", a.Text}, {"content hash", a.ContentHash},
	}
	for _, f := range fields {
		if err := checkText(f.v); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
	}
	seen := make(map[int]bool, len(chunks))
	for i, c := range chunks {
		switch {
		case seen[c.Index]:
			return fmt.Errorf("chunk %d: index %d appears twice", i, c.Index)
		case c.Start < 0 || c.Start > c.End || c.End > len(a.Text):
			return fmt.Errorf("chunk %d: offsets [%d,%d) are outside the text (%d bytes)", i, c.Start, c.End, len(a.Text))
		case len(c.Embedding) == 0:
			return fmt.Errorf("chunk %d: no embedding", i)
		}
		seen[c.Index] = true
		if err := checkText(c.Heading); err != nil {
			return fmt.Errorf("chunk %d heading: %w", i, err)
		}
		if err := checkText(c.Text); err != nil {
			return fmt.Errorf("chunk %d text: %w", i, err)
		}
	}
	return nil
}

// checkText refuses what a PostgreSQL text column cannot hold.
func checkText(s string) error {
	if !utf8.ValidString(s) {
		return errors.New("invalid UTF-8")
	}
	if strings.IndexByte(s, 0) >= 0 {
		return errors.New("contains a NUL byte")
	}
	return nil
}

// dimensionErr marks pgvector's dimension errors as rag.ErrEmbedderMismatch.
func dimensionErr(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (strings.HasPrefix(pe.Message, "expected ") && strings.Contains(pe.Message, "dimensions") ||
		strings.HasPrefix(pe.Message, "different vector dimensions")) {
		return fmt.Errorf("%w: %w", rag.ErrEmbedderMismatch, err)
	}
	return err
}

// nullTime maps the zero time to SQL NULL.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// articleColumns are the columns scanned by scanArticle, without the text.
const articleColumns = "a.id, a.url, a.title, a.publisher, a.published, a.lang, a.content_hash, a.ingested_at"

// articleFields returns the scan targets for articleColumns into a, and a
// function to call after the scan.
func articleFields(a *rag.Article) ([]any, func()) {
	var published *time.Time
	return []any{&a.ID, &a.URL, &a.Title, &a.Publisher, &published, &a.Lang, &a.ContentHash, &a.IngestedAt}, func() {
		a.Published = time.Time{}
		if published != nil {
			a.Published = *published
		}
	}
}

// Article returns the article with id, with its text. The error wraps
// rag.ErrNotFound when there is none.
func (s *Store) Article(ctx context.Context, id int64) (rag.Article, error) {
	a, err := s.oneArticle(ctx, "a.id = $1", id)
	if err != nil {
		return rag.Article{}, fmt.Errorf("article %d: %w", id, err)
	}
	return a, nil
}

// ArticleByURL returns the article stored under url, with its text. The
// error wraps rag.ErrNotFound when there is none.
func (s *Store) ArticleByURL(ctx context.Context, url string) (rag.Article, error) {
	a, err := s.oneArticle(ctx, "a.url = $1", url)
	if err != nil {
		return rag.Article{}, fmt.Errorf("article %q: %w", url, err)
	}
	return a, nil
}

// oneArticle reads the article matching where (a fixed condition on alias
// a with one parameter), with its text.
func (s *Store) oneArticle(ctx context.Context, where string, arg any) (rag.Article, error) {
	var a rag.Article
	fields, done := articleFields(&a)
	err := s.pool.QueryRow(ctx, "SELECT "+articleColumns+", a.text FROM articles a WHERE "+where, arg).Scan(append(fields, &a.Text)...)
	if errors.Is(err, pgx.ErrNoRows) {
		return rag.Article{}, rag.ErrNotFound
	}
	if err != nil {
		return rag.Article{}, err
	}
	done()
	return a, nil
}

// RecentArticles returns up to limit articles ingested at or after since,
// newest first, without their text.
func (s *Store) RecentArticles(ctx context.Context, since time.Time, limit int) ([]rag.Article, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("recent articles: limit %d must be positive", limit)
	}
	rows, err := s.pool.Query(ctx, "SELECT "+articleColumns+` FROM articles a
		WHERE a.ingested_at >= $1 ORDER BY a.ingested_at DESC, a.id DESC LIMIT $2`, since, limit)
	if err != nil {
		return nil, fmt.Errorf("recent articles since %s: %w", since.Format(time.RFC3339), err)
	}
	var out []rag.Article
	var a rag.Article
	fields, done := articleFields(&a)
	_, err = pgx.ForEachRow(rows, fields, func() error {
		done()
		out = append(out, a)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("recent articles since %s: %w", since.Format(time.RFC3339), err)
	}
	return out, nil
}

// DeleteArticle removes the article with id and its chunks. The error wraps
// rag.ErrNotFound when there is none.
func (s *Store) DeleteArticle(ctx context.Context, id int64) error {
	tag, err := s.pool.Exec(ctx, "DELETE FROM articles WHERE id = $1", id)
	if err != nil {
		return fmt.Errorf("delete article %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("delete article %d: %w", id, rag.ErrNotFound)
	}
	return nil
}

// Stats describes the contents of the store.
type Stats struct {
	Articles int64 // stored articles
	Chunks   int64 // stored chunks
	// Embedder and Dimensions identify the embedder the index is bound
	// to ("" and 0 before EnsureEmbedder).
	Embedder   string
	Dimensions int
	// DatabaseBytes is the size of the whole database on disk.
	DatabaseBytes int64
	// NewestIngest is when the last article was first stored (zero when
	// there is none).
	NewestIngest time.Time
	// Pgvector is the installed pgvector version.
	Pgvector string
}

// Stats counts articles and chunks and reports the embedder binding and the
// database size.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	var embedder *string
	var dim *int
	var newest *time.Time
	err := s.pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM articles),
		(SELECT count(*) FROM chunks),
		(SELECT embedder FROM index_meta),
		(SELECT dimensions FROM index_meta),
		pg_database_size(current_database()),
		(SELECT max(ingested_at) FROM articles)`).Scan(&st.Articles, &st.Chunks, &embedder, &dim, &st.DatabaseBytes, &newest)
	if err != nil {
		return Stats{}, fmt.Errorf("stats of %s: %w", s.where, err)
	}
	if embedder != nil {
		st.Embedder = *embedder
	}
	if dim != nil {
		st.Dimensions = *dim
	}
	if newest != nil {
		st.NewestIngest = *newest
	}
	st.Pgvector = s.PgvectorVersion()
	return st, nil
}

// Languages returns the languages of the stored articles (fr, en, ar…),
// sorted, without the empty one of articles whose language is unknown.
func (s *Store) Languages(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT lang FROM articles WHERE lang <> '' ORDER BY lang`)
	if err != nil {
		return nil, fmt.Errorf("languages of %s: %w", s.where, err)
	}
	langs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("languages of %s: %w", s.where, err)
	}
	return langs, nil
}
