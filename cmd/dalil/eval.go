package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dalil-news/dalil/rag"
)

const evalSynopsis = `--questions FILE [--ingest PATH ...] [--k N] [--mode M] [--json]

Measures retrieval and answers on a JSONL file of questions:
{"id","kind","lang","question","expected_urls":[...],"answers":[...]}.
An expected URL "seed:WORD" matches an article whose title contains WORD.
A question with no expected_urls is unanswerable: "not found" is right.
--ingest ingests a JSONL archive (*.jsonl) or files first.`

// evalQuestion is one line of the questions file.
type evalQuestion struct {
	ID           string   `json:"id"`
	Kind         string   `json:"kind"`
	Lang         string   `json:"lang"`
	Question     string   `json:"question"`
	ExpectedURLs []string `json:"expected_urls"`
	Answers      []string `json:"answers"`
}

// evalKind aggregates the figures of one kind of question.
type evalKind struct {
	Kind          string  `json:"kind"`
	Questions     int     `json:"questions"`
	RecallAt1     float64 `json:"recall_at_1"`
	RecallAt5     float64 `json:"recall_at_5"`
	MRRAt10       float64 `json:"mrr_at_10"`
	Contains      float64 `json:"answer_contains_gold"`
	NotFound      float64 `json:"not_found_rate"`
	CitationValid float64 `json:"citation_validity"`
	TokensPerAns  float64 `json:"tokens_per_answer"`
	LatencyP50ms  float64 `json:"latency_p50_ms"`
	LatencyP95ms  float64 `json:"latency_p95_ms"`

	answerable, withGold, citations, validCites int
	latencies                                   []time.Duration
}

func cmdEval(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "eval", evalSynopsis)
	questions := fs.String("questions", "", "questions JSONL file (required)")
	var toIngest []string
	fs.Func("ingest", "a JSONL archive or files to ingest first (repeatable)", func(s string) error {
		toIngest = append(toIngest, s)
		return nil
	})
	k := fs.Int("k", 10, "passages retrieved per question")
	mode := fs.String("mode", "", "answer mode: llm or extractive (default as for ask)")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if *questions == "" {
		fs.Usage()
		return errors.New("eval: --questions is required")
	}
	qs, err := readQuestions(*questions)
	if err != nil {
		return err
	}
	if len(toIngest) > 0 {
		var jsonl, paths []string
		for _, p := range toIngest {
			if strings.HasSuffix(p, ".jsonl") {
				jsonl = append(jsonl, "--jsonl", p)
			} else {
				paths = append(paths, p)
			}
		}
		quiet := *e
		quiet.stdout = e.stderr
		if err := cmdIngest(ctx, &quiet, append(append([]string{"--quiet"}, jsonl...), paths...)); err != nil {
			return fmt.Errorf("eval: ingest: %w", err)
		}
	}
	svc, err := openServices(ctx, e)
	if err != nil {
		return err
	}
	defer svc.Close()

	kinds := map[string]*evalKind{}
	articleText := map[int64]string{}
	prog := newProgress(e.stderr, "asked", "questions")
	for i, q := range qs {
		if err := ctx.Err(); err != nil {
			return err
		}
		kk := kinds[q.Kind]
		if kk == nil {
			kk = &evalKind{Kind: q.Kind}
			kinds[q.Kind] = kk
		}
		kk.Questions++
		lang := q.Lang // "": rag guesses it
		if len(q.ExpectedURLs) > 0 {
			kk.answerable++
			ps, err := svc.rag.Search(ctx, q.Question, rag.SearchOptions{K: *k, Lang: lang})
			if err != nil {
				return fmt.Errorf("eval %s: %w", q.ID, err)
			}
			if r := hitRank(ps, q.ExpectedURLs); r > 0 {
				kk.RecallAt1 += b2f(r == 1)
				kk.RecallAt5 += b2f(r <= 5)
				if r <= 10 {
					kk.MRRAt10 += 1 / float64(r)
				}
			}
		}
		start := time.Now()
		ans, err := svc.rag.Ask(ctx, rag.Question{Text: q.Question, Lang: lang, Mode: *mode})
		if err != nil {
			return fmt.Errorf("eval %s: %w", q.ID, err)
		}
		kk.latencies = append(kk.latencies, time.Since(start))
		kk.NotFound += b2f(!ans.Found)
		kk.TokensPerAns += float64(ans.Usage.PromptTokens + ans.Usage.CompletionTokens)
		if len(q.Answers) > 0 {
			kk.withGold++
			kk.Contains += b2f(ans.Found && containsAny(ans.Text, q.Answers))
		}
		for _, c := range ans.Citations {
			text, ok := articleText[c.Article.ID]
			if !ok {
				a, err := svc.store.Article(ctx, c.Article.ID)
				if err != nil {
					return fmt.Errorf("eval %s: citation [%d]: %w", q.ID, c.N, err)
				}
				text = a.Text
				articleText[c.Article.ID] = text
			}
			kk.citations++
			kk.validCites += boolInt(c.Quote != "" && strings.Contains(text, c.Quote))
		}
		prog.set(i+1, len(qs))
	}
	prog.done()

	var out []*evalKind
	for _, kk := range kinds {
		kk.finish()
		out = append(out, kk)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	if *asJSON {
		return writeJSON(e.stdout, map[string]any{"kinds": out})
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kind\tn\trecall@1\trecall@5\tMRR@10\tcontains gold\tnot found\tcitations ok\ttokens/ans\tp50 ms\tp95 ms\t")
	for _, kk := range out {
		fmt.Fprintf(tw, "%s\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.0f\t%.1f\t%.1f\t\n", kk.Kind, kk.Questions,
			kk.RecallAt1, kk.RecallAt5, kk.MRRAt10, kk.Contains, kk.NotFound, kk.CitationValid, kk.TokensPerAns, kk.LatencyP50ms, kk.LatencyP95ms)
	}
	return tw.Flush()
}

// finish turns sums into shares and percentiles.
func (k *evalKind) finish() {
	div := func(v *float64, n int) {
		if n > 0 {
			*v /= float64(n)
		} else {
			*v = 0
		}
	}
	div(&k.RecallAt1, k.answerable)
	div(&k.RecallAt5, k.answerable)
	div(&k.MRRAt10, k.answerable)
	div(&k.Contains, k.withGold)
	div(&k.NotFound, k.Questions)
	div(&k.TokensPerAns, k.Questions)
	if k.citations > 0 {
		k.CitationValid = float64(k.validCites) / float64(k.citations)
	}
	sort.Slice(k.latencies, func(i, j int) bool { return k.latencies[i] < k.latencies[j] })
	k.LatencyP50ms = percentileMS(k.latencies, 0.50)
	k.LatencyP95ms = percentileMS(k.latencies, 0.95)
}

// percentileMS is the p-th percentile (nearest rank) of sorted durations, in ms.
func percentileMS(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted))+0.999999) - 1
	i = max(0, min(i, len(sorted)-1))
	return float64(sorted[i].Microseconds()) / 1000
}

// hitRank is the 1-based rank of the first article matching an expected
// URL, counting each article once; 0 when none matches.
func hitRank(ps []rag.Passage, expected []string) int {
	seen := map[int64]bool{}
	for _, p := range ps {
		if seen[p.Article.ID] {
			continue
		}
		seen[p.Article.ID] = true
		for _, u := range expected {
			if word, ok := strings.CutPrefix(u, "seed:"); ok {
				if strings.Contains(strings.ToLower(p.Article.Title), strings.ToLower(word)) {
					return len(seen)
				}
			} else if p.Article.URL == u {
				return len(seen)
			}
		}
	}
	return 0
}

// containsAny reports whether text contains one of the gold strings,
// ignoring case.
func containsAny(text string, gold []string) bool {
	t := strings.ToLower(text)
	for _, g := range gold {
		if g = strings.ToLower(strings.TrimSpace(g)); g != "" && strings.Contains(t, g) {
			return true
		}
	}
	return false
}

func b2f(b bool) float64 { return float64(boolInt(b)) }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// readQuestions reads a questions file, naming the first bad line.
func readQuestions(path string) ([]evalQuestion, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	defer f.Close()
	var qs []evalQuestion
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var q evalQuestion
		if err := json.Unmarshal([]byte(line), &q); err != nil {
			return nil, fmt.Errorf("eval: %s:%d: %w", path, n, err)
		}
		if strings.TrimSpace(q.Question) == "" {
			return nil, fmt.Errorf("eval: %s:%d: empty question", path, n)
		}
		if q.Kind == "" {
			q.Kind = "all"
		}
		qs = append(qs, q)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("eval: read %s: %w", path, err)
	}
	if len(qs) == 0 {
		return nil, fmt.Errorf("eval: %s has no questions", path)
	}
	return qs, nil
}
