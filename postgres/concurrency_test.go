package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dalil-news/dalil/internal/testing/pgtest"
	"github.com/dalil-news/dalil/rag"
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
