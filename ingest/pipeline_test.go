package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dalil-news/dalil/embeddings"
	"github.com/dalil-news/dalil/internal/testing/postgrestest"
	"github.com/dalil-news/dalil/rag"
)

// memIngester stores articles in memory: an article whose title starts
// with "fail" fails, one whose title it has seen is unchanged.
type memIngester struct {
	mu      sync.Mutex
	titles  map[string]bool
	batches []int
}

func (m *memIngester) IngestMany(_ context.Context, arts []rag.Article, done func(int, rag.IngestResult, error)) {
	m.mu.Lock()
	m.batches = append(m.batches, len(arts))
	m.mu.Unlock()
	for i, a := range arts {
		m.mu.Lock()
		seen := m.titles[a.Title]
		m.titles[a.Title] = true
		m.mu.Unlock()
		switch {
		case strings.HasPrefix(a.Title, "fail"):
			done(i, rag.IngestResult{}, errors.New("store failed"))
		case seen:
			done(i, rag.IngestResult{Status: rag.Unchanged}, nil)
		default:
			done(i, rag.IngestResult{Status: rag.Created, Chunks: 2}, nil)
		}
	}
}

func TestPipelineRun(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	body := "Le port de Casablanca a ouvert un nouveau terminal à conteneurs jeudi, doublant sa capacité selon l'autorité portuaire."
	one := write("one.md", "# First article\n\n"+body)
	write("tree/a/two.txt", "Second article\n\n"+body)
	tree := filepath.Join(dir, "tree")
	write("tree/three.md", "# fail to store\n\n"+body)
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	archive := write("archive.jsonl", `{"title":"Archived","url":"https://news.example/a","text":"`+body+`"}`+"\n{oops\n")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/page" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<html><head><title>Fetched page</title></head><body><article><p>%s</p><p>%s</p></article></body></html>", body, body)
	}))
	defer srv.Close()
	fetcher := NewFetcher(Config{AllowPrivate: true})

	type outcome struct {
		Source, Title string
		Status        rag.SaveStatus
		Failed        bool
	}
	tests := []struct {
		name          string
		inputs, jsonl []string
		want          []outcome
		wantSum       Summary
	}{
		{
			name:   "file, directory, URL",
			inputs: []string{one, tree, srv.URL + "/page"},
			want: []outcome{
				{Source: one, Title: "First article", Status: rag.Created},
				{Source: filepath.Join(tree, "a/two.txt"), Title: "Second article", Status: rag.Created},
				{Source: filepath.Join(tree, "three.md"), Title: "fail to store", Failed: true},
				{Source: srv.URL + "/page", Title: "Fetched page", Status: rag.Created},
			},
			wantSum: Summary{Ingested: 3, Failed: 1, Chunks: 6, ByStatus: map[rag.SaveStatus]int{rag.Created: 3}},
		},
		{
			name:   "bad inputs fail alone",
			inputs: []string{filepath.Join(dir, "missing.md"), empty, srv.URL + "/gone", one},
			want: []outcome{
				{Source: filepath.Join(dir, "missing.md"), Failed: true},
				{Source: empty, Failed: true},
				{Source: srv.URL + "/gone", Failed: true},
				{Source: one, Title: "First article", Status: rag.Unchanged},
			},
			wantSum: Summary{Ingested: 1, Failed: 3, ByStatus: map[rag.SaveStatus]int{rag.Unchanged: 1}},
		},
		{
			name:  "JSONL lines, bad ones named",
			jsonl: []string{archive, filepath.Join(dir, "missing.jsonl")},
			want: []outcome{
				{Source: archive + ":1", Title: "Archived", Status: rag.Created},
				{Source: archive + ":2", Failed: true},
				{Source: filepath.Join(dir, "missing.jsonl"), Failed: true},
			},
			wantSum: Summary{Ingested: 1, Failed: 2, Chunks: 2, ByStatus: map[rag.SaveStatus]int{rag.Created: 1}},
		},
	}
	ing := &memIngester{titles: map[string]bool{}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []outcome
			p := NewPipeline(ing, fetcher, PipelineConfig{Workers: 2})
			sum := p.Run(context.Background(), tt.inputs, tt.jsonl, func(o Outcome) {
				got = append(got, outcome{o.Source, o.Article.Title, o.Result.Status, o.Err != nil})
			})
			// Results come in the order they finish: compare them sorted.
			order := func(a, b outcome) int { return strings.Compare(a.Source, b.Source) }
			slices.SortFunc(got, order)
			slices.SortFunc(tt.want, order)
			for i := range got {
				if got[i].Failed {
					got[i].Title = "" // what a failed source's article holds is not promised
				}
			}
			for i := range tt.want {
				if tt.want[i].Failed {
					tt.want[i].Title = ""
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantSum, sum); diff != "" {
				t.Errorf("summary (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPipelineArticles(t *testing.T) {
	arts := make([]rag.Article, 100)
	for i := range arts {
		arts[i] = rag.Article{Title: fmt.Sprintf("article %d", i), URL: fmt.Sprintf("https://news.example/%d", i)}
	}
	tests := []struct {
		name    string
		workers int
	}{{"one worker", 1}, {"four workers", 4}, {"default workers", 0}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ing := &memIngester{titles: map[string]bool{}}
			n := 0
			sum := NewPipeline(ing, nil, PipelineConfig{Workers: tt.workers}).Articles(context.Background(), arts, func(o Outcome) {
				n++
				if !strings.HasPrefix(o.Source, "https://news.example/") || o.Err != nil {
					t.Errorf("outcome %+v", o)
				}
			})
			if n != len(arts) || sum.Ingested != len(arts) || sum.Chunks != 2*len(arts) {
				t.Errorf("%d outcomes, summary %+v; want %d articles stored", n, sum, len(arts))
			}
			for _, b := range ing.batches {
				if b < 1 || b > batchSize {
					t.Errorf("batch of %d articles, want 1 to %d", b, batchSize)
				}
			}
		})
	}
	t.Run("canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		n := 0
		NewPipeline(&memIngester{titles: map[string]bool{}}, nil, PipelineConfig{}).Articles(ctx, arts, func(Outcome) { n++ })
		if n != 0 {
			t.Errorf("%d articles stored after cancellation, want 0", n)
		}
	})
}

// fakeBulkStore records the calls of a bulk load.
type fakeBulkStore struct {
	calls        []string
	indexExists  bool
	statsStale   bool
	fail         map[string]error
	recountCtxOK bool
	// lockHeld says another process holds the bulk-load lock.
	lockHeld bool
}

func (f *fakeBulkStore) call(name string) error {
	f.calls = append(f.calls, name)
	return f.fail[name]
}

func (f *fakeBulkStore) TryLockBulk(context.Context) (bool, error) {
	return !f.lockHeld, f.call("lock")
}
func (f *fakeBulkStore) UnlockBulk(context.Context) error       { return f.call("unlock") }
func (f *fakeBulkStore) DropVectorIndex(context.Context) error  { return f.call("drop index") }
func (f *fakeBulkStore) BuildVectorIndex(context.Context) error { return f.call("build index") }
func (f *fakeBulkStore) DeferTextStats(context.Context) error   { return f.call("defer stats") }
func (f *fakeBulkStore) RecountTextStats(ctx context.Context) error {
	f.recountCtxOK = ctx.Err() == nil
	return f.call("recount stats")
}
func (f *fakeBulkStore) VectorIndexExists(context.Context) (bool, error) {
	return f.indexExists, f.call("index exists?")
}
func (f *fakeBulkStore) TextStatsStale(context.Context) (bool, error) {
	return f.statsStale, f.call("stats stale?")
}

func TestBulk(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name      string
		store     fakeBulkStore
		run       func(ctx context.Context, s *fakeBulkStore, seen *[]string) error
		wantCalls []string
		wantSeen  []string
		wantErr   bool
	}{
		{
			name: "start",
			run: func(ctx context.Context, s *fakeBulkStore, _ *[]string) error {
				return StartBulk(ctx, s)
			},
			wantCalls: []string{"lock", "drop index", "defer stats"},
		},
		{
			name:  "start refuses while another load runs",
			store: fakeBulkStore{lockHeld: true},
			run: func(ctx context.Context, s *fakeBulkStore, _ *[]string) error {
				return StartBulk(ctx, s)
			},
			wantCalls: []string{"lock"},
			wantErr:   true,
		},
		{
			name:  "start stops at the first error",
			store: fakeBulkStore{fail: map[string]error{"drop index": boom}},
			run: func(ctx context.Context, s *fakeBulkStore, _ *[]string) error {
				return StartBulk(ctx, s)
			},
			wantCalls: []string{"lock", "drop index", "unlock"},
			wantErr:   true,
		},
		{
			name: "finish counts, then builds",
			run: func(ctx context.Context, s *fakeBulkStore, seen *[]string) error {
				return FinishBulk(ctx, s, func(st Step, err error) { *seen = append(*seen, fmt.Sprint(st, err)) })
			},
			wantCalls: []string{"recount stats", "build index", "unlock"},
			wantSeen:  []string{"counting words <nil>", "building the vector index <nil>"},
		},
		{
			name:  "finish builds even when counting failed",
			store: fakeBulkStore{fail: map[string]error{"recount stats": boom}},
			run: func(ctx context.Context, s *fakeBulkStore, seen *[]string) error {
				return FinishBulk(ctx, s, func(st Step, err error) { *seen = append(*seen, fmt.Sprint(st, err)) })
			},
			wantCalls: []string{"recount stats", "build index", "unlock"},
			wantSeen:  []string{"counting words <nil>", "counting words boom", "building the vector index <nil>"},
			wantErr:   true,
		},
		{
			name:  "repair: nothing to do",
			store: fakeBulkStore{indexExists: true},
			run: func(ctx context.Context, s *fakeBulkStore, seen *[]string) error {
				return RepairBulk(ctx, s, func(st Step) { *seen = append(*seen, st.String()) })
			},
			wantCalls: []string{"index exists?", "stats stale?"},
		},
		{
			name:  "repair: index missing, stats stale",
			store: fakeBulkStore{statsStale: true},
			run: func(ctx context.Context, s *fakeBulkStore, seen *[]string) error {
				return RepairBulk(ctx, s, func(st Step) { *seen = append(*seen, st.String()) })
			},
			wantCalls: []string{"index exists?", "lock", "index exists?", "build index", "stats stale?", "recount stats", "unlock"},
			wantSeen:  []string{"building the vector index", "counting words"},
		},
		{
			name:  "repair: a load is running",
			store: fakeBulkStore{statsStale: true, lockHeld: true},
			run: func(ctx context.Context, s *fakeBulkStore, seen *[]string) error {
				return RepairBulk(ctx, s, func(st Step) { *seen = append(*seen, st.String()) })
			},
			wantCalls: []string{"index exists?", "lock"},
		},
		{
			name:  "repair stops at the first error",
			store: fakeBulkStore{statsStale: true, fail: map[string]error{"build index": boom}},
			run: func(ctx context.Context, s *fakeBulkStore, seen *[]string) error {
				return RepairBulk(ctx, s, func(st Step) { *seen = append(*seen, st.String()) })
			},
			wantCalls: []string{"index exists?", "lock", "index exists?", "build index", "unlock"},
			wantSeen:  []string{"building the vector index"},
			wantErr:   true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen []string
			err := tt.run(context.Background(), &tt.store, &seen)
			if (err != nil) != tt.wantErr {
				t.Errorf("error = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.wantCalls, tt.store.calls); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantSeen, seen); diff != "" {
				t.Errorf("steps reported (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("finish runs after cancellation", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var s fakeBulkStore
		if err := FinishBulk(ctx, &s, func(Step, error) {}); err != nil || !s.recountCtxOK {
			t.Errorf("FinishBulk on a canceled context: err %v, store saw a live context %v", err, s.recountCtxOK)
		}
	})
}

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
