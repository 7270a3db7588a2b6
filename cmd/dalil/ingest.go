package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dalil-news/dalil/ingest"
	"github.com/dalil-news/dalil/internal/cliflags"
	"github.com/dalil-news/dalil/internal/progress"
	"github.com/dalil-news/dalil/nlp"
)

const ingestSynopsis = `[--jsonl FILE] [--quiet] [--bulk] [--workers N] PATH|URL ...

Ingests articles: plain text, Markdown and HTML files, directories
(recursively), http(s) URLs, and JSONL archives with one article a line:
{"title","url","publisher","published","lang","text"}.
Re-ingesting is safe: unchanged articles are skipped, changed ones replaced.
When a URL appears on several lines of the JSONL archives, the last line
wins: the earlier ones are reported "superseded" and not stored. A bad input is reported on one line and the others go on; the exit status
is 1 if any failed. --bulk speeds up large imports by building the vector
index and counting the words once at the end. Articles are stored by two
workers a core: while one waits for the database, another is embedded.`

func cmdIngest(ctx context.Context, a *app, args []string) (rerr error) {
	fs := cliflags.New(a.stdout, "ingest", ingestSynopsis)
	var jsonl []string
	fs.Func("jsonl", "a JSONL archive, one article a line (repeatable)", func(s string) error {
		jsonl = append(jsonl, s)
		return nil
	})
	quiet := fs.Bool("quiet", false, "print only errors and the summary")
	bulk := fs.Bool("bulk", false, "large import: drop the vector index and defer the word counts, load, then rebuild both (searches are slower meanwhile)")
	workers := fs.Int("workers", 0, fmt.Sprintf("articles stored concurrently (default two a core, at most %d)", ingest.MaxDefaultWorkers))
	inputs, err := cliflags.Parse(fs, args)
	if err != nil {
		return err
	}
	if *workers < 0 {
		return fmt.Errorf("ingest: --workers %d is negative", *workers)
	}
	if len(inputs) == 0 && len(jsonl) == 0 && !*bulk {
		return cliflags.UsageError(fs, "ingest: nothing to ingest: give files, directories, URLs or --jsonl FILE")
	}
	if err := a.open(ctx); err != nil {
		return err
	}

	if *bulk {
		if err := ingest.StartBulk(ctx, a.store); err != nil {
			return err
		}
		// Finished even when the load fails or is interrupted, so that
		// Ctrl-C does not leave the index missing or the counts stale; a
		// step that fails makes the exit status 1.
		defer func() {
			if ingest.FinishBulk(ctx, a.store, func(s ingest.Step, err error) { fmt.Fprintln(a.stderr, ingest.StepNote(s, err)) }) != nil && rerr == nil {
				rerr = errReported
			}
		}()
	}
	start := time.Now()
	prog := progress.New(a.stderr, "ingested", "articles")
	seen := 0
	pipe := ingest.NewPipeline(a.rag, a.fetcher, ingest.PipelineConfig{Workers: *workers})
	sum := pipe.Run(ctx, inputs, jsonl, func(o ingest.Outcome) {
		seen++
		if o.Err != nil {
			prog.Done()
			fmt.Fprintln(a.stderr, "error: "+o.ErrorLine(300))
		} else if !*quiet {
			prog.Done()
			chunks := fmt.Sprintf("%3d chunks", o.Result.Chunks)
			if o.Result.Chunks == 0 { // unchanged or duplicate: nothing stored
				chunks = strings.Repeat(" ", len(chunks))
			}
			fmt.Fprintf(a.stdout, "%-9s %s  %s  (%s)\n", o.Result.Status, chunks, nlp.OneLine(o.Article.Title, 70), o.Source)
		}
		prog.Set(seen, 0)
	})
	prog.Done()
	if ctx.Err() != nil {
		fmt.Fprintln(a.stderr, "interrupted: articles stored so far are complete; run the same command again to finish")
	} else if sum.Stopped != nil {
		fmt.Fprintln(a.stderr, "error: "+sum.StopNote())
	}
	fmt.Fprintln(a.stdout, sum.Report(time.Since(start)))
	if sum.Failed > 0 || ctx.Err() != nil {
		return errReported
	}
	return nil
}
