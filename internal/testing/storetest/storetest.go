// Package storetest is the conformance suite of rag.Store (as google/go-cloud's
// drivertest is for its drivers): every implementation's tests call Run.
// It checks the contract the interface's doc states: SaveArticle sets the
// ID and replaces the chunks of an article stored under the same URL;
// LookupMany answers every key in order, by URL and then by content hash;
// Search returns at most K passages, at most PerArticle from one article,
// with their article but not its text, and keeps to the date range, leaving
// undated articles out when one is set; Article returns the text, and a
// missing article is rag.ErrNotFound.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/dalil-news/dalil/rag"
)

// Dimensions is the length of the suite's vectors: a store that checks
// where its vectors come from must be bound to an embedder of this many.
const Dimensions = 4

// axis returns a unit vector along axis i, slightly tilted towards the next
// one so that no two chunks are equally near a query.
func axis(i int, tilt float32) []float32 {
	v := make([]float32, Dimensions)
	v[i%Dimensions] = 1
	v[(i+1)%Dimensions] = tilt
	return v
}

// article returns an article with one chunk per paragraph, the i-th chunk's
// vector along axis vecs[i].
func article(url string, published time.Time, vecs []int, paragraphs ...string) (rag.Article, []rag.Chunk) {
	a := rag.Article{Title: "Title of " + url, URL: url, Publisher: "Storetest", Published: published, Lang: "en"}
	var chunks []rag.Chunk
	for i, p := range paragraphs {
		if i > 0 {
			a.Text += "\n\n"
		}
		start := len(a.Text)
		a.Text += p
		chunks = append(chunks, rag.Chunk{Index: i, Text: p, Start: start, End: len(a.Text), Embedding: axis(vecs[i], 0.1*float32(i+1))})
	}
	a.ContentHash = rag.ContentHash(a.Text)
	return a, chunks
}

// mustSave saves a and chunks, failing the test on error, and returns a
// with its ID.
func mustSave(tb testing.TB, s rag.Store, a rag.Article, chunks []rag.Chunk) rag.Article {
	tb.Helper()
	if _, err := s.SaveArticle(context.Background(), &a, chunks); err != nil {
		tb.Fatalf("SaveArticle(%s): %v", a.URL, err)
	}
	if a.ID == 0 {
		tb.Fatalf("SaveArticle(%s) did not set the ID", a.URL)
	}
	return a
}

// Run checks that the stores newStore returns keep the rag.Store contract,
// in subtests of t. newStore returns an empty store taking vectors of
// Dimensions, for each subtest.
func Run(t *testing.T, newStore func(t *testing.T) rag.Store) {
	ctx := context.Background()
	day := func(d int) time.Time { return time.Date(2024, 3, d, 0, 0, 0, 0, time.UTC) }

	t.Run("save and read back", func(t *testing.T) {
		s := newStore(t)
		a, chunks := article("https://example.org/a", day(1), []int{0, 1}, "Rain fell on Rabat all week.", "The river rose by a metre.")
		saved := mustSave(t, s, a, chunks)
		got, err := s.Article(ctx, saved.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(saved, got, cmpopts.IgnoreFields(rag.Article{}, "IngestedAt"), cmpopts.EquateApproxTime(time.Second)); diff != "" {
			t.Errorf("Article (-saved +got):\n%s", diff)
		}
		if _, err := s.Article(ctx, saved.ID+1000); !errors.Is(err, rag.ErrNotFound) {
			t.Errorf("Article(missing) = %v, want rag.ErrNotFound", err)
		}
	})

	t.Run("lookup", func(t *testing.T) {
		s := newStore(t)
		a, chunks := article("https://example.org/a", day(1), []int{0}, "A port opens south of Dakhla.")
		a = mustSave(t, s, a, chunks)
		keys := []rag.LookupKey{
			{URL: "https://example.org/nothing", ContentHash: "0123"},
			{URL: a.URL, ContentHash: "other"},
			{URL: "https://mirror.example/a", ContentHash: a.ContentHash},
			{URL: "https://mirror.example/b"},
		}
		got, err := s.LookupMany(ctx, keys)
		if err != nil {
			t.Fatal(err)
		}
		same := rag.Existing{ID: a.ID, URL: a.URL, ContentHash: a.ContentHash}
		if diff := cmp.Diff([]rag.Existing{{}, same, same, {}}, got); diff != "" {
			t.Errorf("LookupMany (-want +got):\n%s", diff)
		}
	})

	t.Run("replace", func(t *testing.T) {
		s := newStore(t)
		a, chunks := article("https://example.org/a", day(1), []int{0, 1}, "The old first paragraph.", "The old second paragraph.")
		a = mustSave(t, s, a, chunks)
		b, chunks := article(a.URL, day(2), []int{2}, "The corrected text.")
		b = mustSave(t, s, b, chunks)
		if b.ID != a.ID {
			t.Errorf("saved again under the same URL with ID %d, want %d", b.ID, a.ID)
		}
		ps, err := s.Search(ctx, rag.SearchQuery{Text: "paragraph text", Vector: axis(0, 0), K: 10, Candidates: 10})
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, p := range ps {
			texts = append(texts, p.Chunk.Text)
		}
		if diff := cmp.Diff([]string{"The corrected text."}, texts); diff != "" {
			t.Errorf("passages after the replace (-want +got):\n%s", diff)
		}
	})

	t.Run("search", func(t *testing.T) {
		s := newStore(t)
		var arts []rag.Article
		for i, pub := range []time.Time{day(1), day(5), day(9), {}} {
			a, chunks := article(fmt.Sprintf("https://example.org/%d", i), pub, []int{i, i, i},
				fmt.Sprintf("Story %d, first part.", i), fmt.Sprintf("Story %d, second part.", i), fmt.Sprintf("Story %d, third part.", i))
			arts = append(arts, mustSave(t, s, a, chunks))
		}
		tests := []struct {
			name         string
			q            rag.SearchQuery
			wantArticles []int64 // of the passages, in order; nil: any
			wantMax      int
		}{
			{"k", rag.SearchQuery{Text: "story", Vector: axis(1, 0), K: 2, Candidates: 10}, nil, 2},
			{"per article", rag.SearchQuery{Text: "story", Vector: axis(1, 0), K: 10, Candidates: 20, PerArticle: 1}, nil, 4},
			{"nearest first", rag.SearchQuery{Text: "nothing matches these words", Vector: axis(2, 0), K: 1, Candidates: 10}, []int64{arts[2].ID}, 1},
			{"since and until", rag.SearchQuery{Text: "story", Vector: axis(0, 0), K: 10, Candidates: 20, PerArticle: 1, Since: day(5), Until: day(9)},
				[]int64{arts[1].ID}, 1},
			{"since leaves out the undated", rag.SearchQuery{Text: "story", Vector: axis(3, 0), K: 10, Candidates: 20, PerArticle: 1, Since: day(9)},
				[]int64{arts[2].ID}, 1},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ps, err := s.Search(ctx, tt.q)
				if err != nil {
					t.Fatal(err)
				}
				if len(ps) == 0 || len(ps) > tt.wantMax {
					t.Errorf("%d passages, want 1 to %d", len(ps), tt.wantMax)
				}
				perArticle := map[int64]int{}
				var got []int64
				for _, p := range ps {
					perArticle[p.Article.ID]++
					got = append(got, p.Article.ID)
					if p.Article.Text != "" || p.Article.URL == "" || p.Chunk.ArticleID != p.Article.ID {
						t.Errorf("passage %+v: want its article, without text", p)
					}
					if tt.q.PerArticle > 0 && perArticle[p.Article.ID] > tt.q.PerArticle {
						t.Errorf("%d passages of article %d, want at most %d", perArticle[p.Article.ID], p.Article.ID, tt.q.PerArticle)
					}
				}
				if tt.wantArticles != nil {
					if diff := cmp.Diff(tt.wantArticles, got); diff != "" {
						t.Errorf("articles of the passages (-want +got):\n%s", diff)
					}
				}
			})
		}
	})
}
