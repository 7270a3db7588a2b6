// Package servicetest runs rag.Service's ingest cases (RunIngest) and
// answer cases (RunAsk) over what the caller builds, so that the same
// cases, with the same assertions, run in rag's unit tests (an in-memory
// store, stub passages, a fake chat model) and in the postgres package's
// (PostgreSQL, the real search, the real chat client against a local
// server). It is for tests only.
package servicetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dalil-news/dalil/rag"
)

// Store is a rag.Store whose contents a test can count.
type Store interface {
	rag.Store
	// Counts returns how many articles and chunks the store holds.
	Counts(ctx context.Context) (articles, chunks int, err error)
}

// NewStore returns a fresh, empty store and the embedder its index takes.
type NewStore func(t *testing.T) (Store, rag.Embedder)

// RunIngest runs the ingest cases: deduplication and replacement of seed,
// atomicity when embedding fails midway, and IngestMany's batches with
// repeats and bad articles. seed must chunk into more than two chunks.
func RunIngest(t *testing.T, seed rag.Article, newStore NewStore) {
	t.Run("DedupeAndReplace", func(t *testing.T) { dedupeAndReplace(t, seed, newStore) })
	t.Run("Atomic", func(t *testing.T) { atomic(t, seed, newStore) })
	t.Run("Many", func(t *testing.T) { many(t, newStore) })
}

// mustCount counts what s holds, failing the test on error.
func mustCount(t *testing.T, s Store) (articles, chunks int) {
	t.Helper()
	articles, chunks, err := s.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return articles, chunks
}

func dedupeAndReplace(t *testing.T, a rag.Article, newStore NewStore) {
	ctx := context.Background()
	store, emb := newStore(t)
	svc := rag.NewService(store, emb, nil, rag.Config{})
	steps := []struct {
		name string
		art  func() rag.Article
		want rag.SaveStatus
	}{
		{"new", func() rag.Article { return a }, rag.Created},
		{"same again", func() rag.Article { return a }, rag.Unchanged},
		{"same text, other URL", func() rag.Article { b := a; b.URL = "https://mirror.example/x"; return b }, rag.Duplicate},
		{"changed text", func() rag.Article {
			b := a
			b.Text = a.Text + "\n\nUn paragraphe ajouté après la publication, avec une correction."
			b.ContentHash = ""
			return b
		}, rag.Updated},
	}
	var id int64
	for _, st := range steps {
		res, err := svc.Ingest(ctx, st.art())
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if res.Status != st.want {
			t.Errorf("%s: status %s, want %s", st.name, res.Status, st.want)
		}
		if id == 0 {
			id = res.ArticleID
		} else if res.ArticleID != id {
			t.Errorf("%s: article id %d, want %d", st.name, res.ArticleID, id)
		}
	}
	articles, chunks := mustCount(t, store)
	stored, err := store.Article(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if articles != 1 || !strings.Contains(stored.Text, "Un paragraphe ajouté") {
		t.Errorf("after replace: %d articles, text updated %v; want 1 article with the new text",
			articles, strings.Contains(stored.Text, "Un paragraphe ajouté"))
	}
	if want := len(rag.ChunkArticle(stored, rag.ChunkConfig{})); chunks != want {
		t.Errorf("after replace: %d chunks stored, want %d (the old ones gone)", chunks, want)
	}
}

// atomic shows that an article whose embedding fails midway is not stored
// at all.
func atomic(t *testing.T, seed rag.Article, newStore NewStore) {
	store, base := newStore(t)
	emb := &failingEmbedder{Embedder: base, failN: 2}
	svc := rag.NewService(store, emb, nil, rag.Config{EmbedBatch: 2}) // the seed has more than 2 chunks
	_, err := svc.Ingest(context.Background(), seed)
	if err == nil || !strings.Contains(err.Error(), "embed batch 1") {
		t.Fatalf("Ingest = %v, want an error naming batch 1", err)
	}
	if articles, chunks := mustCount(t, store); articles != 0 || chunks != 0 {
		t.Errorf("after a failure midway: %d articles, %d chunks stored; want none", articles, chunks)
	}
}

func many(t *testing.T, newStore NewStore) {
	art := func(url, text string) rag.Article {
		return rag.Article{URL: "https://example.org/" + url, Title: url, Text: text}
	}
	a := art("a", "Le Maroc présente son intelligence artificielle, conçue à Rabat.")
	aChanged := art("a", "Le Maroc présente son intelligence artificielle, conçue à Rabat et Casablanca.")
	aMirror := art("mirror", a.Text)
	b := art("b", "La saison des pluies commence tôt dans le Rif cette année.")
	c := art("c", "Un nouveau port ouvre au sud de Dakhla.")
	const fails = rag.SaveStatus("error")
	// Many articles, a bad one among them, then repeats of articles stored
	// earlier in the batch.
	var many []rag.Article
	var manyWant []rag.SaveStatus
	for i := range 20 {
		many = append(many, art(fmt.Sprint("many", i), fmt.Sprintf("Article numéro %d sur la pêche à Agadir.", i)))
		manyWant = append(manyWant, rag.Created)
	}
	many = slices.Insert(many, 5, art("empty", " "))
	manyWant = slices.Insert(manyWant, 5, fails)
	changed := many[3]
	changed.Text += " Mis à jour."
	many = append(many, many[0], changed, art("copy", many[19].Text))
	manyWant = append(manyWant, rag.Unchanged, rag.Updated, rag.Duplicate)
	tests := []struct {
		name         string
		before, arts []rag.Article
		want         []rag.SaveStatus
		wantArticles int
		wantLookups  int
	}{
		{"repeats within the batch", nil, []rag.Article{a, a, aMirror, aChanged, b},
			[]rag.SaveStatus{rag.Created, rag.Unchanged, rag.Duplicate, rag.Updated, rag.Created}, 2, 4},
		{"stored before", []rag.Article{a, b}, []rag.Article{a, art("b2", b.Text), c},
			[]rag.SaveStatus{rag.Unchanged, rag.Duplicate, rag.Created}, 3, 1},
		// a's text is replaced first, so its old text is new again.
		{"content replaced within the batch", []rag.Article{a}, []rag.Article{aChanged, aMirror},
			[]rag.SaveStatus{rag.Updated, rag.Created}, 2, 2},
		{"bad articles among good ones", nil, []rag.Article{art("empty", " \n "), {Title: "no URL", Text: "Du texte."}, b},
			[]rag.SaveStatus{fails, fails, rag.Created}, 1, 1},
		{"many, then repeats", nil, many, manyWant, 20, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			base, emb := newStore(t)
			store := &countingStore{Store: base}
			svc := rag.NewService(store, emb, nil, rag.Config{})
			for _, a := range tt.before {
				if _, err := svc.Ingest(ctx, a); err != nil {
					t.Fatal(err)
				}
			}
			store.lookups = 0
			var got []rag.SaveStatus
			svc.IngestMany(ctx, tt.arts, func(i int, res rag.IngestResult, err error) {
				if i != len(got) {
					t.Errorf("done(%d) after %d calls", i, len(got))
				}
				if err != nil {
					t.Logf("article %d: %v", i, err)
					got = append(got, fails)
					return
				}
				if res.ArticleID == 0 {
					t.Errorf("article %d (%s): no article ID", i, res.Status)
				}
				got = append(got, res.Status)
			})
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("statuses (-want +got):\n%s", diff)
			}
			if articles, _ := mustCount(t, store); articles != tt.wantArticles {
				t.Errorf("%d articles stored, want %d", articles, tt.wantArticles)
			}
			// One lookup for the batch, and one again for each article
			// whose URL or content the batch has just stored.
			if store.lookups != tt.wantLookups {
				t.Errorf("%d lookups, want %d", store.lookups, tt.wantLookups)
			}
		})
	}
}
