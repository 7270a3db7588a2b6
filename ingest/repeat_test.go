package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dalil-news/dalil/embeddings"
	"github.com/dalil-news/dalil/internal/testing/postgrestest"
	"github.com/dalil-news/dalil/rag"
)

// TestRepeatedURL ingests a JSONL archive in which one URL appears on
// several lines with different texts, twice: the last line wins both
// times, and the second run changes nothing (issue 17, item 4).
func TestRepeatedURL(t *testing.T) {
	ctx := context.Background()
	emb := embeddings.NewOffline(embeddings.OfflineConfig{})
	store := postgrestest.MustOpen(t, emb)
	svc := rag.NewService(store, emb, nil, rag.Config{})

	const repeated = "https://example.org/moving-story"
	var lines []string
	var last string
	for i := range 40 {
		url := fmt.Sprintf("https://example.org/story-%d", i)
		text := fmt.Sprintf("Story %d about the harbour and its %d boats.", i, i)
		if i%10 == 0 {
			url, text = repeated, fmt.Sprintf("Version %d of the moving story, told again.", i)
			last = text
		}
		b, err := json.Marshal(map[string]string{"title": "Story", "url": url, "text": text})
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, string(b))
	}
	path := filepath.Join(t.TempDir(), "repeated.jsonl")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	for run := 1; run <= 2; run++ {
		pipe := NewPipeline(svc, nil, PipelineConfig{Workers: 4})
		sum := pipe.Run(ctx, nil, []string{path}, func(o Outcome) {
			if o.Err != nil {
				t.Errorf("run %d: %s: %v", run, o.Source, o.Err)
			}
		})
		got, err := store.ArticleByURL(ctx, repeated)
		if err != nil {
			t.Fatal(err)
		}
		if got.Text != last {
			t.Errorf("run %d: stored %q, want the last line's %q", run, got.Text, last)
		}
		if run == 2 && (sum.ByStatus[rag.Unchanged] != 37 || sum.ByStatus[rag.Updated]+sum.ByStatus[rag.Created] != 0) {
			t.Errorf("run 2: outcomes %v, want every stored article unchanged", sum.ByStatus)
		}
	}
}
