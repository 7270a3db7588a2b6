package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
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

// TestCLIIngestStopsWhenEmbeddingsAreDown points ingest at an embedding API
// that answers 503: the run stops after a few failures, on one line that
// names the cause and says what to re-run, and exits non-zero (issue 17,
// item 5).
func TestCLIIngestStopsWhenEmbeddingsAreDown(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600") // longer than the backoff: no retries
		http.Error(w, `{"error":{"message":"overloaded"}}`, http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	c := newCLI(t)
	c.env["EMBEDDING_MODEL"], c.env["EMBEDDING_BASE_URL"], c.env["EMBEDDING_API_KEY"] = "test-embed", srv.URL+"/v1", "k"
	c.env["EMBEDDING_DIMENSIONS"] = "8"
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
