package postgres

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dalil-news/dalil/internal/testing/pgtest"
)

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
