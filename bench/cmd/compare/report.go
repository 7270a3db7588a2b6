package main

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/dalil-news/dalil/postgres"
)

// report renders the results as Markdown.
func report(res *results) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	m := res.Machine
	p("# compare: dalil vs LangChainGo\n\nRun %s, `%s`, %.0f s.\n\n", res.Started.Format("2006-01-02 15:04 UTC"), res.Args, res.Elapsed)
	if len(res.Notes) > 0 {
		keys := slices.Sorted(maps.Keys(res.Notes))
		p("Measured tree:")
		for _, k := range keys {
			p(" %s `%v`;", k, res.Notes[k])
		}
		p("\n\n")
	}
	p("Machine: %s, %d cores, %.1f GB RAM, %s; %s; pgvector %s; settings %v.\n\n", m.CPU, m.Cores, m.MemGB, m.Go, m.Postgres, m.Pgvector, m.Settings)

	p("## Ingest (end to end: text → chunks → embeddings → stored and indexed)\n\n")
	p("| scale | system | workers | articles | chunks | s | articles/s | chunks/s | word count s | index build s | peak RSS MB | DB MB | load |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, s := range allScales(res) {
		for _, ir := range s.Ingest {
			p("| %d | %s | %s | %d | %d | %.1f | %.1f | %.0f | %s | %s | %.0f | %.0f | %s |\n", s.Target, ir.System, workersOf(ir), ir.Articles, ir.Chunks, ir.Seconds,
				ir.ArticlesPerSec, ir.ChunksPerSec, orDash(ir.CountSeconds), orDash(ir.IndexSeconds), ir.VmHWMMB, s.DBSizeMB[ir.System], ir.Load)
		}
	}
	p("\n| scale | ratio | articles/s | chunks/s | peak RSS |\n|---|---|---|---|---|\n")
	for _, s := range allScales(res) {
		lc := find(s.Ingest, sysLC)
		if lc == nil {
			continue
		}
		for _, sys := range []string{sysDalil, sysDalilBulk} {
			if d := find(s.Ingest, sys); d != nil {
				p("| %d | %s / LangChainGo | %.2f× | %.2f× | %.2f× |\n", s.Target, sys, d.ArticlesPerSec/lc.ArticlesPerSec, d.ChunksPerSec/lc.ChunksPerSec, d.VmHWMMB/lc.VmHWMMB)
			}
		}
	}
	if res.Eval != nil {
		for _, ir := range res.Eval.Ingest {
			p("\nEvaluation corpus (real text) into %s: %d articles, %d chunks in %.1f s: %.1f articles/s, %.0f chunks/s, peak RSS %.0f MB.", ir.System, ir.Articles, ir.Chunks, ir.Seconds, ir.ArticlesPerSec, ir.ChunksPerSec, ir.VmHWMMB)
		}
		p("\n")
	}

	p("\n## Search latency (one client, warm cache; half evaluation questions, half synthetic ones)\n\n")
	p("| chunks | path | n | p50 ms | p99 ms | mean ms | load |\n|---|---|---|---|---|---|---|\n")
	for _, s := range allScales(res) {
		rows := []struct {
			name string
			l    *latency
		}{{"bare HNSW top-10 (SQL only), ef_search 40", &s.Search.Bare},
			{fmt.Sprintf("bare HNSW top-10 (SQL only), ef_search %d as dalil", postgres.DefaultEfSearch), &s.Search.BareDalilEf},
			{"dalil hybrid SQL (Store.Search)", &s.Search.StoreSearch},
			{"dalil Service.Search (embed+SQL+fusion)", &s.Search.Search}, {"dalil Service.Ask extractive (+gating)", &s.Search.Ask},
			{"LangChainGo SimilaritySearch", s.Search.LC}}
		for _, r := range rows {
			if r.l != nil {
				p("| %d | %s | %d | %.2f | %.2f | %.2f | %s |\n", s.Search.Chunks, r.name, r.l.N, r.l.P50, r.l.P99, r.l.Mean, r.l.Load)
			}
		}
	}
	p("\n| chunks | dalil Search / bare p50 | dalil Search / bare at dalil's ef_search p50 | dalil Ask / bare p50 | LangChainGo / dalil Search p50 | LangChainGo / dalil Search p99 |\n|---|---|---|---|---|---|\n")
	for _, s := range allScales(res) {
		lc50, lc99 := "–", "–"
		if s.Search.LC != nil {
			lc50 = fmt.Sprintf("%.1f×", s.Search.LC.P50/s.Search.Search.P50)
			lc99 = fmt.Sprintf("%.1f×", s.Search.LC.P99/s.Search.Search.P99)
		}
		sameEf := "–" // not measured in runs before it was
		if s.Search.BareDalilEf.P50 > 0 {
			sameEf = ratio(s.Search.Search.P50, s.Search.BareDalilEf.P50)
		}
		p("| %d | %.2f× | %s | %.2f× | %s | %s |\n", s.Search.Chunks, s.Search.Search.P50/s.Search.Bare.P50,
			sameEf, s.Search.Ask.P50/s.Search.Bare.P50, lc50, lc99)
	}

	p("\n## HNSW recall@10 against exact search (dalil's chunks, m=16, ef_construction=64)\n\n")
	p("Recall counts ties with the exact 10th distance (within 1e-6) as hits; \"ids\" counts exact id matches only; \"ann-benchmarks\" is that project's knn recall, whose tolerance is 1e-3 (a returned chunk no farther than the exact 10th distance + 0.001). Synthetic questions are about the synthetic articles' topics; eval questions are about the real texts (the evaluation corpus is part of every archive). \"eval top-1\" is the share of evaluation questions whose exact nearest chunk is among the index's 10; \"eval q., real\" is the evaluation questions' recall counted on the real chunks of their exact top 10 only (the others are synthetic chunks, generated about invented topics).\n\n")
	for _, s := range allScales(res) {
		if s.Recall.EvalSynthetic != nil { // not measured in runs before it was
			p("At %d chunks, %.0f%% of the evaluation questions' exact top 10 are synthetic chunks.\n\n", s.Recall.Chunks, 100*(*s.Recall.EvalSynthetic))
		}
	}
	p("| chunks | queries | exact p50 ms | ef_search | recall@10 | synthetic q. | eval q. | eval q., real | ids only | ann-benchmarks (eval q.) | eval top-1 | p50 ms | p99 ms |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, s := range allScales(res) {
		for _, pt := range s.Recall.Points {
			ann, top1 := "–", "–" // not measured in runs before they were
			if pt.ANN > 0 {
				ann, top1 = fmt.Sprintf("%.3f (%.3f)", pt.ANN, pt.ANNEval), fmt.Sprintf("%.3f", pt.Top1Eval)
			}
			p("| %d | %d | %.1f | %d | %.3f | %.3f | %.3f | %s | %.3f | %s | %s | %.2f | %.2f |\n", s.Recall.Chunks, s.Recall.Queries, s.Recall.Exact.P50, pt.EfSearch,
				pt.Recall10, pt.Synth, pt.Eval, orDash3(pt.EvalReal), pt.IDs, ann, top1, pt.Latency.P50, pt.Latency.P99)
		}
	}
	header := false
	for _, s := range allScales(res) {
		for _, pt := range s.Recall.Points {
			d := pt.Dalil
			if d == nil { // not measured in runs before it was
				continue
			}
			if !header {
				header = true
				p("\n### The vector ranking dalil fuses, against the same exact search\n\n")
				p("The chunks the HNSW walk finds and the full-text leg's matches, each at its exact distance, nearest first (`postgres.Store.Search`); same questions, same hits rule. p50 and p99 are the whole search's.\n\n")
				p("| chunks | ef_search | recall@10 | synthetic q. | eval q. | eval q., real | eval top-1 | p50 ms | p99 ms |\n|---|---|---|---|---|---|---|---|---|\n")
			}
			p("| %d | %d | %.3f | %.3f | %.3f | %s | %.3f | %.2f | %.2f |\n", s.Recall.Chunks, pt.EfSearch,
				d.Recall10, d.Synth, d.Eval, orDash3(d.EvalReal), d.Top1Eval, d.Latency.P50, d.Latency.P99)
		}
	}

	if res.Eval != nil {
		p("\n## Retrieval quality on questions-dev (evaluation corpus only)\n\n")
		p("| kind | n | dalil recall@5 | LangChainGo recall@5 | ratio | dalil MRR@10 | LangChainGo MRR@10 | ratio |\n|---|---|---|---|---|---|---|---|\n")
		for i, d := range res.Eval.Dalil {
			l := res.Eval.LC[i]
			p("| %s | %d | %.3f | %.3f | %s | %.3f | %.3f | %s |\n", d.Kind, d.N, d.RecallAt5, l.RecallAt5, ratio(d.RecallAt5, l.RecallAt5), d.MRRAt10, l.MRRAt10, ratio(d.MRRAt10, l.MRRAt10))
		}
	}

	if len(res.Load) > 0 {
		p("\n## Load: concurrent asks on the largest LangChainGo scale\n\n")
		p("| mode | concurrency | pool max conns | s | asks | errors | asks/s | p50 ms | p99 ms | found | acquires | waited | mean wait ms/ask | load |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
		for _, l := range res.Load {
			p("| %s | %d | %d | %.1f | %d | %d | %.1f | %.1f | %.1f | %d | %d | %d | %.0f | %s |\n", l.Mode, l.Concurrency, l.MaxConns, l.Seconds, l.Asks, l.Errors,
				l.PerSecond, l.Latency.P50, l.Latency.P99, l.Found, l.Acquires, l.EmptyAcquires, l.AcquireWaitMs/float64(max(l.Asks, 1)), l.Latency.Load)
			if l.FirstError != "" {
				p("\nfirst error: `%s`\n\n", l.FirstError)
			}
		}
	}
	return b.String()
}

func find(irs []ingestResult, system string) *ingestResult {
	for i := range irs {
		if irs[i].System == system {
			return &irs[i]
		}
	}
	return nil
}

// workersOf is the workers column: "–" for LangChainGo, which has none.
func workersOf(ir ingestResult) string {
	if ir.Workers == 0 {
		return "–"
	}
	return strconv.Itoa(ir.Workers)
}

// orDash3 formats a figure to three decimals, "–" when it was not measured.
func orDash3(v *float64) string {
	if v == nil {
		return "–"
	}
	return fmt.Sprintf("%.3f", *v)
}

func orDash(v float64) string {
	if v == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f", v)
}

func ratio(a, b float64) string {
	if b == 0 {
		return "∞"
	}
	return fmt.Sprintf("%.2f×", a/b)
}
