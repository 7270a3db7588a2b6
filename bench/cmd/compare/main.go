// Command compare benchmarks dalil against LangChainGo's pgvector store on
// one PostgreSQL server in one run: ingest throughput and peak memory (each
// system loads in a child process of its own), search latency, HNSW recall
// against exact search, retrieval quality on the evaluation questions, and
// a load test of concurrent asks. It writes results.json, report.md and
// scale.png into -out.
//
//	go run ./cmd/compare -scales 10000,100000
package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"image/color"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dalil-news/dalil/embeddings"
	"github.com/dalil-news/dalil/eval"
	"github.com/dalil-news/dalil/postgres"
	"github.com/dalil-news/dalil/rag"
)

// dims is the Offline embedder's dimension in every run.
const dims = 384

// options are the command's flags.
type options struct {
	adminURL      string
	scales        []int
	lcMax         int
	bulk          bool
	queries       int
	recallQueries int
	efs           []int
	loadFor       time.Duration
	concurrency   int
	llmDelay      time.Duration
	evalDir       string
	out           string
	seed          uint64
	skipEval      bool
	skipLoad      bool
	plotWith      string
	workers       int
	systems       []string
	skipSearch    bool
	lcURL         string
	mwm           string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	var o options
	admin := os.Getenv("DALIL_TEST_DATABASE_URL")
	if admin == "" {
		admin = "postgres://dalil@127.0.0.1:54329/postgres?sslmode=disable"
	}
	fs.StringVar(&o.adminURL, "admin-url", admin, "server URL with the right to create databases (default $DALIL_TEST_DATABASE_URL)")
	scales := fs.String("scales", "10000,100000", "archive sizes in chunks (dalil's chunker), comma-separated")
	fs.IntVar(&o.lcMax, "lc-max", 100000, "largest scale at which LangChainGo and dalil's incremental ingest run (above it: dalil bulk only)")
	fs.BoolVar(&o.bulk, "bulk", true, "also measure dalil with the HNSW index built after the load")
	fs.IntVar(&o.queries, "queries", 300, "questions per latency measurement")
	fs.IntVar(&o.recallQueries, "recall-queries", 100, "questions for HNSW recall against exact search")
	efs := fs.String("ef-search", "40,100,200,400", "hnsw.ef_search values for the recall curve")
	fs.DurationVar(&o.loadFor, "load-duration", 20*time.Second, "duration of each load test")
	fs.IntVar(&o.concurrency, "concurrency", 50, "concurrent asks in the load test")
	fs.DurationVar(&o.llmDelay, "llm-delay", 500*time.Millisecond, "the fake LLM's answer delay in the load test")
	fs.StringVar(&o.evalDir, "eval-dir", "../testdata/eval", "directory of corpus.jsonl and questions-dev.jsonl")
	fs.StringVar(&o.out, "out", "results", "output directory")
	seed := fs.Uint64("seed", 1, "synthetic archive seed")
	fs.BoolVar(&o.skipEval, "skip-eval", false, "skip the retrieval quality comparison")
	fs.BoolVar(&o.skipLoad, "skip-load", false, "skip the load tests")
	fs.IntVar(&o.workers, "dalil-workers", 0, "concurrent rag.Service.IngestMany calls in dalil's ingest (0: two a core, as dalil ingest)")
	systems := fs.String("systems", "", "comma-separated systems to ingest at each scale (default: dalil,langchaingo,dalil-bulk up to -lc-max, dalil-bulk above)")
	fs.StringVar(&o.mwm, "maintenance-work-mem", "2GB", "maintenance_work_mem for dalil-bulk's index build")
	fs.BoolVar(&o.skipSearch, "skip-search", false, "measure ingest only")
	fs.StringVar(&o.plotWith, "plot-with", "", "an earlier results.json whose scales join this run's plot and report")
	rerender := fs.String("rerender", "", "rewrite report.md and scale.png in -out from this results.json (with -plot-with), measuring nothing")
	recallOnly := fs.String("recall-only", "", "measure only HNSW recall against exact search on this dalil database URL, print JSON")
	searchOnly := fs.String("search-only", "", "measure only dalil's search latency, and its retrieval quality on the evaluation questions, on this dalil database URL; print JSON")
	fs.StringVar(&o.lcURL, "lc-url", "", "with -search-only: also measure LangChainGo's retrieval quality in this database of its store")
	child := fs.String("child", "", "internal: run one ingest (\"ingest\") and print JSON")
	system := fs.String("system", "", "internal: system to ingest into")
	db := fs.String("db", "", "internal: database URL")
	source := fs.String("source", "", "internal: eval or synth:N")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o.seed = *seed
	if *child == "ingest" {
		return runIngestChild(ctx, *system, *db, *source, o.evalDir, o.seed, o.workers, o.mwm)
	}
	var err error
	if o.scales, err = ints(*scales); err != nil {
		return fmt.Errorf("-scales: %w", err)
	}
	if *systems != "" {
		o.systems = strings.Split(*systems, ",")
	}
	if o.efs, err = ints(*efs); err != nil {
		return fmt.Errorf("-ef-search: %w", err)
	}
	if *recallOnly != "" {
		return printRecall(ctx, o, *recallOnly, false)
	}
	if *searchOnly != "" {
		return printRecall(ctx, o, *searchOnly, true)
	}
	if *rerender != "" {
		return rerenderOutputs(*rerender, o)
	}
	return compare(ctx, o)
}

// rerenderOutputs rewrites the outputs of an earlier run.
func rerenderOutputs(path string, o options) error {
	var res results
	if err := readResults(path, &res); err != nil {
		return err
	}
	if o.plotWith != "" {
		var prev results
		if err := readResults(o.plotWith, &prev); err != nil {
			return err
		}
		res.Previous = prev.Scales
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return err
	}
	return writeOutputs(o.out, &res)
}

// readResults reads a results.json.
func readResults(path string, res *results) error {
	b, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(b, res)
	}
	if err != nil {
		return fmt.Errorf("read results %s: %w", path, err)
	}
	return nil
}

// questions reads the evaluation questions and returns them with the
// embedded mix of evaluation and synthetic questions the latency and
// recall measurements ask, and the embedder.
func questions(ctx context.Context, o options) ([]eval.Question, []query, *embeddings.Offline, error) {
	evalQs, err := eval.ReadQuestions(filepath.Join(o.evalDir, "questions-dev.jsonl"))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("read questions: %w", err)
	}
	emb := embeddings.NewOffline(embeddings.OfflineConfig{Dimensions: dims})
	qs, err := queryMix(ctx, evalQs, o.seed, o.queries, emb)
	if err != nil {
		return nil, nil, nil, err
	}
	return evalQs, qs, emb, nil
}

// printRecall measures HNSW recall (or, with latency set, search latency)
// on an existing dalil database, for trying index parameters and SQL, and
// prints it as JSON.
func printRecall(ctx context.Context, o options, dbURL string, latency bool) error {
	evalQs, qs, emb, err := questions(ctx, o)
	if err != nil {
		return err
	}
	var r any
	if latency {
		var out struct {
			Latency searchLatencies `json:"latency"`
			Quality evalResult      `json:"quality"`
		}
		if out.Latency, err = measureSearch(ctx, dbURL, "", qs, emb); err != nil {
			return err
		}
		out.Quality, err = evaluate(ctx, dbURL, o.lcURL, evalQs, emb)
		r = out
	} else {
		r, err = measureRecall(ctx, dbURL, spread(qs, o.recallQueries), o.efs)
	}
	if err != nil {
		return err
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// spread returns n queries taken evenly from qs, so that both origins
// are represented.
func spread(qs []query, n int) []query {
	if n >= len(qs) {
		return qs
	}
	out := make([]query, 0, n)
	for i := range n {
		out = append(out, qs[i*len(qs)/n])
	}
	return out
}

// ints parses a comma-separated list of positive integers.
func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive integer", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// results is everything one run measured.
type results struct {
	Started  time.Time      `json:"started"`
	Args     string         `json:"args"`
	Machine  machine        `json:"machine"`
	Scales   []scaleResult  `json:"scales"`
	Eval     *evalSection   `json:"eval,omitempty"`
	Load     []loadResult   `json:"load,omitempty"`
	Previous []scaleResult  `json:"-"`
	Elapsed  float64        `json:"elapsed_seconds"`
	Notes    map[string]any `json:"notes,omitempty"`
}

// scaleResult is one archive size.
type scaleResult struct {
	Target   int                `json:"target_chunks"`
	Ingest   []ingestResult     `json:"ingest"`
	DBSizeMB map[string]float64 `json:"db_size_mb"`
	Search   searchLatencies    `json:"search"`
	Recall   recallResult       `json:"recall"`
}

// evalSection is the retrieval quality comparison.
type evalSection struct {
	Ingest []ingestResult `json:"ingest"`
	evalResult
}

// machine describes where the run happened.
type machine struct {
	CPU      string            `json:"cpu"`
	Cores    int               `json:"cores"`
	MemGB    float64           `json:"mem_gb"`
	Go       string            `json:"go"`
	Postgres string            `json:"postgres"`
	Pgvector string            `json:"pgvector"`
	Settings map[string]string `json:"settings"`
}

func compare(ctx context.Context, o options) error {
	start := time.Now()
	res := results{Started: start.UTC(), Args: strings.Join(os.Args[1:], " ")}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return err
	}
	admin, err := pgx.Connect(ctx, o.adminURL)
	if err != nil {
		return fmt.Errorf("connect to the admin URL: %w", err)
	}
	defer admin.Close(ctx)
	if res.Machine, err = describeMachine(ctx, admin); err != nil {
		return err
	}
	evalQs, qs, emb, err := questions(ctx, o)
	if err != nil {
		return err
	}
	if o.plotWith != "" {
		var prev results
		if err := readResults(o.plotWith, &prev); err != nil {
			return fmt.Errorf("-plot-with: %w", err)
		}
		res.Previous = prev.Scales
	}
	// The store's SQL changes often: record which version was measured.
	res.Notes = map[string]any{}
	for _, pattern := range []string{"postgres/search.go", "postgres/articles.go", "postgres/migrations/*.sql"} {
		files, _ := filepath.Glob(filepath.Join(o.evalDir, "../..", pattern))
		for _, f := range files {
			if b, err := os.ReadFile(f); err == nil {
				rel, _ := filepath.Rel(filepath.Join(o.evalDir, "../.."), f)
				res.Notes[rel+" sha256"] = fmt.Sprintf("%x", sha256.Sum256(b))[:16]
			}
		}
	}
	save := func() error {
		res.Elapsed = time.Since(start).Seconds()
		return writeOutputs(o.out, &res)
	}
	largestLC := 0
	for _, s := range o.scales {
		if s <= o.lcMax {
			largestLC = max(largestLC, s)
		}
	}
	for _, scale := range o.scales {
		sr := scaleResult{Target: scale, DBSizeMB: map[string]float64{}}
		systems := []string{sysDalilBulk}
		if scale <= o.lcMax {
			systems = []string{sysDalil, sysLC}
			if o.bulk {
				systems = append(systems, sysDalilBulk)
			}
		}
		if o.systems != nil {
			systems = o.systems
		}
		urls := map[string]string{}
		for _, sys := range systems {
			name := "bench_" + strings.ReplaceAll(sys, "-", "_")
			if urls[sys], err = recreate(ctx, admin, o.adminURL, name); err != nil {
				return err
			}
			quiesce(ctx, admin)
			logf("scale %d: ingesting into %s", scale, sys)
			ir, err := ingestChild(ctx, o, sys, urls[sys], fmt.Sprintf("synth:%d", scale))
			if err != nil {
				return err
			}
			logf("  %d articles, %d chunks in %.1fs (%.0f chunks/s), peak RSS %.0f MB, load %s", ir.Articles, ir.Chunks, ir.Seconds, ir.ChunksPerSec, ir.VmHWMMB, ir.Load)
			sr.Ingest = append(sr.Ingest, ir)
			var mb float64
			if err := admin.QueryRow(ctx, "SELECT pg_database_size($1) / 1048576.0", name).Scan(&mb); err != nil {
				return fmt.Errorf("size of %s: %w", name, err)
			}
			sr.DBSizeMB[sys] = mb
		}
		dalilURL := urls[sysDalil]
		if dalilURL == "" {
			dalilURL = urls[sysDalilBulk]
		}
		if o.skipSearch || dalilURL == "" {
			res.Scales = append(res.Scales, sr)
			continue
		}
		quiesce(ctx, admin)
		logf("scale %d: search latency", scale)
		if sr.Search, err = measureSearch(ctx, dalilURL, urls[sysLC], qs, emb); err != nil {
			return fmt.Errorf("scale %d: search: %w", scale, err)
		}
		logf("scale %d: HNSW recall against exact search", scale)
		if sr.Recall, err = measureRecall(ctx, dalilURL, spread(qs, o.recallQueries), o.efs); err != nil {
			return fmt.Errorf("scale %d: recall: %w", scale, err)
		}
		res.Scales = append(res.Scales, sr)
		if scale == largestLC && !o.skipLoad {
			for _, lt := range []struct {
				mode     string
				maxConns int32
			}{{rag.ModeExtractive, 0}, {rag.ModeExtractive, 16}, {rag.ModeLLM, 0}, {rag.ModeLLM, 16}} {
				logf("scale %d: load test, %s, max conns %d", scale, lt.mode, lt.maxConns)
				lr, err := loadTest(ctx, dalilURL, lt.mode, lt.maxConns, o.concurrency, o.loadFor, o.llmDelay, qs, emb)
				if err != nil {
					return fmt.Errorf("load test: %w", err)
				}
				res.Load = append(res.Load, lr)
			}
		}
		if err := save(); err != nil {
			return err
		}
	}
	if !o.skipEval {
		ev := &evalSection{}
		urls := map[string]string{}
		for _, sys := range []string{sysDalil, sysLC} {
			if urls[sys], err = recreate(ctx, admin, o.adminURL, "bench_eval_"+sys); err != nil {
				return err
			}
			logf("eval: ingesting the evaluation corpus into %s", sys)
			quiesce(ctx, admin)
			ir, err := ingestChild(ctx, o, sys, urls[sys], "eval")
			if err != nil {
				return err
			}
			ev.Ingest = append(ev.Ingest, ir)
		}
		logf("eval: asking %d questions of both", len(evalQs))
		if ev.evalResult, err = evaluate(ctx, urls[sysDalil], urls[sysLC], evalQs, emb); err != nil {
			return fmt.Errorf("eval: %w", err)
		}
		res.Eval = ev
	}
	if err := save(); err != nil {
		return err
	}
	logf("done in %s: %s", time.Since(start).Round(time.Second), filepath.Join(o.out, "report.md"))
	return nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, time.Now().Format("15:04:05 ")+format+" [load %s]\n", append(args, loadAvg())...)
}

// recreate drops and creates database name, returning its URL.
func recreate(ctx context.Context, admin *pgx.Conn, adminURL, name string) (string, error) {
	ident := pgx.Identifier{name}.Sanitize()
	for _, sql := range []string{"DROP DATABASE IF EXISTS " + ident + " WITH (FORCE)", "CREATE DATABASE " + ident} {
		if _, err := admin.Exec(ctx, sql); err != nil {
			return "", fmt.Errorf("%s: %w", sql, err)
		}
	}
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", fmt.Errorf("parse the admin URL: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// quiesce lets the server settle before an ingest or a latency
// measurement, so that nothing pays for the ingest measured before it: it writes a checkpoint (the previous
// load's dirty pages and WAL) and waits, up to two minutes, for
// autovacuum workers (analyzing the previous load's tables) to finish.
// Either failing is logged, not fatal: a role without the right to
// CHECKPOINT can still run the benchmark.
func quiesce(ctx context.Context, admin *pgx.Conn) {
	if _, err := admin.Exec(ctx, "CHECKPOINT"); err != nil {
		logf("warning: CHECKPOINT before the ingest: %v", err)
	}
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(time.Second) {
		var n int
		err := admin.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'").Scan(&n)
		if err != nil {
			logf("warning: count autovacuum workers: %v", err)
			return
		}
		if n == 0 {
			return
		}
	}
	logf("warning: autovacuum still running after two minutes; ingesting anyway")
}

// ingestChild runs one ingest in a child process, for a clean peak-memory
// figure, and reads its result.
func ingestChild(ctx context.Context, o options, system, dbURL, source string) (ingestResult, error) {
	exe, err := os.Executable()
	if err != nil {
		return ingestResult{}, err
	}
	cmd := exec.CommandContext(ctx, exe, "-child", "ingest", "-system", system, "-db", dbURL, "-source", source,
		"-seed", strconv.FormatUint(o.seed, 10), "-eval-dir", o.evalDir, "-dalil-workers", strconv.Itoa(o.workers), "-maintenance-work-mem", o.mwm)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return ingestResult{}, fmt.Errorf("ingest %s into %s: %w", source, system, err)
	}
	var r ingestResult
	if err := json.Unmarshal(out, &r); err != nil {
		return ingestResult{}, fmt.Errorf("ingest %s into %s: read result %q: %w", source, system, out, err)
	}
	return r, nil
}

// describeMachine reads the CPU, memory and server versions.
func describeMachine(ctx context.Context, admin *pgx.Conn) (machine, error) {
	m := machine{Cores: runtime.NumCPU(), Go: runtime.Version(), Settings: map[string]string{}}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				m.CPU = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb float64
		fmt.Sscanf(strings.TrimPrefix(strings.Split(string(b), "\n")[0], "MemTotal:"), "%f", &kb)
		m.MemGB = kb / (1 << 20)
	}
	if err := admin.QueryRow(ctx, "SELECT version(), coalesce((SELECT default_version FROM pg_available_extensions WHERE name = 'vector'), '')").Scan(&m.Postgres, &m.Pgvector); err != nil {
		return m, fmt.Errorf("read server version: %w", err)
	}
	for _, s := range []string{"shared_buffers", "work_mem", "maintenance_work_mem", "max_parallel_maintenance_workers", "synchronous_commit", "fsync"} {
		var v string
		if err := admin.QueryRow(ctx, "SELECT current_setting($1)", s).Scan(&v); err != nil {
			return m, fmt.Errorf("read %s: %w", s, err)
		}
		m.Settings[s] = v
	}
	return m, nil
}

// writeOutputs writes results.json, report.md and scale.png.
func writeOutputs(dir string, res *results) error {
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "results.json"), b, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "report.md"), []byte(report(res)), 0o644); err != nil {
		return err
	}
	return writePNG(filepath.Join(dir, "scale.png"), plots(res))
}

// allScales is the earlier run's scales and this run's, by size.
func allScales(res *results) []scaleResult {
	out := append(slices.Clone(res.Previous), res.Scales...)
	slices.SortStableFunc(out, func(a, b scaleResult) int { return a.Target - b.Target })
	return out
}

// plots builds the search latency and ingest rate charts.
func plots(res *results) []chart {
	lat := chart{Title: "Search latency p50 vs archive size", XLabel: "chunks", YLabel: "ms"}
	ing := chart{Title: "Ingest rate vs archive size", XLabel: "chunks", YLabel: "chunks/s"}
	add := func(c *chart, name string, col color.RGBA, x, y float64) {
		for i := range c.Series {
			if c.Series[i].Name == name {
				c.Series[i].X = append(c.Series[i].X, x)
				c.Series[i].Y = append(c.Series[i].Y, y)
				return
			}
		}
		c.Series = append(c.Series, series{Name: name, Color: col, X: []float64{x}, Y: []float64{y}})
	}
	for _, s := range allScales(res) {
		x := float64(s.Search.Chunks)
		add(&lat, "bare HNSW top-10", colBare, x, s.Search.Bare.P50)
		if s.Search.BareDalilEf.P50 > 0 { // not measured in earlier runs
			add(&lat, fmt.Sprintf("bare HNSW, ef_search %d", postgres.DefaultEfSearch), colBareEf, x, s.Search.BareDalilEf.P50)
		}
		add(&lat, "dalil Search", colDalil, x, s.Search.Search.P50)
		add(&lat, "dalil Ask (extractive)", colAsk, x, s.Search.Ask.P50)
		if s.Search.LC != nil {
			add(&lat, "LangChainGo", colLC, x, s.Search.LC.P50)
		}
		for _, ir := range s.Ingest {
			name, col := ir.System, colDalil
			switch ir.System {
			case sysLC:
				name, col = "LangChainGo", colLC
			case sysDalilBulk:
				name, col = "dalil, index after load", colBulk
			}
			add(&ing, name, col, float64(ir.Chunks), ir.ChunksPerSec)
		}
	}
	return []chart{lat, ing}
}
