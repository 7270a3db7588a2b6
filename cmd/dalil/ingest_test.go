package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// writeJSONL writes n articles, each with its own URL and text, to a JSONL
// file and returns its path.
func writeJSONL(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	for i := range n {
		line, err := json.Marshal(map[string]string{"title": fmt.Sprint("Story ", i), "url": fmt.Sprint("https://x.example/", i),
			"text": fmt.Sprintf("Story number %d about the port of Tanger and its traffic.", i)})
		if err != nil {
			t.Fatal(err)
		}
		b.Write(append(line, '\n'))
	}
	path := filepath.Join(t.TempDir(), "articles.jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// withEmbeddingsDown points c at an embedding API that answers 503 with a
// Retry-After too long to wait for, so that each embedding fails at once.
func withEmbeddingsDown(t *testing.T, c cli) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600") // longer than the backoff: no retries
		http.Error(w, `{"error":{"message":"overloaded"}}`, http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	c.env["EMBEDDING_MODEL"], c.env["EMBEDDING_BASE_URL"], c.env["EMBEDDING_API_KEY"] = "test-embed", srv.URL+"/v1", "k"
	c.env["EMBEDDING_DIMENSIONS"] = "8"
}

// TestCLIIngestStopsWhenEmbeddingsAreDown points ingest at an embedding API
// that answers 503: the run stops after a few failures, on one line that
// names the cause and says what to re-run, and exits non-zero (issue 17,
// item 5).
func TestCLIIngestStopsWhenEmbeddingsAreDown(t *testing.T) {
	c := newCLI(t)
	withEmbeddingsDown(t, c)
	_, errOut, err := c.run("ingest", "--quiet", "--workers", "2", "--jsonl", writeJSONL(t, 200))
	if err == nil {
		t.Fatal("ingest succeeded with the embedding API down")
	}
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	last := lines[len(lines)-1]
	if len(lines) > 20 || !strings.Contains(last, "stopped") || !strings.Contains(last, "503") || !strings.Contains(last, "run the same command again") {
		t.Errorf("%d lines on stderr, the last %q; want a few, the last naming the cause and what to re-run", len(lines), last)
	}
}

// TestCLIIngestErrorKeepsItsCause fails to embed an article with a very
// long URL: the error line, cut to its length, must still say why (issue
// 17, item 7).
func TestCLIIngestErrorKeepsItsCause(t *testing.T) {
	c := newCLI(t)
	withEmbeddingsDown(t, c)
	long := "https://x.example/" + strings.Repeat("a-very-long-path/", 60)
	line, err := json.Marshal(map[string]string{"title": "Long", "url": long, "text": "Some text."})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "long.jsonl")
	if err := os.WriteFile(path, append(line, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, err := c.run("ingest", "--jsonl", path)
	if err == nil {
		t.Fatal("ingest succeeded with the embedding API down")
	}
	first := strings.Split(strings.TrimSpace(errOut), "\n")[0]
	if !strings.Contains(first, "503 overloaded") || len(first) > 400 {
		t.Errorf("error line does not keep its cause within its length:\n%s", first)
	}
}

// TestCLIBulkFailedIndexExitsNonZero holds a lock on the chunks that
// lets a --bulk load store articles but keeps its word recount and index
// build waiting past their time limit: the run must exit non-zero (issue
// 17, item 7).
func TestCLIBulkFailedIndexExitsNonZero(t *testing.T) {
	ctx := context.Background()
	c := newCLI(t)
	url := c.env["DATABASE_URL"]
	if _, errOut, err := c.run("migrate"); err != nil {
		t.Fatalf("migrate: %v\n%s", err, errOut)
	}
	if _, errOut, err := c.run("ingest", "--jsonl", writeJSONL(t, 1)); err != nil {
		t.Fatalf("ingest: %v\n%s", err, errOut)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)

	bulk := cli{t: t, env: map[string]string{"DATABASE_URL": url + "&statement_timeout=300", "DB_MAINTENANCE_TIMEOUT": "300ms"}}
	done := make(chan error, 1)
	var errOut string
	go func() {
		var err error
		_, errOut, err = bulk.run("ingest", "--bulk", "--quiet", "--workers", "1", "--jsonl", writeJSONL(t, 400))
		done <- err
	}()
	// Once the load has dropped the index, lock the chunks against the
	// recount and the build (SHARE) but not against the load's inserts.
	var tx pgx.Tx
	for tx == nil {
		var dropped bool
		if err := conn.QueryRow(ctx, "SELECT to_regclass('chunks_embedding_hnsw') IS NULL").Scan(&dropped); err != nil {
			t.Fatal(err)
		}
		if !dropped {
			time.Sleep(2 * time.Millisecond)
			continue
		}
		if tx, err = conn.Begin(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, "LOCK TABLE chunks IN ROW EXCLUSIVE MODE"); err != nil {
			t.Fatal(err)
		}
	}
	err = <-done
	_ = tx.Rollback(ctx)
	if err == nil || !strings.Contains(errOut, "index") {
		t.Errorf("a --bulk whose index build failed: exit error %v, stderr:\n%s", err, errOut)
	}
}
