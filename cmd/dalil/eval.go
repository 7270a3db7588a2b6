package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/dalil-news/dalil/eval"
	"github.com/dalil-news/dalil/internal/cliflags"
	"github.com/dalil-news/dalil/internal/progress"
)

const evalSynopsis = `--questions FILE [--ingest PATH ...] [--k N] [--mode M] [--json]

Measures retrieval and answers on a JSONL file of questions:
{"id","kind","lang","question","expected_urls":[...],"answers":[...]}.
An expected URL "seed:WORD" matches an article whose title contains WORD.
A question with no expected_urls is unanswerable: "not found" is right.
"cites expected" is the share of answerable questions answered with a
citation of an expected article.
--ingest ingests a JSONL archive (*.jsonl) or files first.`

func cmdEval(ctx context.Context, a *app, args []string) error {
	fs := cliflags.New(a.stdout, "eval", evalSynopsis)
	questions := fs.String("questions", "", "questions JSONL file (required)")
	var toIngest []string
	fs.Func("ingest", "a JSONL archive or files to ingest first (repeatable)", func(s string) error {
		toIngest = append(toIngest, s)
		return nil
	})
	k := fs.Int("k", 10, "passages retrieved per question")
	mode := fs.String("mode", "", "answer mode: llm or extractive (default as for ask)")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := cliflags.Parse(fs, args); err != nil {
		return err
	}
	if *questions == "" {
		return cliflags.UsageError(fs, "eval: --questions is required")
	}
	qs, err := eval.ReadQuestions(*questions)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
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
		// The ingest summary goes to stderr with the progress: stdout is
		// the evaluation's.
		stdout := a.stdout
		a.stdout = a.stderr
		err := cmdIngest(ctx, a, append(append([]string{"--quiet"}, jsonl...), paths...))
		a.stdout = stdout
		if err != nil {
			return fmt.Errorf("eval: ingest: %w", err)
		}
	}
	if err := a.open(ctx); err != nil {
		return err
	}

	prog := progress.New(a.stderr, "asked", "questions")
	out, err := eval.Run(ctx, a.rag, a.store, qs, eval.Config{K: *k, Mode: *mode, Progress: prog.Set})
	prog.Done()
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(a.stdout, map[string]any{"kinds": out})
	}
	return eval.WriteTable(a.stdout, out)
}
