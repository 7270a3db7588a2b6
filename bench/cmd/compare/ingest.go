package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	pgxvec "github.com/pgvector/pgvector-go/pgx"
	lcschema "github.com/tmc/langchaingo/schema"
	"github.com/tmc/langchaingo/textsplitter"
	lcpg "github.com/tmc/langchaingo/vectorstores/pgvector"

	"github.com/dalil-news/dalil/bench/synth"
	"github.com/dalil-news/dalil/embeddings"
	"github.com/dalil-news/dalil/ingest"
	"github.com/dalil-news/dalil/postgres"
	"github.com/dalil-news/dalil/rag"
)

// The systems an ingest child can load.
const (
	sysDalil     = "dalil"      // rag.Service.IngestMany into the indexed table
	sysDalilBulk = "dalil-bulk" // same between Store.DropVectorIndex and BuildVectorIndex (ingest --bulk)
	sysLC        = "langchaingo"
)

// ingestResult is what an ingest child prints as JSON.
type ingestResult struct {
	System   string  `json:"system"`
	Source   string  `json:"source"`
	Articles int     `json:"articles"`
	Chunks   int     `json:"chunks"`
	Seconds  float64 `json:"seconds"` // end to end: first article to the last, index built
	// IndexSeconds is the HNSW build after the load, CountSeconds the
	// recount of the BM25 statistics before it (dalil-bulk only).
	IndexSeconds   float64 `json:"index_seconds,omitempty"`
	CountSeconds   float64 `json:"count_seconds,omitempty"`
	ArticlesPerSec float64 `json:"articles_per_sec"`
	ChunksPerSec   float64 `json:"chunks_per_sec"`
	// VmHWMMB is the child's peak resident set (the Go process only, not
	// PostgreSQL's backends).
	VmHWMMB float64 `json:"vmhwm_mb"`
	Load    string  `json:"load"`
	Workers int     `json:"workers,omitempty"`
}

// lcChunkSize and lcChunkOverlap give LangChainGo's splitter the same
// budget as dalil's chunker (rag.DefaultChunkMaxChars, DefaultChunkOverlap).
const (
	lcChunkSize    = rag.DefaultChunkMaxChars
	lcChunkOverlap = rag.DefaultChunkOverlap
	lcBatch        = 256 // documents per AddDocuments call
	lcCollection   = "bench"
	lcTable        = "langchain_pg_embedding"
)

// articles returns the articles of a source: "eval" (the evaluation
// corpus) or "synth:N" (the evaluation corpus, then synthetic articles
// until dalil's chunker has made N chunks).
func articles(source, evalDir string, seed uint64) ([]rag.Article, error) {
	if source == "eval" {
		return readCorpus(evalDir + "/corpus.jsonl")
	}
	n, err := strconv.Atoi(strings.TrimPrefix(source, "synth:"))
	if err != nil || !strings.HasPrefix(source, "synth:") || n < 1 {
		return nil, fmt.Errorf("source %q is neither eval nor synth:N", source)
	}
	// The real texts first, so that the evaluation questions have their
	// answers in every archive, then synthetic articles up to n chunks.
	out, err := readCorpus(evalDir + "/corpus.jsonl")
	if err != nil {
		return nil, err
	}
	chunks := 0
	for _, a := range out {
		chunks += len(rag.ChunkArticle(a, rag.ChunkConfig{}))
	}
	g := synth.New(synth.Config{Seed: seed})
	for chunks < n {
		a := g.Article()
		chunks += len(rag.ChunkArticle(a, rag.ChunkConfig{}))
		out = append(out, a)
	}
	return out, nil
}

// readCorpus reads a JSONL file of articles.
func readCorpus(path string) ([]rag.Article, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read corpus: %w", err)
	}
	defer f.Close()
	var out []rag.Article
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for n := 1; sc.Scan(); n++ {
		var a rag.Article
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		out = append(out, a)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return out, nil
}

// runIngestChild loads a source into one system and prints ingestResult.
func runIngestChild(ctx context.Context, system, dbURL, source, evalDir string, seed uint64, workers int, mwm string) error {
	arts, err := articles(source, evalDir, seed)
	if err != nil {
		return err
	}
	emb := embeddings.NewOffline(embeddings.OfflineConfig{Dimensions: dims})
	var res ingestResult
	switch system {
	case sysDalil, sysDalilBulk:
		if workers == 0 { // what the CLI does: two workers a core
			workers = 2 * runtime.GOMAXPROCS(0)
		}
		res, err = ingestDalil(ctx, dbURL, arts, emb, system == sysDalilBulk, workers, mwm)
	case sysLC:
		res, err = ingestLC(ctx, dbURL, arts, emb)
	default:
		err = fmt.Errorf("unknown system %q", system)
	}
	if err != nil {
		return fmt.Errorf("%s ingest of %s: %w", system, source, err)
	}
	res.System, res.Source, res.Articles = system, source, len(arts)
	if system != sysLC {
		res.Workers = workers
	}
	res.ArticlesPerSec = float64(res.Articles) / res.Seconds
	res.ChunksPerSec = float64(res.Chunks) / res.Seconds
	res.VmHWMMB = vmHWM()
	res.Load = loadAvg()
	return json.NewEncoder(os.Stdout).Encode(res)
}

// openDalil opens, migrates and binds dalil's store.
func openDalil(ctx context.Context, dbURL string, cfg postgres.Config, emb rag.Embedder) (*postgres.Store, error) {
	st, err := postgres.Open(ctx, dbURL, cfg)
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	if err := st.EnsureEmbedder(ctx, emb.Name(), emb.Dimensions()); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// ingestAll ingests arts with the pipeline of `dalil ingest --workers`,
// stopping at the first failure, and returns the number of chunks stored.
func ingestAll(ctx context.Context, svc *rag.Service, arts []rag.Article, workers int) (int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var firstErr error
	sum := ingest.NewPipeline(svc, nil, ingest.PipelineConfig{Workers: max(workers, 1)}).Articles(ctx, arts, func(o ingest.Outcome) {
		if o.Err != nil && firstErr == nil {
			firstErr = o.Err
			cancel()
		}
	})
	return sum.Chunks, firstErr
}

func ingestDalil(ctx context.Context, dbURL string, arts []rag.Article, emb *embeddings.Offline, bulk bool, workers int, mwm string) (ingestResult, error) {
	var res ingestResult
	st, err := openDalil(ctx, dbURL, postgres.Config{MaxConns: int32(max(4, workers)), MaintenanceWorkMem: mwm}, emb)
	if err != nil {
		return res, err
	}
	defer st.Close()
	raw, err := openPool(ctx, dbURL, 2)
	if err != nil {
		return res, err
	}
	defer raw.Close()
	svc := rag.NewService(st, emb, nil, rag.Config{})
	start := time.Now()
	if bulk { // what `dalil ingest --bulk` does: load, count, build
		if err := ingest.StartBulk(ctx, st); err != nil {
			return res, err
		}
	}
	chunks, err := ingestAll(ctx, svc, arts, workers)
	if err != nil {
		return res, err
	}
	res.Chunks = chunks
	if bulk {
		var t time.Time // when the running step started
		err := ingest.FinishBulk(ctx, st, func(s ingest.Step, err error) {
			if err == nil && s == ingest.BuildIndex {
				res.CountSeconds = time.Since(t).Seconds()
			}
			if err == nil {
				t = time.Now()
			}
		})
		if err != nil {
			return res, err
		}
		res.IndexSeconds = time.Since(t).Seconds()
	}
	res.Seconds = time.Since(start).Seconds()
	if _, err := raw.Exec(ctx, "VACUUM ANALYZE chunks"); err != nil {
		return res, fmt.Errorf("vacuum: %w", err)
	}
	return res, nil
}

// lcEmbedder wraps dalil's Offline embedder as a LangChainGo embedder.
type lcEmbedder struct{ e *embeddings.Offline }

func (w lcEmbedder) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	return w.e.Embed(ctx, texts)
}

func (w lcEmbedder) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	v, err := w.e.Embed(ctx, []string{text})
	if err != nil {
		return nil, err
	}
	return v[0], nil
}

// openLC opens LangChainGo's store on a pool with pgvector's binary codecs
// registered (its best configuration: WithConnectionURL leaves them
// unregistered and sends vectors as text).
func openLC(ctx context.Context, dbURL string, emb *embeddings.Offline, maxConns int32) (lcpg.Store, *pgxpool.Pool, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return lcpg.Store{}, nil, err
	}
	_, err = conn.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS vector")
	conn.Close(ctx)
	if err != nil {
		return lcpg.Store{}, nil, err
	}
	pool, err := openPool(ctx, dbURL, maxConns)
	if err != nil {
		return lcpg.Store{}, nil, err
	}
	st, err := lcpg.New(ctx,
		lcpg.WithConn(pool),
		lcpg.WithEmbedder(lcEmbedder{emb}),
		lcpg.WithVectorDimensions(dims),
		lcpg.WithHNSWIndex(16, 64, "vector_cosine_ops"),
		lcpg.WithCollectionName(lcCollection),
	)
	if err != nil {
		pool.Close()
		return lcpg.Store{}, nil, fmt.Errorf("open langchaingo store: %w", err)
	}
	return st, pool, nil
}

func ingestLC(ctx context.Context, dbURL string, arts []rag.Article, emb *embeddings.Offline) (ingestResult, error) {
	var res ingestResult
	st, pool, err := openLC(ctx, dbURL, emb, 2)
	if err != nil {
		return res, err
	}
	defer pool.Close()
	split := textsplitter.NewRecursiveCharacter(textsplitter.WithChunkSize(lcChunkSize), textsplitter.WithChunkOverlap(lcChunkOverlap))
	start := time.Now()
	var batch []lcschema.Document
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := st.AddDocuments(ctx, batch); err != nil {
			return fmt.Errorf("add %d documents: %w", len(batch), err)
		}
		res.Chunks += len(batch)
		batch = batch[:0]
		return nil
	}
	for _, a := range arts {
		texts, err := split.SplitText(a.Text)
		if err != nil {
			return res, fmt.Errorf("split %s: %w", a.URL, err)
		}
		for _, t := range texts {
			batch = append(batch, lcschema.Document{PageContent: t, Metadata: map[string]any{"url": a.URL, "title": a.Title}})
		}
		if len(batch) >= lcBatch {
			if err := flush(); err != nil {
				return res, err
			}
		}
	}
	if err := flush(); err != nil {
		return res, err
	}
	res.Seconds = time.Since(start).Seconds()
	if _, err := pool.Exec(ctx, "VACUUM ANALYZE "+lcTable); err != nil {
		return res, fmt.Errorf("vacuum: %w", err)
	}
	return res, nil
}

// openPool opens a pgx pool with pgvector's codecs on every connection.
func openPool(ctx context.Context, dbURL string, maxConns int32) (*pgxpool.Pool, error) {
	return openPoolEf(ctx, dbURL, maxConns, 0)
}

// openPoolEf is openPool with hnsw.ef_search set on every connection (0:
// pgvector's default, 40).
func openPoolEf(ctx context.Context, dbURL string, maxConns int32, ef int) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", err)
	}
	cfg.MaxConns = maxConns
	if ef > 0 {
		cfg.ConnConfig.RuntimeParams["hnsw.ef_search"] = strconv.Itoa(ef)
	}
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error { return pgxvec.RegisterTypes(ctx, c) }
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	return pool, nil
}

// vmHWM is the process's peak resident set in MB, from /proc/self/status.
func vmHWM() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// loadAvg is the 1, 5 and 15 minute load averages.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
