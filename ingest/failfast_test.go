package ingest

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dalil-news/dalil/rag"
)

// downIngester fails every article as a store or embedder that is down
// does, after a short wait per article, and counts the articles it was
// given.
type downIngester struct {
	err   error
	tried atomic.Int64
}

func (d *downIngester) IngestMany(ctx context.Context, arts []rag.Article, done func(int, rag.IngestResult, error)) {
	for i := range arts {
		d.tried.Add(1)
		select {
		case <-ctx.Done():
			done(i, rag.IngestResult{}, ctx.Err())
			continue
		case <-time.After(time.Millisecond):
		}
		done(i, rag.IngestResult{}, d.err)
	}
}

// TestPipelineFailsFast checks that a run stops after a run of failures
// of a dependency that is down instead of trying, and reporting, every
// article (issue 17, item 5); other failures do not stop it.
func TestPipelineFailsFast(t *testing.T) {
	arts := make([]rag.Article, 2000)
	for i := range arts {
		arts[i] = rag.Article{URL: fmt.Sprintf("https://example.org/%d", i), Title: "t", Text: "x"}
	}
	down := fmt.Errorf("embed batch 0: %w", rag.ErrUnavailable)
	tests := []struct {
		name     string
		err      error
		wantStop bool
	}{
		{"embedding API down", down, true},
		{"database down", fmt.Errorf("look up: %w", rag.ErrUnavailable), true},
		{"bad articles", errors.New("article x: empty"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ing := &downIngester{err: tt.err}
			reported := 0
			sum := NewPipeline(ing, nil, PipelineConfig{Workers: 4, MaxFailures: 10}).Articles(context.Background(), arts, func(o Outcome) {
				if o.Err != nil {
					reported++
				}
			})
			stopped := sum.Stopped != nil
			if stopped != tt.wantStop {
				t.Fatalf("stopped = %v (%v), want %v", stopped, sum.Stopped, tt.wantStop)
			}
			if !tt.wantStop {
				if reported != len(arts) || sum.Failed != len(arts) {
					t.Errorf("%d failures reported, %d counted, want %d", reported, sum.Failed, len(arts))
				}
				return
			}
			if !errors.Is(sum.Stopped, rag.ErrUnavailable) {
				t.Errorf("Stopped = %v, want it to wrap rag.ErrUnavailable", sum.Stopped)
			}
			if reported != 10 {
				t.Errorf("%d failures reported, want 10 and then one line for the stop", reported)
			}
			if n := ing.tried.Load(); n > 200 {
				t.Errorf("%d of %d articles tried after the dependency was found down", n, len(arts))
			}
		})
	}
}
