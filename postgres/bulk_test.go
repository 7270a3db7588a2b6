package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dalil-news/dalil/ingest"
	"github.com/dalil-news/dalil/internal/testing/pgtest"
)

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

	if err := lock.Close(ctx); err != nil { // the loader is killed
		t.Fatal(err)
	}
	repair()
	if index, stale, counted := state(); len(steps) != 2 || !index || stale || !counted {
		t.Errorf("after the load: repair ran %q; index %v, stale %v, counts exact %v; want both steps, index, fresh exact counts",
			steps, index, stale, counted)
	}
}
