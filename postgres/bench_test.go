package postgres

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dalil-news/dalil/rag"
)

// Benchmark corpus shape. DALIL_BENCH_CHUNKS sets the number of chunks
// (default 10000; the README figures use 100000).
const (
	benchDim           = 384
	benchClusters      = 200
	benchChunksPerDoc  = 10
	benchVocabulary    = 20000
	benchWordsPerChunk = 60
	benchQueries       = 500
)

// benchCorpus generates clustered vectors (like real embeddings, unlike
// uniform random ones) and Zipf-distributed words, so that some query words
// are common; questions use middling words, except in the common-words
// case, the full-text leg's worst case, where every chunk matches.
type benchCorpus struct {
	rng     *rand.Rand
	centers [][]float32
	zipf    *rand.Zipf
	start   time.Time
}

func newBenchCorpus(seed uint64) *benchCorpus {
	rng := rand.New(rand.NewPCG(seed, seed))
	c := &benchCorpus{rng: rng, start: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)}
	c.zipf = rand.NewZipf(rand.New(rand.NewPCG(seed, seed+1)), 1.1, 2, benchVocabulary-1)
	for range benchClusters {
		v := make([]float32, benchDim)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		c.centers = append(c.centers, v)
	}
	return c
}

// vector returns a point near a random cluster center.
func (c *benchCorpus) vector() []float32 {
	center := c.centers[c.rng.IntN(len(c.centers))]
	v := make([]float32, benchDim)
	for i := range v {
		v[i] = center[i] + 0.5*float32(c.rng.NormFloat64())
	}
	return v
}

// word returns the pseudo-word of rank n, made of French-looking syllables
// with accents.
func benchWord(n int) string {
	syl := []string{"ba", "ré", "lo", "ne", "ta", "mu", "ké", "di", "ro", "sé", "pa", "fi", "gè", "vo", "lu", "cha"}
	var b strings.Builder
	for n++; n > 0; n /= len(syl) {
		b.WriteString(syl[n%len(syl)])
	}
	return b.String()
}

// words returns n Zipf-distributed words.
func (c *benchCorpus) words(n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = benchWord(int(c.zipf.Uint64()))
	}
	return strings.Join(w, " ")
}

// question returns n words of middling frequency, like the content words
// of a question once its stop words are dropped.
func (c *benchCorpus) question(n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = benchWord(20 + c.rng.IntN(2000))
	}
	return strings.Join(w, " ")
}

// article returns the i-th article with its chunks.
func (c *benchCorpus) article(i int, prefix string) (rag.Article, []rag.Chunk) {
	var paras []string
	for range benchChunksPerDoc {
		paras = append(paras, c.words(benchWordsPerChunk)+".")
	}
	a := rag.Article{
		URL:       fmt.Sprintf("https://bench.example/%s/%d", prefix, i),
		Title:     c.words(6),
		Publisher: "Bench",
		Published: c.start.Add(time.Duration(c.rng.IntN(730*24)) * time.Hour),
		Lang:      "fr",
		Text:      strings.Join(paras, "\n\n"),
	}
	a.ContentHash = strconv.Itoa(i)
	var chunks []rag.Chunk
	off := 0
	for j, p := range paras {
		chunks = append(chunks, rag.Chunk{Index: j, Text: p, Start: off, End: off + len(p), Embedding: c.vector()})
		off += len(p) + 2
	}
	return a, chunks
}

// benchChunks reads the corpus size from DALIL_BENCH_CHUNKS.
func benchChunks(b *testing.B) int {
	n := 10000
	if s := os.Getenv("DALIL_BENCH_CHUNKS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < benchChunksPerDoc {
			b.Fatalf("DALIL_BENCH_CHUNKS=%q: want a number of chunks >= %d", s, benchChunksPerDoc)
		}
		n = v
	}
	return n
}

// MustLoadBench opens a store holding the benchmark corpus: loaded before
// the HNSW index exists, then indexed, as a bulk import should be.
func MustLoadBench(b *testing.B) (*Store, *benchCorpus) {
	b.Helper()
	ctx := context.Background()
	s := MustOpen(b, Config{})
	c := newBenchCorpus(1)
	n := benchChunks(b)
	start := time.Now()
	for i := range n / benchChunksPerDoc {
		a, chunks := c.article(i, "load")
		if _, err := s.SaveArticle(ctx, &a, chunks); err != nil {
			b.Fatal(err)
		}
	}
	loaded := time.Since(start)
	if err := s.EnsureEmbedder(ctx, "bench", benchDim); err != nil {
		b.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, "VACUUM ANALYZE"); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d chunks in %v (%.0f chunks/s), indexed in %v", n, loaded.Round(time.Millisecond),
		float64(n)/loaded.Seconds(), (time.Since(start) - loaded).Round(time.Millisecond))
	return s, c
}

// reportLatencies reports the median and 99th percentile of ds.
func reportLatencies(b *testing.B, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	at := func(q float64) float64 {
		i := int(math.Ceil(q*float64(len(ds)))) - 1
		return float64(ds[max(i, 0)].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	s, c := MustLoadBench(b)
	var queries []rag.SearchQuery
	for range benchQueries {
		queries = append(queries, rag.SearchQuery{
			Text: c.question(2 + c.rng.IntN(5)), Vector: c.vector(), K: 8, Candidates: 40, PerArticle: 3,
		})
	}
	since := c.start.AddDate(1, 6, 0)
	cases := []struct {
		name string
		q    func(rag.SearchQuery) rag.SearchQuery
	}{
		{"hybrid", func(q rag.SearchQuery) rag.SearchQuery { return q }},
		{"vector", func(q rag.SearchQuery) rag.SearchQuery { q.Text = ""; return q }},
		{"text", func(q rag.SearchQuery) rag.SearchQuery { q.Vector = nil; return q }},
		{"common-words", func(q rag.SearchQuery) rag.SearchQuery {
			q.Text = benchWord(0) + " " + benchWord(1) + " " + benchWord(2)
			return q
		}},
		{"dated", func(q rag.SearchQuery) rag.SearchQuery { q.Since = since; return q }},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			var ds []time.Duration
			empty := 0
			i := 0
			for b.Loop() {
				q := tc.q(queries[i%len(queries)])
				i++
				t0 := time.Now()
				ps, err := s.Search(ctx, q)
				ds = append(ds, time.Since(t0))
				if err != nil {
					b.Fatal(err)
				}
				if len(ps) < q.K {
					empty++
				}
			}
			reportLatencies(b, ds)
			b.ReportMetric(float64(empty)/float64(len(ds)), "short-frac")
		})
	}
}

func BenchmarkSaveArticle(b *testing.B) {
	ctx := context.Background()
	s, c := MustLoadBench(b)
	var ds []time.Duration
	i := 0
	for b.Loop() {
		a, chunks := c.article(i, "trickle")
		i++
		t0 := time.Now()
		if _, err := s.SaveArticle(ctx, &a, chunks); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(t0))
	}
	reportLatencies(b, ds)
	var total time.Duration
	for _, d := range ds {
		total += d
	}
	b.ReportMetric(float64(len(ds)*benchChunksPerDoc)/total.Seconds(), "chunks/s")
}
