package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/dalil-news/dalil/embeddings"
	"github.com/dalil-news/dalil/internal/testing/postgrestest"
	"github.com/dalil-news/dalil/rag"
)

// TestConcurrentDedupe ingests the same text under two URLs many times at
// once: it must be stored once, and the outcomes must say so exactly, one
// created and the others unchanged or duplicate (issue 17, item 3).
func TestConcurrentDedupe(t *testing.T) {
	ctx := context.Background()
	emb := embeddings.NewOffline(embeddings.OfflineConfig{})
	store := postgrestest.MustOpen(t, emb)
	svc := rag.NewService(store, emb, nil, rag.Config{})
	const rounds, calls = 5, 16
	for r := range rounds {
		text := fmt.Sprintf("Round %d. %s", r, strings.Repeat("The same dispatch reached two sites. ", 40))
		statuses := make([]rag.SaveStatus, calls)
		var wg sync.WaitGroup
		for i := range calls {
			wg.Go(func() {
				a := rag.Article{URL: fmt.Sprintf("https://site%d.example/round-%d", i%2, r), Title: "Dispatch", Text: text}
				res, err := svc.Ingest(ctx, a)
				if err != nil {
					t.Errorf("round %d call %d: %v", r, i, err)
				}
				statuses[i] = res.Status
			})
		}
		wg.Wait()
		count := map[rag.SaveStatus]int{}
		for _, s := range statuses {
			count[s]++
		}
		st, err := store.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if stored := st.Articles - int64(r); stored != 1 || count[rag.Created] != 1 || count[rag.Updated] != 0 || count[rag.Unchanged]+count[rag.Duplicate] != calls-1 {
			t.Errorf("round %d: stored %d times, outcomes %v; want stored once, 1 created, the others unchanged or duplicate", r, stored, count)
		}
	}
}
