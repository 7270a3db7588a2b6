package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/dalil-news/dalil/ingest"
	"github.com/dalil-news/dalil/internal/testing/pgtest"
	"github.com/dalil-news/dalil/rag"
)

// testDim is the dimension of the hand-made test vectors.
const testDim = 4

// MustOpen opens a store on a fresh database, migrated.
func MustOpen(tb testing.TB, cfg Config) *Store {
	tb.Helper()
	return mustOpenAt(tb, pgtest.NewDatabase(tb), cfg)
}

// mustOpenIndexed opens a store on a fresh database (MustOpen) whose
// index takes the test embedder's vectors.
func mustOpenIndexed(tb testing.TB, cfg Config) *Store {
	tb.Helper()
	s := MustOpen(tb, cfg)
	if err := s.EnsureEmbedder(context.Background(), "test", testDim); err != nil {
		tb.Fatal(err)
	}
	return s
}

// mustOpenAt opens and migrates a store on the database at url, as
// another replica on the same database would.
func mustOpenAt(tb testing.TB, url string, cfg Config) *Store {
	tb.Helper()
	ctx := context.Background()
	s, err := Open(ctx, url, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	if err := s.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	return s
}

// mustOpenURL opens a store on the database at url, migrated and bound to
// the test embedder: several of them share one database.
func mustOpenURL(tb testing.TB, url string) *Store {
	tb.Helper()
	ctx := context.Background()
	s, err := Open(ctx, url, Config{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	if err := s.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	if err := s.EnsureEmbedder(ctx, "test", testDim); err != nil {
		tb.Fatal(err)
	}
	return s
}

// MustOpenBound opens a migrated store bound to the test embedder.
func MustOpenBound(tb testing.TB) *Store {
	tb.Helper()
	s := MustOpen(tb, Config{})
	if err := s.EnsureEmbedder(context.Background(), "test", testDim); err != nil {
		tb.Fatal(err)
	}
	return s
}

// axis returns a unit-ish vector pointing mostly along axis i.
func axis(i int) []float32 {
	v := []float32{0.1, 0.1, 0.1, 0.1}
	v[i%testDim] = 1
	return v
}

// makeArticle builds an article whose paragraphs are its chunks; the chunk
// vectors are axis(vecs[i]).
func makeArticle(url, lang string, published time.Time, vecs []int, paragraphs ...string) (rag.Article, []rag.Chunk) {
	a := rag.Article{
		URL: url, Title: "Titre " + url, Publisher: "Le Test", Published: published, Lang: lang,
		Text: strings.Join(paragraphs, "\n\n"), ContentHash: "hash-" + url + "-" + strings.Join(paragraphs, ""),
	}
	var chunks []rag.Chunk
	off := 0
	for i, p := range paragraphs {
		chunks = append(chunks, rag.Chunk{Index: i, Text: p, Start: off, End: off + len(p), Embedding: axis(vecs[i])})
		off += len(p) + 2
	}
	return a, chunks
}

// MustSave saves an article and returns it with its ID.
func MustSave(tb testing.TB, s *Store, a rag.Article, chunks []rag.Chunk) rag.Article {
	tb.Helper()
	if _, err := s.SaveArticle(context.Background(), &a, chunks); err != nil {
		tb.Fatal(err)
	}
	return a
}

// saver returns MustSave bound to tb and s, to take makeArticle's results
// directly.
func saver(tb testing.TB, s *Store) func(rag.Article, []rag.Chunk) rag.Article {
	return func(a rag.Article, chunks []rag.Chunk) rag.Article {
		tb.Helper()
		return MustSave(tb, s, a, chunks)
	}
}

// chunkIDs returns the chunk ids of an article, in order.
func chunkIDs(tb testing.TB, s *Store, articleID int64) []int64 {
	tb.Helper()
	rows, err := s.pool.Query(context.Background(), "SELECT id FROM chunks WHERE article_id = $1 ORDER BY idx", articleID)
	if err != nil {
		tb.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			tb.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return ids
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	versions := func(t *testing.T, s *Store) map[int]time.Time {
		t.Helper()
		rows, err := s.pool.Query(ctx, "SELECT version, applied_at FROM schema_migrations")
		if err != nil {
			t.Fatal(err)
		}
		got := map[int]time.Time{}
		for rows.Next() {
			var v int
			var at time.Time
			if err := rows.Scan(&v, &at); err != nil {
				t.Fatal(err)
			}
			got[v] = at
		}
		return got
	}
	migs, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	var want []int
	for _, m := range migs {
		want = append(want, m.version)
	}
	keys := func(m map[int]time.Time) []int {
		var out []int
		for k := range m {
			out = append(out, k)
		}
		return out
	}
	sortInts := cmpopts.SortSlices(func(a, b int) bool { return a < b })

	tests := []struct {
		name    string
		prepare func(t *testing.T, s *Store) // runs on a migrated store
		wantErr string
	}{
		{name: "up to date", prepare: func(*testing.T, *Store) {}},
		{name: "concurrent", prepare: func(t *testing.T, s *Store) {
			var wg sync.WaitGroup
			errs := make([]error, 4)
			for i := range errs {
				wg.Go(func() { errs[i] = s.Migrate(ctx) })
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "newer database", prepare: func(t *testing.T, s *Store) {
			if _, err := s.pool.Exec(ctx, "INSERT INTO schema_migrations (version) VALUES (9999)"); err != nil {
				t.Fatal(err)
			}
		}, wantErr: "schema version 9999, newer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(ctx, pgtest.NewDatabase(t), Config{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if got := s.PgvectorVersion(); got != "" {
				t.Errorf("PgvectorVersion on an empty database = %q, want \"\"", got)
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatalf("Migrate on an empty database: %v", err)
			}
			first := versions(t, s)
			if diff := cmp.Diff(want, keys(first), sortInts); diff != "" {
				t.Errorf("versions after the first Migrate (-want +got):\n%s", diff)
			}
			if s.PgvectorVersion() == "" {
				t.Error("PgvectorVersion after Migrate is empty")
			}
			tt.prepare(t, s)
			err = s.Migrate(ctx)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Migrate error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Migrate again: %v", err)
			}
			if diff := cmp.Diff(first, versions(t, s)); diff != "" {
				t.Errorf("Migrate again changed schema_migrations (-before +after):\n%s", diff)
			}
			// The pool has pgvector's codecs after migrating: vectors are sent.
			MustSave(t, s, rag.Article{URL: "https://example.org/a", Text: "x"},
				[]rag.Chunk{{Text: "x", End: 1, Embedding: axis(0)}})
		})
	}
}

func TestTextSearchConfigs(t *testing.T) {
	s := MustOpen(t, Config{})
	tests := []struct {
		cfg, text, want string
	}{
		{"dalil_fr", "Des élèves de l'école", "'ecol':5 'elev':2"},
		{"dalil_en", "The café voted budgets", "'budget':4 'cafe':2 'vote':3"},
		{"dalil_simple", "Élèves École", "'ecole':2 'eleves':1"},
		{"dalil_ar", "الميزانية", "'ميزان':1"},
	}
	for _, tt := range tests {
		t.Run(tt.cfg, func(t *testing.T) {
			var got string
			if err := s.pool.QueryRow(context.Background(), "SELECT to_tsvector($1::regconfig, $2)::text", tt.cfg, tt.text).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("to_tsvector(%s, %q) = %s, want %s", tt.cfg, tt.text, got, tt.want)
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name, url string
		cfg       Config
		want      string // in the error
	}{
		{"unreachable", "postgres://dalil:s3cretpw@127.0.0.1:1/somedb?sslmode=disable&connect_timeout=2", Config{}, "127.0.0.1:1/somedb"},
		{"bad port", "postgres://dalil:s3cretpw@127.0.0.1:notaport/somedb", Config{}, "parse database URL"},
		{"key value", "host=127.0.0.1 port=1 user=dalil password=s3cretpw dbname=somedb connect_timeout=2", Config{}, "somedb"},
		{"password in the query", "postgres://dalil@127.0.0.1:1/somedb?password=s3cretpw&sslmode=bogus", Config{}, "parse database URL"},
		{"bad config", "postgres://127.0.0.1/db", Config{EfSearch: 5000}, "EfSearch 5000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(ctx, tt.url, tt.cfg)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded, want an error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "s3cretpw") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	tests := map[string]string{
		"postgres://dalil:s3cret@db:5432/dalil":             "postgres://dalil:xxxxx@db:5432/dalil",
		"postgres://dalil:s3%2Fcret@db/dalil":               "postgres://dalil:xxxxx@db/dalil",
		"postgres://dalil@db/dalil?password=s3cret&x=1":     "postgres://dalil@db/dalil?password=xxxxx&x=1",
		"postgres://dalil@db/dalil?password=s3%26cret":      "postgres://dalil@db/dalil?password=xxxxx",
		"host=db user=dalil password=s3cret dbname=dalil":   "host=db user=dalil password=xxxxx dbname=dalil",
		"host=db user=dalil password='s3cret' dbname=dalil": "host=db user=dalil password='xxxxx' dbname=dalil",
		"postgres://dalil@db/dalil":                         "postgres://dalil@db/dalil",
		"postgres://dalil:p%40ss@db/dalil":                  "postgres://dalil:xxxxx@db/dalil",
		"postgres://dalil:s3%2fcret@db/dalil":               "postgres://dalil:xxxxx@db/dalil",
		"host=db password='my secret' dbname=dalil":         "host=db password='xxxxx' dbname=dalil",
	}
	for in, want := range tests {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEnsureEmbedder(t *testing.T) {
	ctx := context.Background()
	s := MustOpenBound(t)
	tests := []struct {
		name     string
		embedder string
		dim      int
		wantErr  error
		wantText []string
	}{
		{"same", "test", testDim, nil, nil},
		{"other name", "openai:text-embedding-3-small", testDim, rag.ErrEmbedderMismatch, []string{"test", "openai:text-embedding-3-small", "dalil reindex"}},
		{"other dimension", "test", 8, rag.ErrEmbedderMismatch, []string{"(4 dimensions)", "(8 dimensions)", "dalil reindex"}},
		{"empty name", "", testDim, nil, []string{"name is empty"}},
		{"too many dimensions", "big", 3072, nil, []string{"3072"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.EnsureEmbedder(ctx, tt.embedder, tt.dim)
			if tt.wantText == nil {
				if err != nil {
					t.Fatalf("EnsureEmbedder: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("EnsureEmbedder succeeded, want an error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v does not wrap %v", err, tt.wantErr)
			}
			for _, w := range tt.wantText {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	var colType, storage string
	var hasIndex bool
	err := s.pool.QueryRow(ctx, `SELECT format_type(atttypid, atttypmod), attstorage::text, to_regclass('chunks_embedding_hnsw') IS NOT NULL
		FROM pg_attribute WHERE attrelid = 'chunks'::regclass AND attname = 'embedding'`).Scan(&colType, &storage, &hasIndex)
	if err != nil {
		t.Fatal(err)
	}
	if colType != "vector(4)" || storage != "p" || !hasIndex {
		t.Errorf("embedding column %s, storage %s, HNSW index %v; want vector(4), p (plain), with the index", colType, storage, hasIndex)
	}
	tuned := MustOpen(t, Config{EfSearch: 77})
	var efSearch string
	if err := tuned.pool.QueryRow(ctx, "SELECT current_setting('hnsw.ef_search')").Scan(&efSearch); err != nil {
		t.Fatal(err)
	}
	if efSearch != "77" {
		t.Errorf("hnsw.ef_search on a pool connection = %s, want the configured 77", efSearch)
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Embedder != "test" || st.Dimensions != testDim {
		t.Errorf("Stats embedder = %s/%d, want test/%d", st.Embedder, st.Dimensions, testDim)
	}
}

// articleOpts compares articles up to the database's clock.
var articleOpts = cmp.Options{cmpopts.IgnoreFields(rag.Article{}, "IngestedAt")}

func TestSaveArticle(t *testing.T) {
	ctx := context.Background()
	s := MustOpenBound(t)
	pub := time.Date(2023, 10, 24, 9, 30, 0, 0, time.UTC)
	orig, origChunks := makeArticle("https://example.org/one", "fr", pub, []int{0, 1, 2}, "Premier paragraphe.", "Deuxième paragraphe.", "Troisième.")
	first := MustSave(t, s, orig, origChunks)
	if first.ID == 0 || first.IngestedAt.IsZero() {
		t.Fatalf("SaveArticle set ID %d and IngestedAt %v, want both", first.ID, first.IngestedAt)
	}
	firstChunks := chunkIDs(t, s, first.ID)
	replaced, replacedChunks := makeArticle("https://example.org/one", "fr", pub, []int{3, 3}, "Texte corrigé.", "Nouveau.")

	tests := []struct {
		name       string
		article    rag.Article
		chunks     []rag.Chunk
		wantChunks int
		sameChunks bool // the chunk rows are the first save's
	}{
		{"unchanged", orig, origChunks, 3, true},
		{"replace", replaced, replacedChunks, 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MustSave(t, s, tt.article, tt.chunks)
			if got.ID != first.ID || !got.IngestedAt.Equal(first.IngestedAt) {
				t.Errorf("saved again as %d ingested %v, want %d ingested %v", got.ID, got.IngestedAt, first.ID, first.IngestedAt)
			}
			stored, err := s.Article(ctx, first.ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(got, stored, articleOpts); diff != "" {
				t.Errorf("Article (-saved +stored):\n%s", diff)
			}
			ids := chunkIDs(t, s, first.ID)
			if len(ids) != tt.wantChunks {
				t.Errorf("%d chunks stored, want %d", len(ids), tt.wantChunks)
			}
			if kept := slices.Equal(ids, firstChunks); kept != tt.sameChunks {
				t.Errorf("chunks %v, first save's %v: the same %v, want %v", ids, firstChunks, kept, tt.sameChunks)
			}
		})
	}

	t.Run("lookup", func(t *testing.T) {
		other := MustSave(t, s, rag.Article{URL: "https://example.org/two", Text: "Autre.", ContentHash: "h2"},
			[]rag.Chunk{{Text: "Autre.", End: 6, Embedding: axis(1)}})
		lookups := []struct {
			url, hash string
			want      rag.Existing
			wantOK    bool
		}{
			{"https://example.org/one", "", rag.Existing{ID: first.ID, URL: "https://example.org/one", ContentHash: replaced.ContentHash}, true},
			{"https://example.org/one", "h2", rag.Existing{ID: first.ID, URL: "https://example.org/one", ContentHash: replaced.ContentHash}, true},
			{"https://example.org/moved", "h2", rag.Existing{ID: other.ID, URL: "https://example.org/two", ContentHash: "h2"}, true},
			{"https://example.org/none", "", rag.Existing{}, false},
			{"https://example.org/none", "nohash", rag.Existing{}, false},
		}
		keys := make([]rag.LookupKey, len(lookups))
		for i, l := range lookups {
			got, ok, err := s.Lookup(ctx, l.url, l.hash)
			if err != nil {
				t.Fatal(err)
			}
			if ok != l.wantOK || got != l.want {
				t.Errorf("Lookup(%q, %q) = %+v, %v; want %+v, %v", l.url, l.hash, got, ok, l.want, l.wantOK)
			}
			keys[i] = rag.LookupKey{URL: l.url, ContentHash: l.hash}
		}
		// All at once, in order, with a key repeated.
		keys = append(keys, keys[2])
		found, err := s.LookupMany(ctx, keys)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]rag.Existing, 0, len(keys))
		for _, l := range append(lookups, lookups[2]) {
			want = append(want, l.want)
		}
		if diff := cmp.Diff(want, found); diff != "" {
			t.Errorf("LookupMany (-want +got):\n%s", diff)
		}
		if found, err := s.LookupMany(ctx, nil); err != nil || len(found) != 0 {
			t.Errorf("LookupMany(nil) = %v, %v; want nothing", found, err)
		}
		byURL, err := s.ArticleByURL(ctx, "https://example.org/two")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(other, byURL, articleOpts); diff != "" {
			t.Errorf("ArticleByURL (-saved +stored):\n%s", diff)
		}
		if _, err := s.ArticleByURL(ctx, "https://example.org/none"); !errors.Is(err, rag.ErrNotFound) {
			t.Errorf("ArticleByURL of a missing URL: %v, want ErrNotFound", err)
		}
	})
}

func TestSaveArticleRejects(t *testing.T) {
	ctx := context.Background()
	s := MustOpenBound(t)
	pub := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	existing, existingChunks := makeArticle("https://example.org/kept", "fr", pub, []int{0, 1}, "Avant.", "Encore.")
	existing = MustSave(t, s, existing, existingChunks)

	withBadVector := func(url string) (rag.Article, []rag.Chunk) {
		a, c := makeArticle(url, "fr", pub, []int{0, 1, 2}, "Un.", "Deux.", "Trois.")
		c[1].Embedding = []float32{1, 2, 3} // wrong dimension, mid-article
		return a, c
	}
	tests := []struct {
		name    string
		mutate  func() (rag.Article, []rag.Chunk)
		wantErr error
		want    string
	}{
		{"wrong dimension, new article", func() (rag.Article, []rag.Chunk) { return withBadVector("https://example.org/new") }, rag.ErrEmbedderMismatch, "expected 4 dimensions"},
		{"wrong dimension, replacing", func() (rag.Article, []rag.Chunk) { return withBadVector("https://example.org/kept") }, rag.ErrEmbedderMismatch, "expected 4 dimensions"},
		{"empty text", func() (rag.Article, []rag.Chunk) {
			return rag.Article{URL: "https://example.org/empty", Text: " \n "}, nil
		}, rag.ErrEmptyInput, "example.org/empty"},
		{"no URL", func() (rag.Article, []rag.Chunk) { return rag.Article{Text: "x"}, nil }, nil, "empty URL"},
		{"NUL byte", func() (rag.Article, []rag.Chunk) {
			a, c := makeArticle("https://example.org/nul", "fr", pub, []int{0}, "a\x00b")
			return a, c
		}, nil, "NUL"},
		{"invalid UTF-8", func() (rag.Article, []rag.Chunk) {
			a, c := makeArticle("https://example.org/utf8", "fr", pub, []int{0}, "a\xffb")
			return a, c
		}, nil, "UTF-8"},
		{"offsets outside the text", func() (rag.Article, []rag.Chunk) {
			a, c := makeArticle("https://example.org/off", "fr", pub, []int{0}, "abc")
			c[0].End = 99
			return a, c
		}, nil, "offsets"},
		{"no embedding", func() (rag.Article, []rag.Chunk) {
			a, c := makeArticle("https://example.org/noemb", "fr", pub, []int{0}, "abc")
			c[0].Embedding = nil
			return a, c
		}, nil, "no embedding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, chunks := tt.mutate()
			_, err := s.SaveArticle(ctx, &a, chunks)
			if err == nil {
				t.Fatal("SaveArticle succeeded, want an error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v does not wrap %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if a.ID != 0 {
				t.Errorf("SaveArticle set ID %d after failing", a.ID)
			}
		})
	}

	var articles, chunks int
	if err := s.pool.QueryRow(ctx, "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM chunks)").Scan(&articles, &chunks); err != nil {
		t.Fatal(err)
	}
	if articles != 1 || chunks != 2 {
		t.Errorf("after the failed saves: %d articles, %d chunks; want only the first article and its 2 chunks", articles, chunks)
	}
	kept, err := s.Article(ctx, existing.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(existing, kept, articleOpts); diff != "" {
		t.Errorf("a failed replacement changed the article (-before +after):\n%s", diff)
	}
}

func TestSearch(t *testing.T) {
	ctx := context.Background()
	s := MustOpenBound(t)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }
	save := saver(t, s)
	school := save(makeArticle("https://example.org/ecole", "fr", day(2023, 3, 1), []int{0, 1},
		"Les élèves de l'école Jules-Ferry ont repris les cours lundi.",
		"La mairie a promis des travaux de toiture."))
	budget := save(makeArticle("https://example.org/budget", "en", day(2024, 2, 1), []int{2, 1},
		"Parliament voted the budget after a long night of debates.",
		"The opposition walked out."))
	arabic := save(makeArticle("https://example.org/ar", "ar", day(2024, 5, 1), []int{3},
		"صوت البرلمان على الميزانية الجديدة"))
	undated := save(makeArticle("https://example.org/undated", "", time.Time{}, []int{2},
		"An undated note about the harbour."))
	many := save(makeArticle("https://example.org/many", "en", day(2022, 1, 1), []int{3, 3, 3, 3, 3},
		"Harbour one.", "Harbour two.", "Harbour three.", "Harbour four.", "Harbour five."))
	// A zero vector has no cosine distance (NaN) and no place in the HNSW
	// index; only the full-text leg finds its chunk.
	za, zc := makeArticle("https://example.org/zero", "en", day(2021, 1, 1), []int{0}, "A zeppelin over the bay.")
	zc[0].Embedding = make([]float32, testDim)
	zero := save(za, zc)

	type hit struct {
		URL        string
		Index      int
		VectorRank int
		TextRank   int
	}
	tests := []struct {
		name string
		q    rag.SearchQuery
		want []hit // a prefix of the results
		all  bool  // want is all the results
	}{
		{"vector", rag.SearchQuery{Vector: axis(0), K: 1},
			[]hit{{school.URL, 0, 1, 0}}, true},
		{"accent-insensitive French", rag.SearchQuery{Text: "eleve ecole", K: 3},
			[]hit{{school.URL, 0, 0, 1}}, true},
		{"English stems", rag.SearchQuery{Text: "Which budgets did parliament vote?", K: 3},
			[]hit{{budget.URL, 0, 0, 1}}, true},
		{"Arabic", rag.SearchQuery{Text: "ما هي الميزانية؟", K: 3},
			[]hit{{arabic.URL, 0, 0, 1}}, true},
		{"hybrid agrees", rag.SearchQuery{Text: "budget vote", Vector: axis(2), K: 1, Candidates: 10},
			[]hit{{budget.URL, 0, 1, 1}}, true},
		{"per-article cap", rag.SearchQuery{Vector: axis(3), K: 10, PerArticle: 2},
			[]hit{{arabic.URL, 0, 1, 0}, {many.URL, 0, 2, 0}, {many.URL, 1, 3, 0}}, false},
		{"since", rag.SearchQuery{Vector: axis(2), K: 10, Since: day(2024, 1, 1)},
			[]hit{{budget.URL, 0, 1, 0}, {budget.URL, 1, 2, 0}, {arabic.URL, 0, 3, 0}}, true},
		{"until", rag.SearchQuery{Text: "harbour", K: 10, Until: day(2022, 6, 1), PerArticle: 1},
			[]hit{{many.URL, 0, 0, 1}}, true},
		{"window", rag.SearchQuery{Vector: axis(1), Text: "toiture", K: 10, Since: day(2023, 1, 1), Until: day(2024, 1, 1)},
			[]hit{{school.URL, 1, 1, 1}, {school.URL, 0, 2, 0}}, true},
		{"many candidates", rag.SearchQuery{Vector: axis(2), K: 2, Candidates: 900},
			[]hit{{budget.URL, 0, 1, 0}, {undated.URL, 0, 2, 0}}, true},
		{"zero vector", rag.SearchQuery{Text: "zeppelin", Vector: axis(0), K: 10},
			[]hit{{zero.URL, 0, 0, 1}}, false},
		{"French stop words only", rag.SearchQuery{Text: "Les, de la", Vector: axis(0), K: 1},
			[]hit{{school.URL, 0, 1, 0}}, true},
		{"hostile text", rag.SearchQuery{Text: "école' | !:* & (ecole) <-> \\'; DROP TABLE chunks; --", K: 1},
			[]hit{{school.URL, 0, 0, 1}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, err := s.Search(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []hit
			for _, p := range ps {
				got = append(got, hit{p.Article.URL, p.Chunk.Index, p.VectorRank, p.TextRank})
				if p.Article.Text != "" {
					t.Errorf("passage %d carries the article text", p.Chunk.ID)
				}
				if p.VectorRank == 0 && p.Similarity != 0 || p.VectorRank != 0 && (p.Similarity <= 0 || p.Similarity > 1.0001) {
					t.Errorf("passage %d: similarity %v with vector rank %d", p.Chunk.ID, p.Similarity, p.VectorRank)
				}
			}
			if !tt.all && len(got) > len(tt.want) {
				got = got[:len(tt.want)]
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("results (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("passage fields", func(t *testing.T) {
		ps, err := s.Search(ctx, rag.SearchQuery{Vector: axis(0), Text: "élèves", K: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) != 1 {
			t.Fatalf("got %d passages, want 1", len(ps))
		}
		want := rag.Passage{
			Chunk: rag.Chunk{ArticleID: school.ID, Index: 0, Text: "Les élèves de l'école Jules-Ferry ont repris les cours lundi.", End: 64},
			Article: rag.Article{ID: school.ID, Title: school.Title, URL: school.URL, Publisher: school.Publisher,
				Published: school.Published, Lang: "fr", ContentHash: school.ContentHash, IngestedAt: school.IngestedAt},
			Score:      0.5/11 + 1.0/11, // the default weights and k
			Similarity: 1,
			VectorRank: 1,
			TextRank:   1,
		}
		if diff := cmp.Diff(want, ps[0], cmpopts.IgnoreFields(rag.Chunk{}, "ID"), cmpopts.EquateApprox(0, 1e-6)); diff != "" {
			t.Errorf("passage (-want +got):\n%s", diff)
		}
	})

	errTests := []struct {
		name    string
		q       rag.SearchQuery
		wantErr error
		want    string
	}{
		{"no k", rag.SearchQuery{Vector: axis(0)}, nil, "k 0"},
		{"nothing to search", rag.SearchQuery{Text: " ?! ", K: 3}, rag.ErrEmptyInput, "neither"},
		{"wrong dimension", rag.SearchQuery{Vector: []float32{1, 2}, K: 3}, rag.ErrEmbedderMismatch, "different vector dimensions"},
		{"wrong dimension, both legs", rag.SearchQuery{Text: "budget", Vector: []float32{1, 2}, K: 3}, rag.ErrEmbedderMismatch, "full-text leg"},
		{"negative cap", rag.SearchQuery{Vector: axis(0), K: 3, PerArticle: -1}, nil, "negative"},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Search(ctx, tt.q)
			if err == nil {
				t.Fatal("Search succeeded, want an error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v does not wrap %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

// TestSearchSmallPool runs more concurrent searches than the pool has
// connections: the legs of a search run on connections of their own, and
// none may wait for one while holding another.
func TestSearchSmallPool(t *testing.T) {
	s := MustOpen(t, Config{MaxConns: 1})
	if err := s.EnsureEmbedder(context.Background(), "test", testDim); err != nil {
		t.Fatal(err)
	}
	day := time.Date(2024, 2, 1, 12, 0, 0, 0, time.UTC)
	save := saver(t, s)
	budget := save(makeArticle("https://example.org/budget", "en", day, []int{2},
		"Parliament voted the budget after a long night of debates."))
	save(makeArticle("https://example.org/ecole", "fr", day, []int{0},
		"Les élèves de l'école Jules-Ferry ont repris les cours lundi."))
	queries := []rag.SearchQuery{
		{Text: "budget vote", Vector: axis(2), K: 1},
		{Text: "budget vote", Vector: axis(2), K: 1, Candidates: 900},              // ef_search in a transaction
		{Text: "budget vote", Vector: axis(2), K: 1, Since: day.AddDate(0, 0, -1)}, // dated legs
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Go(func() {
			q := queries[i%len(queries)]
			ps, err := s.Search(ctx, q)
			if err != nil {
				t.Errorf("search %d: %v", i, err)
				return
			}
			if len(ps) != 1 || ps[0].Article.ID != budget.ID || ps[0].VectorRank != 1 || ps[0].TextRank != 1 {
				t.Errorf("search %d: %+v, want the budget article first in both legs", i, ps)
			}
		})
	}
	wg.Wait()
}

func TestQueryWords(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"Élèves, école!", 10, "élèves | école"},
		{"a a A b", 10, "a | b"},
		{"one two three", 2, "one | two"},
		{"l'école & (x) | !y:*", 10, "l | école | x | y"},
		{"Les élèves", 10, "élèves"},
		{"مرحبا بالعالم", 10, "مرحبا | بالعالم"},
		{"?!", 10, ""},
		{strings.Repeat("x", 65) + " ok", 10, "ok"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := queryWords(tt.in, tt.max); got != tt.want {
				t.Errorf("queryWords(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
		})
	}
}

func TestQueryGroups(t *testing.T) {
	groups := [][]rag.QueryPart{
		{{Lang: "en", Words: "cat"}, {Lang: "fr", Words: "chat matou"}, {Lang: "ar", Words: "!!"}},
		{{Lang: "en", Words: "?"}},
		{{Lang: "en", Words: "dog"}, {Lang: "fr", Words: strings.Repeat("mot ", 20) + "chien " + strings.Repeat("x", 65)}},
		{{Lang: "fr", Words: "mzwr", Skeleton: "msr"}},
	}
	tests := []struct {
		name      string
		max       int
		words     []string
		group     []int32
		langs     []string
		skeletons []string
	}{
		{"empty parts and groups left out, groups renumbered", 10,
			[]string{"cat", "chat matou", "dog", "mot chien", "mzwr"}, []int32{1, 1, 2, 2, 3}, []string{"en", "fr", "en", "fr", "fr"},
			[]string{"", "", "", "", "msr"}},
		{"at most max groups", 2,
			[]string{"cat", "chat matou", "dog", "mot chien"}, []int32{1, 1, 2, 2}, []string{"en", "fr", "en", "fr"},
			[]string{"", "", "", ""}},
	}
	for _, tt := range tests {
		words, group, langs, skeletons := queryGroups(groups, tt.max)
		if diff := cmp.Diff(tt.words, words); diff != "" {
			t.Errorf("%s: words (-want +got):\n%s", tt.name, diff)
		}
		if diff := cmp.Diff(tt.group, group); diff != "" {
			t.Errorf("%s: groups (-want +got):\n%s", tt.name, diff)
		}
		if diff := cmp.Diff(tt.langs, langs); diff != "" {
			t.Errorf("%s: languages (-want +got):\n%s", tt.name, diff)
		}
		if diff := cmp.Diff(tt.skeletons, skeletons); diff != "" {
			t.Errorf("%s: skeletons (-want +got):\n%s", tt.name, diff)
		}
	}
}

// TestSkeleton checks dalil_skeleton against the Arabic side's examples
// (lexicon.TestArabicSkeleton): a name and its Arabic spelling share a
// skeleton.
func TestSkeleton(t *testing.T) {
	s := MustOpenBound(t)
	for _, tt := range []struct{ in, want string }{
		{"Mezzour", "msr"}, {"Phoenix", "fnks"}, {"Internazionale", "ntrnsnl"}, {"Gesualdo", "ksld"},
		{"acadiens", "kdns"}, {"Éloïse", "ls"}, {"", ""},
	} {
		var got string
		if err := s.pool.QueryRow(context.Background(), "SELECT dalil_skeleton($1)", tt.in).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("dalil_skeleton(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestSearchSkeleton: a part with an Arabic name's skeleton finds the
// archive's Latin spelling of the name, and a common word of the same
// skeleton weighs less.
func TestSearchSkeleton(t *testing.T) {
	ctx := context.Background()
	s := mustOpenIndexed(t, Config{})
	save := saver(t, s)
	save(makeArticle("https://example.org/mesure", "fr", time.Time{}, []int{0, 0, 0}, "Une mesure du port.", "Une autre mesure.", "La mesure encore."))
	save(makeArticle("https://example.org/mezzour", "fr", time.Time{}, []int{0}, "Ghita Mezzour au port."))
	groups := [][]rag.QueryPart{{{Lang: "fr", Words: "mzwr", Skeleton: "msr"}}, {{Lang: "fr", Words: "port"}}}
	ps, err := s.Search(ctx, rag.SearchQuery{Text: "mzwr port", Groups: groups, K: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) == 0 || ps[0].Article.URL != "https://example.org/mezzour" {
		t.Fatalf("passages %v: want Mezzour's first", ps)
	}
	// Once the archive holds the name in Arabic script, its Arabic
	// articles answer and the Latin spelling is not looked for.
	save(makeArticle("https://example.org/ar", "ar", time.Time{}, []int{0}, "غيثة مزور في الميناء"))
	groups[0] = append(groups[0], rag.QueryPart{Lang: "ar", Words: "مزور"})
	ps, err = s.Search(ctx, rag.SearchQuery{Text: "mzwr مزور port", Groups: groups[:1], K: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].Article.URL != "https://example.org/ar" {
		t.Errorf("passages %v: want the Arabic article only", ps)
	}
}

// TestSearchTextOnly: a text-only search ranks the full-text matches
// alone, each with its similarity to the vector.
func TestSearchTextOnly(t *testing.T) {
	ctx := context.Background()
	s := mustOpenIndexed(t, Config{})
	save := saver(t, s)
	save(makeArticle("https://example.org/near", "en", time.Time{}, []int{0}, "A zeppelin."))
	save(makeArticle("https://example.org/far", "en", time.Time{}, []int{1}, "A zeppelin, a zeppelin over the harbour."))
	save(makeArticle("https://example.org/nowords", "en", time.Time{}, []int{0}, "Weather news."))
	search := func(textOnly bool) map[string]rag.Passage {
		t.Helper()
		ps, err := s.Search(ctx, rag.SearchQuery{Text: "zeppelin harbour", Lang: "en", Vector: axis(0), K: 5, TextOnly: textOnly})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]rag.Passage{}
		for _, p := range ps {
			out[p.Article.URL] = p
		}
		return out
	}
	got := search(true)
	if _, ok := got["https://example.org/nowords"]; ok || len(got) != 2 {
		t.Fatalf("text only: %d passages, want the two holding the words", len(got))
	}
	if near, far := got["https://example.org/near"], got["https://example.org/far"]; far.TextRank != 1 || near.Similarity < 0.99 || far.Similarity >= near.Similarity || near.VectorRank != 0 {
		t.Errorf("text only: near %+v, far %+v; want far first by words, each with its similarity, no vector rank", near, far)
	}
	if _, ok := search(false)["https://example.org/nowords"]; !ok {
		t.Error("hybrid: the nearest chunk without the words is missing")
	}
}

// TestLangChunks: a small archive's chunks are counted by language; the
// statistics are read (and left aside) without error.
func TestLangChunks(t *testing.T) {
	ctx := context.Background()
	s := mustOpenIndexed(t, Config{})
	save := saver(t, s)
	save(makeArticle("https://example.org/fr", "fr", time.Time{}, []int{0, 0}, "Un.", "Deux."))
	save(makeArticle("https://example.org/ar", "ar", time.Time{}, []int{0}, "واحد"))
	if _, err := s.pool.Exec(ctx, "ANALYZE chunks"); err != nil {
		t.Fatal(err)
	}
	if n, err := estimateLangChunks(ctx, s.pool); err != nil || n != nil {
		t.Errorf("estimate of a small archive: %v, %v; want none", n, err)
	}
	var c langChunks
	n, err := c.get(ctx, s.pool)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int64{"fr": 2, "ar": 1}, n); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
}

func TestDeleteArticle(t *testing.T) {
	ctx := context.Background()
	s := MustOpenBound(t)
	a := saver(t, s)(makeArticleOnly("https://example.org/del"))
	b := saver(t, s)(makeArticleOnly("https://example.org/stay"))
	tests := []struct {
		name    string
		id      int64
		wantErr error
	}{
		{"existing", a.ID, nil},
		{"again", a.ID, rag.ErrNotFound},
		{"never existed", 424242, rag.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.DeleteArticle(ctx, tt.id); !errors.Is(err, tt.wantErr) {
				t.Errorf("DeleteArticle(%d) = %v, want %v", tt.id, err, tt.wantErr)
			}
		})
	}
	if _, err := s.Article(ctx, a.ID); !errors.Is(err, rag.ErrNotFound) {
		t.Errorf("Article of a deleted article: %v, want ErrNotFound", err)
	}
	if got := chunkIDs(t, s, a.ID); len(got) != 0 {
		t.Errorf("chunks of the deleted article remain: %v", got)
	}
	if got := chunkIDs(t, s, b.ID); len(got) != 2 {
		t.Errorf("the other article has %d chunks, want 2", len(got))
	}
}

// makeArticleOnly builds a two-chunk article.
func makeArticleOnly(url string) (rag.Article, []rag.Chunk) {
	return makeArticle(url, "en", time.Time{}, []int{0, 1}, "First.", "Second.")
}

func TestRecentArticlesAndStats(t *testing.T) {
	ctx := context.Background()
	s := MustOpenBound(t)
	empty, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if empty.Articles != 0 || !empty.NewestIngest.IsZero() || empty.DatabaseBytes <= 0 || empty.Pgvector == "" {
		t.Errorf("Stats of an empty store = %+v", empty)
	}
	var saved []rag.Article
	for _, u := range []string{"https://example.org/1", "https://example.org/2", "https://example.org/3"} {
		a := saver(t, s)(makeArticleOnly(u))
		a.Text = ""
		saved = append(saved, a)
	}
	tests := []struct {
		name  string
		since time.Time
		limit int
		want  []rag.Article
	}{
		{"all, newest first", time.Time{}, 10, []rag.Article{saved[2], saved[1], saved[0]}},
		{"limited", time.Time{}, 2, []rag.Article{saved[2], saved[1]}},
		{"since the second", saved[1].IngestedAt, 10, []rag.Article{saved[2], saved[1]}},
		{"future", time.Now().Add(time.Hour), 10, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.RecentArticles(ctx, tt.since, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("RecentArticles (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := s.RecentArticles(ctx, time.Time{}, 0); err == nil {
		t.Error("RecentArticles with limit 0 succeeded, want an error")
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := Stats{Articles: 3, Chunks: 6, Embedder: "test", Dimensions: testDim, NewestIngest: saved[2].IngestedAt, Pgvector: s.PgvectorVersion()}
	if diff := cmp.Diff(want, st, cmpopts.IgnoreFields(Stats{}, "DatabaseBytes")); diff != "" {
		t.Errorf("Stats (-want +got):\n%s", diff)
	}
}

func TestReindex(t *testing.T) {
	ctx := context.Background()
	s := MustOpenBound(t)
	fr := saver(t, s)(makeArticle("https://example.org/fr", "fr", time.Time{}, []int{0, 1}, "Les élèves.", "La toiture."))
	en := saver(t, s)(makeArticle("https://example.org/en", "en", time.Time{}, []int{0}, "The harbour."))

	// embed3 puts texts about the harbour on one axis and the rest on another,
	// and records what it was asked to embed.
	var embedded []string
	embed3 := func(_ context.Context, texts []string) ([][]float32, error) {
		out := make([][]float32, len(texts))
		for i, tx := range texts {
			embedded = append(embedded, tx)
			out[i] = []float32{1, 0.1, 0.1}
			if strings.Contains(tx, "harbour") {
				out[i] = []float32{0.1, 1, 0.1}
			}
		}
		return out, nil
	}
	failing := func(context.Context, []string) ([][]float32, error) {
		return nil, errors.New("embedding API down")
	}
	short := func(_ context.Context, texts []string) ([][]float32, error) {
		return make([][]float32, len(texts)-1), nil
	}

	errTests := []struct {
		name  string
		embed EmbedFunc
		want  string
	}{
		{"embed fails", failing, "embedding API down"},
		{"too few vectors", short, "got 0 vectors for 1 texts"},
	}
	s.cfg.ReindexBatch = 1
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Reindex(ctx, "three", 3, tt.embed, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Reindex error = %v, want one containing %q", err, tt.want)
			}
			if err := s.EnsureEmbedder(ctx, "test", testDim); err != nil {
				t.Errorf("after a failed Reindex the index changed: %v", err)
			}
		})
	}

	s.cfg.ReindexBatch = 2
	var calls [][2]int
	if err := s.Reindex(ctx, "three", 3, embed3, func(done, total int) { calls = append(calls, [2]int{done, total}) }); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][2]int{{0, 3}, {2, 3}, {3, 3}}, calls); diff != "" {
		t.Errorf("progress calls (-want +got):\n%s", diff)
	}
	wantEmbedded := []string{fr.Title + "\nLes élèves.", fr.Title + "\nLa toiture.", en.Title + "\nThe harbour."}
	if diff := cmp.Diff(wantEmbedded, embedded); diff != "" {
		t.Errorf("embedded texts (-want +got):\n%s", diff)
	}
	if err := s.EnsureEmbedder(ctx, "three", 3); err != nil {
		t.Errorf("EnsureEmbedder with the new embedder: %v", err)
	}
	if err := s.EnsureEmbedder(ctx, "test", testDim); !errors.Is(err, rag.ErrEmbedderMismatch) {
		t.Errorf("EnsureEmbedder with the old embedder: %v, want ErrEmbedderMismatch", err)
	}
	ps, err := s.Search(ctx, rag.SearchQuery{Vector: []float32{0, 1, 0}, K: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].Article.ID != en.ID {
		t.Errorf("search after reindex found %+v, want the harbour chunk", ps)
	}
	var hasIndex bool
	if err := s.pool.QueryRow(ctx, "SELECT to_regclass('chunks_embedding_hnsw') IS NOT NULL").Scan(&hasIndex); err != nil {
		t.Fatal(err)
	}
	if !hasIndex {
		t.Error("the HNSW index is missing after Reindex")
	}
}

func TestSearchTextBound(t *testing.T) {
	ctx := context.Background()
	s := mustOpenIndexed(t, Config{TextMatchLimit: 2})
	save := saver(t, s)
	// Stored first, so a bare LIMIT over the matches would keep them.
	save(makeArticle("https://example.org/partial", "en", time.Time{}, []int{0, 0}, "Harbour news.", "More harbour news."))
	save(makeArticle("https://example.org/strikes", "en", time.Time{}, []int{0, 0}, "A strike at the airport.", "Another strike downtown."))
	both := save(makeArticle("https://example.org/both", "en", time.Time{}, []int{0}, "The harbour strike ended."))
	save(makeArticle("https://example.org/rare", "en", time.Time{}, []int{0}, "A rare zeppelin over the harbour."))

	texts := func(q string) []string {
		t.Helper()
		ps, err := s.Search(ctx, rag.SearchQuery{Text: q, K: 5})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range ps {
			got = append(got, p.Chunk.Text)
		}
		return got
	}
	// "strike" (3 chunks) and "harbour" (4) are both in more chunks than
	// the limit: the leg matches on the rarer, "strike", and reads 2
	// chunks, those holding both words first.
	got := texts("harbour strike")
	if len(got) != 2 || got[0] != "The harbour strike ended." || !strings.Contains(got[1], "strike") {
		t.Errorf("harbour strike: got %q, want the chunk of %s then another strike chunk", got, both.URL)
	}
	// "zeppelin" (1 chunk) fits the limit, "harbour" (4 with it) does not:
	// only the rare word's chunk is read.
	if diff := cmp.Diff([]string{"A rare zeppelin over the harbour."}, texts("zeppelin harbour")); diff != "" {
		t.Errorf("zeppelin harbour (-want +got):\n%s", diff)
	}
}

// TestSearchGroups checks the structured query of translated searches:
// a word's translations weigh as one word, so a chunk holding every
// source word outranks one holding many translations of one.
func TestSearchGroups(t *testing.T) {
	ctx := context.Background()
	s := mustOpenIndexed(t, Config{})
	save := saver(t, s)
	save(makeArticle("https://example.org/many", "en", time.Time{}, []int{0}, "A feline, a kitty, a moggy and a tomcat."))
	save(makeArticle("https://example.org/both", "en", time.Time{}, []int{0}, "The cat chased the dog."))
	save(makeArticle("https://example.org/filler", "en", time.Time{}, []int{0, 0}, "Weather news.", "Market news."))

	first := func(q rag.SearchQuery) string {
		t.Helper()
		q.K, q.Lang = 5, "en"
		ps, err := s.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) == 0 {
			t.Fatalf("%q: no passage", q.Text)
		}
		return ps[0].Article.URL
	}
	words := "cat feline kitty moggy tomcat dog"
	if got := first(rag.SearchQuery{Text: words}); got != "https://example.org/many" {
		t.Errorf("flat words: first %s, want the chunk holding most of them", got)
	}
	tests := []struct {
		name   string
		groups [][]rag.QueryPart
	}{
		{"translations of one word", [][]rag.QueryPart{{{Lang: "en", Words: "cat feline kitty moggy tomcat"}}, {{Lang: "en", Words: "dog"}}}},
		{"empty groups left out", [][]rag.QueryPart{{{Words: ""}}, {{Lang: "en", Words: "cat feline kitty moggy tomcat"}}, {{Words: "!!"}}, {{Lang: "en", Words: "dog"}}}},
		{"parts of one word", [][]rag.QueryPart{{{Lang: "en", Words: "cat"}, {Lang: "en", Words: "feline kitty"}, {Words: "moggy tomcat"}}, {{Lang: "en", Words: "dog"}}}},
	}
	for _, tt := range tests {
		if got := first(rag.SearchQuery{Text: words, Groups: tt.groups}); got != "https://example.org/both" {
			t.Errorf("%s: first %s, want the chunk holding both words", tt.name, got)
		}
	}
}

// TestSearchGroupParts checks that a group scores as its best part, each
// part as rare as its words are among its language's chunks: the Arabic
// chunk holding the rare translations of both words outranks the French
// one holding a translation that every French chunk holds.
func TestSearchGroupParts(t *testing.T) {
	ctx := context.Background()
	s := mustOpenIndexed(t, Config{})
	save := saver(t, s)
	save(makeArticle("https://example.org/fr", "fr", time.Time{}, []int{0, 0, 0, 0}, "Un chien commun.", "Un fait commun.", "Un bien commun.", "Un nom commun."))
	save(makeArticle("https://example.org/ar", "ar", time.Time{}, []int{0, 0, 0, 0}, "كلب نادر", "طقس اليوم", "سوق المدينة", "رياضة"))
	groups := [][]rag.QueryPart{
		{{Lang: "fr", Words: "commun"}, {Lang: "ar", Words: "نادر"}},
		{{Lang: "fr", Words: "chien"}, {Lang: "ar", Words: "كلب"}},
	}
	ps, err := s.Search(ctx, rag.SearchQuery{Text: "commun نادر chien كلب", Groups: groups, K: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) < 2 {
		t.Fatalf("%d passages, want the French and the Arabic one", len(ps))
	}
	if got := ps[0].Chunk.Text; got != "كلب نادر" {
		t.Errorf("first %q, want the Arabic chunk (then %q)", got, ps[1].Chunk.Text)
	}
}

// TestTextPlan runs textPlanCTE on lexemes given by hand, in an archive of
// 1000 chunks of 50 lexemes on average.
func TestTextPlan(t *testing.T) {
	ctx := context.Background()
	s := MustOpenBound(t)
	type lexeme struct {
		word string
		ndoc int64
	}
	lex := []lexeme{{"zeppelin", 1}, {"strike", 30}, {"harbour", 60}, {"the", 900}}
	common := []lexeme{{"le", 5000}, {"la", 6000}}
	tests := []struct {
		name       string
		lex        []lexeme
		match, lim int
		every, any string
	}{
		{"all fit", lex, 16, 1000, "'zeppelin' & 'strike' & 'harbour' & 'the'", "'zeppelin' | 'strike' | 'harbour' | 'the'"},
		{"budget", lex, 16, 100, "'zeppelin' & 'strike' & 'harbour' & 'the'", "'zeppelin' | 'strike' | 'harbour'"},
		{"rarest always", lex[1:], 16, 10, "'strike' & 'harbour' & 'the'", "'strike'"},
		{"match words", lex, 2, 1000, "'zeppelin' & 'strike'", "'zeppelin' | 'strike'"},
		{"common words: every one", common, 16, 500, "'le' & 'la'", "'le' & 'la'"},
		{"given in any order", []lexeme{lex[3], lex[0], lex[2], lex[1]}, 16, 100,
			"'zeppelin' & 'strike' & 'harbour' & 'the'", "'zeppelin' | 'strike' | 'harbour'"},
		{"none", nil, 16, 1000, "", ""},
	}
	const sql = `WITH l AS (
	SELECT l.word, l.ndoc, 1000::int8 AS chunks, 50000::int8 AS total_len FROM unnest($4::text[], $5::int8[]) l(word, ndoc)
), ` + textPlanCTE + `
SELECT coalesce(words, '{}'), coalesce(idfs, '{}'), coalesce(mean_len, 0), coalesce(every::text, ''), coalesce("any"::text, '') FROM p`
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			words, ndocs := []string{}, []int64{}
			for _, l := range tt.lex {
				words, ndocs = append(words, l.word), append(ndocs, l.ndoc)
			}
			var gotWords []string
			var idfs []float64
			var meanLen float64
			var every, any string
			if err := s.pool.QueryRow(ctx, sql, tt.lim, tt.match, commonFactor, words, ndocs).Scan(&gotWords, &idfs, &meanLen, &every, &any); err != nil {
				t.Fatal(err)
			}
			if every != tt.every || any != tt.any {
				t.Errorf("every %q any %q, want %q and %q", every, any, tt.every, tt.any)
			}
			if len(gotWords) != len(tt.lex) || len(idfs) != len(tt.lex) {
				t.Fatalf("%d words, %d idfs for %d lexemes", len(gotWords), len(idfs), len(tt.lex))
			}
			for i := 1; i < len(idfs); i++ {
				if idfs[i] >= idfs[i-1] {
					t.Errorf("idf of %q (%v) not below that of the rarer %q (%v)", gotWords[i], idfs[i], gotWords[i-1], idfs[i-1])
				}
			}
			if len(tt.lex) > 0 {
				if want := math.Log(1 + (1000-1+0.5)/(1+0.5)); tt.lex[0].ndoc == 1 && math.Abs(idfs[0]-want) > 1e-12 {
					t.Errorf("idf of a lexeme in 1 chunk of 1000: %v, want %v", idfs[0], want)
				}
				if meanLen != 50 {
					t.Errorf("mean length %v, want 50", meanLen)
				}
			}
		})
	}
}

// TestTextLegParamTypes checks that BM25's k1 and b reach PostgreSQL as
// float8: typed from "$6 + 1" they were integers, and pgx truncated 1.2
// and 0.75 to 1 and 0 without a word.
func TestTextLegParamTypes(t *testing.T) {
	ctx := context.Background()
	s := MustOpenBound(t)
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	for _, dated := range []bool{false, true} {
		sd, err := conn.Conn().Prepare(ctx, "", textLegSQL(dated))
		if err != nil {
			t.Fatal(err)
		}
		floats := []int{5, 6} // $6 k1, $7 b
		if dated {
			floats = append(floats, 10) // $11 mean length
		}
		for _, i := range floats {
			if sd.ParamOIDs[i] != pgtype.Float8OID {
				t.Errorf("dated %v: parameter $%d has type OID %d, want float8 (%d)", dated, i+1, sd.ParamOIDs[i], pgtype.Float8OID)
			}
		}
	}
}

// TestSearchGenericPlans checks that each statement of an undated search
// settles on its generic plan: planning them for every question's values
// cost as much as running them (docs/performance.md).
func TestSearchGenericPlans(t *testing.T) {
	ctx := context.Background()
	s := mustOpenIndexed(t, Config{MaxConns: 1}) // one connection: one statement cache
	// Enough rows, analyzed, for the plans to read by index: on a table of
	// a few rows any plan costs the same.
	vecs, paragraphs := make([]int, 25), make([]string, 25)
	for i := range 80 {
		for j := range paragraphs {
			vecs[j] = i + j
			paragraphs[j] = fmt.Sprintf("Paragraph %d of article %d about the harbour.", j, i)
		}
		saver(t, s)(makeArticle(fmt.Sprintf("https://example.org/p%d", i), "en", time.Time{}, vecs, paragraphs...))
	}
	if _, err := s.pool.Exec(ctx, "ANALYZE chunks, articles"); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		ps, err := s.Search(ctx, rag.SearchQuery{Text: fmt.Sprintf("article %d harbour", i), Vector: axis(i), K: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) != 3 {
			t.Fatalf("search %d: %d passages, want 3", i, len(ps))
		}
	}
	for _, st := range []struct{ name, sql string }{
		{"vector leg", vectorLegSQL(false, 3)},
		{"full-text leg", textLegSQL(false)},
		{"passages", passagesSQL},
	} {
		var generic, custom int64
		if err := s.pool.QueryRow(ctx, "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1",
			st.sql).Scan(&generic, &custom); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if generic == 0 {
			t.Errorf("%s: %d generic plans and %d custom ones in 10 searches, want it to settle on the generic plan", st.name, generic, custom)
		}
	}
}

func TestNearest(t *testing.T) {
	vec := []rag.Hit{{ChunkID: 3, Distance: 0.2}, {ChunkID: 1, Distance: 0.5}}
	tests := []struct {
		name    string
		vec     []rag.Hit
		matches []rag.Hit
		n       int
		want    []int64
	}{
		{"index only", vec, nil, 5, []int64{3, 1}},
		{"matches only", nil, []rag.Hit{{ChunkID: 7, Distance: 0.9}, {ChunkID: 8, Distance: 0.4}}, 5, []int64{8, 7}},
		{"a match the index missed comes first", vec, []rag.Hit{{ChunkID: 9, Distance: 0.1}}, 5, []int64{9, 3, 1}},
		{"a match the index found counts once", vec, []rag.Hit{{ChunkID: 1, Distance: 0.5}, {ChunkID: 4, Distance: 0.3}}, 5, []int64{3, 4, 1}},
		{"equal distances by id", vec, []rag.Hit{{ChunkID: 2, Distance: 0.5}}, 5, []int64{3, 1, 2}},
		{"at most n", vec, []rag.Hit{{ChunkID: 9, Distance: 0.1}, {ChunkID: 4, Distance: 0.3}}, 2, []int64{9, 3}},
		{"NaN left out", vec, []rag.Hit{{ChunkID: 5, Distance: math.NaN()}}, 5, []int64{3, 1}},
		{"NaN from the index left out", []rag.Hit{{ChunkID: 6, Distance: math.NaN()}, {ChunkID: 1, Distance: 0.5}}, nil, 5, []int64{1}},
		{"the index's order is not trusted", []rag.Hit{{ChunkID: 1, Distance: 0.5}, {ChunkID: 3, Distance: 0.2}}, nil, 5, []int64{3, 1}},
		{"nothing", nil, nil, 5, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []int64
			for _, h := range nearest(slices.Clone(tt.vec), tt.matches, tt.n) {
				got = append(got, h.ChunkID)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("nearest (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLexemeCounts checks that the BM25 statistics the triggers keep equal
// a recount from the chunks after inserts, a replacement and a delete.
func TestLexemeCounts(t *testing.T) {
	ctx := context.Background()
	s := MustOpenBound(t)
	save := saver(t, s)
	check := func(step string) {
		t.Helper()
		if diff, statsOK := countsMatch(t, s); diff != 0 || !statsOK {
			t.Errorf("after %s: %d lexeme counts differ from a recount; text_stats right: %v", step, diff, statsOK)
		}
	}
	a := save(makeArticle("https://example.org/a", "fr", time.Time{}, []int{0, 1}, "Les élèves de l'école.", "La grève du port."))
	save(makeArticle("https://example.org/b", "en", time.Time{}, []int{1}, "The harbour strike ended."))
	check("two inserts")
	save(makeArticle("https://example.org/a", "fr", time.Time{}, []int{0}, "Une autre grève au port."))
	check("a replacement")
	if err := s.DeleteArticle(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	check("a delete")

	// Statements that store or remove no chunk (a new article's save
	// deletes its none) leave text_stats's row as it is (migration 0006).
	version := func() string {
		t.Helper()
		var v string
		if err := s.pool.QueryRow(ctx, "SELECT xmin::text FROM text_stats").Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	before := version()
	for _, sql := range []string{
		"DELETE FROM chunks WHERE false",
		"INSERT INTO chunks (article_id, idx, text, start_off, end_off) SELECT 1, 1, '', 0, 0 WHERE false",
	} {
		if _, err := s.pool.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	if after := version(); after != before {
		t.Errorf("empty statements rewrote text_stats (xmin %s, was %s)", after, before)
	}
}

// countsMatch compares the BM25 statistics with a recount from the chunks:
// the number of lexeme counts that differ, and whether text_stats is right.
func countsMatch(t *testing.T, s *Store) (diff int, statsOK bool) {
	t.Helper()
	ctx := context.Background()
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM (
		(SELECT word, ndoc FROM lexemes WHERE ndoc > 0
		EXCEPT
		SELECT u.lexeme, count(*) FROM chunks c, unnest(c.tsv) u GROUP BY u.lexeme)
		UNION ALL
		(SELECT u.lexeme, count(*) FROM chunks c, unnest(c.tsv) u GROUP BY u.lexeme
		EXCEPT
		SELECT word, ndoc FROM lexemes WHERE ndoc > 0)
	) d`).Scan(&diff)
	if err != nil {
		t.Fatal(err)
	}
	err = s.pool.QueryRow(ctx, `SELECT st.chunks = (SELECT count(*) FROM chunks)
		AND st.total_len = (SELECT coalesce(sum(length(tsv)), 0) FROM chunks) FROM text_stats st`).Scan(&statsOK)
	if err != nil {
		t.Fatal(err)
	}
	return diff, statsOK
}

// TestDeferTextStats checks that a deferring Store's saves skip the BM25
// upkeep while another Store's count, and that the recount is exact.
func TestDeferTextStats(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	bulk, other := mustOpenURL(t, url), mustOpenURL(t, url)
	stale := func() bool {
		t.Helper()
		st, err := bulk.TextStatsStale(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	saver(t, bulk)(makeArticle("https://example.org/before", "en", time.Time{}, []int{0}, "The harbour before the load."))
	if stale() {
		t.Fatal("statistics stale before any deferral")
	}
	if err := bulk.DeferTextStats(ctx); err != nil {
		t.Fatal(err)
	}
	if !stale() {
		t.Error("statistics not marked stale by DeferTextStats")
	}
	saver(t, bulk)(makeArticle("https://example.org/bulk", "en", time.Time{}, []int{1, 2}, "A zeppelin in the bulk load.", "Another chunk."))
	saver(t, bulk)(makeArticle("https://example.org/before", "en", time.Time{}, []int{0}, "The harbour replaced during the load."))
	saver(t, other)(makeArticle("https://example.org/other", "fr", time.Time{}, []int{3}, "Un zeppelin au port pendant le chargement."))
	var zeppelins int64
	if err := bulk.pool.QueryRow(ctx, "SELECT coalesce((SELECT ndoc FROM lexemes WHERE word = 'zeppelin'), 0)").Scan(&zeppelins); err != nil {
		t.Fatal(err)
	}
	if zeppelins != 1 {
		t.Errorf("while deferred, 'zeppelin' counted in %d chunks, want 1 (the other Store's)", zeppelins)
	}
	if err := bulk.RecountTextStats(ctx); err != nil {
		t.Fatal(err)
	}
	if diff, ok := countsMatch(t, bulk); diff != 0 || !ok || stale() {
		t.Errorf("after the recount: %d lexeme counts differ, text_stats right: %v, stale: %v", diff, ok, stale())
	}
	saver(t, bulk)(makeArticle("https://example.org/after", "en", time.Time{}, []int{0}, "Counted again after the load."))
	if diff, ok := countsMatch(t, bulk); diff != 0 || !ok {
		t.Errorf("a save after the recount is not counted: %d lexeme counts differ, text_stats right: %v", diff, ok)
	}
}

func TestVectorIndexDropAndBuild(t *testing.T) {
	ctx := context.Background()
	s := MustOpenBound(t)
	steps := []struct {
		name string
		do   func(context.Context) error
		want bool
	}{
		{"after EnsureEmbedder", nil, true},
		{"dropped", s.DropVectorIndex, false},
		{"dropped twice", s.DropVectorIndex, false},
		{"built", s.BuildVectorIndex, true},
		{"built twice", s.BuildVectorIndex, true},
	}
	for _, st := range steps {
		if st.do != nil {
			if err := st.do(ctx); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
		}
		got, err := s.VectorIndexExists(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got != st.want {
			t.Errorf("%s: index exists = %v, want %v", st.name, got, st.want)
		}
	}
}

// TestIndexMemory checks the maintenance_work_mem the HNSW build asks for:
// what the graph needs, between 64 MB and the configured limit.
func TestIndexMemory(t *testing.T) {
	ctx := context.Background()
	s := MustOpenBound(t) // 4 dimensions
	a := saver(t, s)(makeArticle("https://example.org/mem", "en", time.Time{}, []int{0}, "One chunk."))
	tests := []struct {
		name  string
		rows  int // chunks added to the stored one
		limit string
		m     int
		want  string
	}{
		{"one chunk: the floor", 0, "1GB", 16, "64MB"},
		{"a limit below the floor", 0, "16MB", 16, "16MB"},
		// 20,001 × (4×4 + 8 + 100×48 + 160) × 5/4 bytes = 121,685 kB
		{"a graph above the floor", 20000, "1GB", 100, "121685kB"},
		{"a graph above the limit", 20000, "100MB", 100, "100MB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tx, err := s.pool.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx)
			// Without the index (rolled back too), the rows go in fast.
			if _, err := tx.Exec(ctx, "DROP INDEX chunks_embedding_hnsw"); err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO chunks (article_id, idx, text, start_off, end_off, embedding)
				SELECT $1, i, 'x', 0, 1, '[1,0,0,0]' FROM generate_series(1, $2) i`, a.ID, tt.rows); err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Exec(ctx, indexMemorySQL, tt.limit, tt.m); err != nil {
				t.Fatal(err)
			}
			var got string
			if err := tx.QueryRow(ctx, "SELECT current_setting('maintenance_work_mem')").Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("maintenance_work_mem = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestConcurrentSaves replaces articles sharing their words from several
// goroutines at once, as `dalil ingest` does with several workers: every
// save must succeed (a deadlock between two of them is retried) and the
// word counts must stay exact.
func TestConcurrentSaves(t *testing.T) {
	s := MustOpenBound(t)
	words := []string{"harbour", "strike", "budget", "vote", "school", "roof", "zeppelin", "airport"}
	text := func(round, i int) string {
		var b strings.Builder
		for k := range words {
			fmt.Fprintf(&b, "%s%d %s ", words[(i+k)%len(words)], round%2, words[(i+k*3)%len(words)])
		}
		return b.String()
	}
	for round := range 3 {
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for w := range 4 {
			wg.Go(func() {
				for i := range 10 {
					a, chunks := makeArticle(fmt.Sprintf("https://example.org/%d", (w*10+i)%20), "en", time.Time{}, []int{i, i + 1},
						text(round, i), text(round+1, i+w))
					if _, err := s.SaveArticle(context.Background(), &a, chunks); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("round %d: %v", round, err)
		}
	}
	if diff, ok := countsMatch(t, s); diff != 0 || !ok {
		t.Errorf("after concurrent saves: %d lexeme counts differ, text_stats right: %v", diff, ok)
	}
}

func TestLanguages(t *testing.T) {
	ctx := context.Background()
	s := MustOpenBound(t)
	if got, err := s.Languages(ctx); err != nil || len(got) != 0 {
		t.Fatalf("Languages of an empty store = %q, %v; want none", got, err)
	}
	save := saver(t, s)
	save(makeArticle("https://example.org/fr", "fr", time.Time{}, []int{0}, "Un."))
	save(makeArticle("https://example.org/ar", "ar", time.Time{}, []int{1}, "واحد."))
	save(makeArticle("https://example.org/fr2", "fr", time.Time{}, []int{2}, "Deux."))
	save(makeArticle("https://example.org/unknown", "", time.Time{}, []int{3}, "?"))
	got, err := s.Languages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"ar", "fr"}, got); diff != "" {
		t.Errorf("Languages (-want +got):\n%s", diff)
	}
}

// TestConcurrentFirstRuns starts several processes' worth of stores at once
// on a fresh database: each opens, migrates (one applies the migrations,
// the others wait and apply none) and saves an article. Connections opened
// before the vector extension existed must not be used to save vectors
// (issue 17, item 2).
func TestConcurrentFirstRuns(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	const n = 4
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = func() error {
				s, err := Open(ctx, url, Config{})
				if err != nil {
					return err
				}
				defer s.Close()
				if err := s.Migrate(ctx); err != nil {
					return err
				}
				if err := s.EnsureEmbedder(ctx, "test", testDim); err != nil {
					return err
				}
				a, chunks := makeArticle(fmt.Sprintf("https://example.org/%d", i), "en", time.Time{}, []int{i, i + 1}, "First.", "Second.")
				_, err = s.SaveArticle(ctx, &a, chunks)
				return err
			}()
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("store %d: %v", i, err)
		}
	}
}

// TestUnreachableIsUnavailable cuts a store off its database: its errors
// must wrap rag.ErrUnavailable, which stops an ingest run early (issue 17,
// item 5), and name the database.
func TestUnreachableIsUnavailable(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	s := mustOpenURL(t, url)
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	db := cfg.Database
	cfg.Database = "postgres"
	admin, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	allow := func(on bool) {
		if _, err := admin.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s ALLOW_CONNECTIONS %v", pgx.Identifier{db}.Sanitize(), on)); err != nil {
			t.Fatal(err)
		}
	}
	allow(false)
	defer allow(true)
	if _, err := admin.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", db); err != nil {
		t.Fatal(err)
	}
	for range 2 { // a dropped connection, then a refused one
		_, err = s.LookupMany(ctx, []rag.LookupKey{{URL: "https://example.org/x"}})
		if !errors.Is(err, rag.ErrUnavailable) || !strings.Contains(err.Error(), "unreachable") {
			t.Errorf("LookupMany on a database cut off: %v, want rag.ErrUnavailable naming the database", err)
		}
	}
}

// TestStatementTimeout gives every statement a short deadline: a frozen
// backend (here, a table another session keeps locked) fails the save
// with an error that says which operation's statement timed out, instead
// of hanging (issue 17, item 6); maintenance statements get theirs.
func TestStatementTimeout(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	mustOpenURL(t, url) // migrated and bound
	s, err := Open(ctx, url, Config{StatementTimeout: 200 * time.Millisecond, MaintenanceTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.pool.Exec(ctx, "SELECT pg_sleep(1)"); err == nil {
		t.Error("pg_sleep(1) through the pool outlived a 200ms statement timeout")
	}

	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	tx, err := admin.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "LOCK TABLE articles IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	a, chunks := makeArticle("https://example.org/frozen", "en", time.Time{}, []int{0}, "Waiting.")
	start := time.Now()
	saveCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err = s.SaveArticle(saveCtx, &a, chunks)
	if err == nil || !errors.Is(err, rag.ErrUnavailable) || !strings.Contains(err.Error(), "save article") ||
		!strings.Contains(err.Error(), "statement timeout expired (statement_timeout 200ms") || time.Since(start) > 3*time.Second {
		t.Errorf("save against a locked table: %v after %v; want a statement timeout naming the save and its limit", err, time.Since(start))
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	// Maintenance outlives the statement timeout.
	if _, err := s.pool.Exec(ctx, "SELECT pg_sleep(0.3)"); err == nil {
		t.Fatal("the statement timeout is not set")
	}
	if err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.maintenance(ctx, tx); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "SELECT pg_sleep(0.3)")
		return err
	}); err != nil {
		t.Errorf("a maintenance statement of 300ms: %v", err)
	}
}

// TestRepairWaitsForRunningBulkLoad checks that a running bulk load (one
// holding the bulk-load lock) is not taken for an interrupted one: another
// process's RepairBulk leaves its index and its deferred counts alone, and
// repairs once the lock is free (issue 17, item 1).
func TestRepairWaitsForRunningBulkLoad(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	loader, other := mustOpenURL(t, url), mustOpenURL(t, url)
	saver(t, loader)(makeArticle("https://example.org/before", "en", time.Time{}, []int{0}, "The harbour before the load."))

	// The loader's lock, taken on a connection of its own as the loader
	// takes it.
	lock, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close(ctx)
	if _, err := lock.Exec(ctx, "SELECT pg_advisory_lock($1)", bulkLockKey); err != nil {
		t.Fatal(err)
	}
	if err := loader.DropVectorIndex(ctx); err != nil {
		t.Fatal(err)
	}
	if err := loader.DeferTextStats(ctx); err != nil {
		t.Fatal(err)
	}
	saver(t, loader)(makeArticle("https://example.org/bulk", "en", time.Time{}, []int{1, 2}, "A zeppelin in the bulk load.", "Another chunk."))

	var steps []string
	repair := func() {
		t.Helper()
		steps = nil
		if err := ingest.RepairBulk(ctx, other, func(s ingest.Step) { steps = append(steps, s.String()) }); err != nil {
			t.Fatal(err)
		}
	}
	state := func() (index, stale, counted bool) {
		t.Helper()
		index, err := other.VectorIndexExists(ctx)
		if err != nil {
			t.Fatal(err)
		}
		stale, err = other.TextStatsStale(ctx)
		if err != nil {
			t.Fatal(err)
		}
		diff, ok := countsMatch(t, other)
		return index, stale, diff == 0 && ok
	}

	repair()
	if index, stale, counted := state(); len(steps) > 0 || index || !stale || counted {
		t.Errorf("during the load: repair ran %q; index %v, stale %v, counts exact %v; want no repair, no index, stale, counts behind",
			steps, index, stale, counted)
	}

	pid := lock.PgConn().PID()
	if err := lock.Close(ctx); err != nil { // the loader is killed
		t.Fatal(err)
	}
	// The server releases the lock when the killed loader's backend ends,
	// a moment after the connection closes.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var alive bool
		if err := other.pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $1)", pid).Scan(&alive); err != nil {
			t.Fatal(err)
		}
		if !alive {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the loader's backend still runs 10 s after its connection closed")
		}
	}
	repair()
	if index, stale, counted := state(); len(steps) != 2 || !index || stale || !counted {
		t.Errorf("after the load: repair ran %q; index %v, stale %v, counts exact %v; want both steps, index, fresh exact counts",
			steps, index, stale, counted)
	}
}
