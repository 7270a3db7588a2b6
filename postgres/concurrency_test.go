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
