package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/dalil-news/dalil/ingest"
	"github.com/dalil-news/dalil/rag"
)

const ingestSynopsis = `[--jsonl FILE] [--quiet] [--bulk] [--workers N] PATH|URL ...

Ingests articles: plain text, Markdown and HTML files, directories
(recursively), http(s) URLs, and JSONL archives with one article a line:
{"title","url","publisher","published","lang","text"}.
Re-ingesting is safe: unchanged articles are skipped, changed ones replaced.
A bad input is reported on one line and the others go on; the exit status
is 1 if any failed. --bulk speeds up large imports by building the vector
index and counting the words once at the end. Articles are stored by two
workers a core: while one waits for the database, another is embedded.`

// maxDefaultWorkers caps the default of ingest --workers: each worker holds
// a database connection.
const maxDefaultWorkers = 8

// ingestBatch is the most articles a worker takes at once: a batch is
// looked up in one round trip (7% of a bulk load when done one by one,
// docs/performance.md).
const ingestBatch = 32

// ingestTally counts outcomes of an ingest run.
type ingestTally struct {
	byStatus map[rag.SaveStatus]int
	chunks   int
	failed   int
}

func cmdIngest(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "ingest", ingestSynopsis)
	var jsonl []string
	fs.Func("jsonl", "a JSONL archive, one article a line (repeatable)", func(s string) error {
		jsonl = append(jsonl, s)
		return nil
	})
	quiet := fs.Bool("quiet", false, "print only errors and the summary")
	bulk := fs.Bool("bulk", false, "large import: drop the vector index and defer the word counts, load, then rebuild both (searches are slower meanwhile)")
	workers := fs.Int("workers", 0, fmt.Sprintf("articles stored concurrently (default two a core, at most %d)", maxDefaultWorkers))
	inputs, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	switch {
	case *workers < 0:
		return fmt.Errorf("ingest: --workers %d is negative", *workers)
	case *workers == 0:
		*workers = min(2*runtime.GOMAXPROCS(0), maxDefaultWorkers)
	}
	if len(inputs) == 0 && len(jsonl) == 0 && !*bulk {
		fs.Usage()
		return errors.New("ingest: nothing to ingest: give files, directories, URLs or --jsonl FILE")
	}
	svc, err := openServices(ctx, e)
	if err != nil {
		return err
	}
	defer svc.Close()

	if *bulk {
		if err := svc.store.DropVectorIndex(ctx); err != nil {
			return err
		}
		if err := svc.store.DeferTextStats(ctx); err != nil {
			return err
		}
		// Rebuilt even when the load fails or is interrupted, with a
		// context of its own so that Ctrl-C does not leave them stale.
		defer func() {
			ctx := context.WithoutCancel(ctx)
			fmt.Fprintln(e.stderr, "counting words…")
			if err := svc.store.RecountTextStats(ctx); err != nil {
				fmt.Fprintf(e.stderr, "error: %v (they are counted the next time dalil opens the archive)\n", err)
			}
			fmt.Fprintln(e.stderr, "building the vector index…")
			if err := svc.store.BuildVectorIndex(ctx); err != nil {
				fmt.Fprintf(e.stderr, "error: %v (the index is built the next time dalil opens the archive)\n", err)
			}
		}()
	}
	t := &ingestTally{byStatus: map[rag.SaveStatus]int{}}
	start := time.Now()
	prog := newProgress(e.stderr, "ingested", "articles")
	var mu sync.Mutex // guards t, seen, prog and the output
	seen := 0
	done := func(source string, a rag.Article, res rag.IngestResult, err error) {
		mu.Lock()
		defer mu.Unlock()
		seen++
		if err == nil {
			t.byStatus[res.Status]++
			t.chunks += res.Chunks
			if !*quiet {
				prog.done()
				chunks := fmt.Sprintf("%3d chunks", res.Chunks)
				if res.Chunks == 0 { // unchanged or duplicate: nothing stored
					chunks = strings.Repeat(" ", len(chunks))
				}
				fmt.Fprintf(e.stdout, "%-9s %s  %s  (%s)\n", res.Status, chunks, oneLine(a.Title, 70), source)
			}
		} else {
			t.failed++
			prog.done()
			fmt.Fprintf(e.stderr, "error: %s: %v\n", source, oneLine(err.Error(), 300))
		}
		prog.set(seen, 0)
	}
	// Workers store articles while the inputs are read: with more than
	// one, embedding an article overlaps with the database storing
	// another, and results print in the order they finish. A worker takes
	// the articles read while it was busy, up to ingestBatch, and looks
	// them up in one round trip (rag.Service.IngestMany).
	type job struct {
		source string
		a      rag.Article
	}
	jobs := make(chan []job)
	var wg sync.WaitGroup
	for range *workers {
		wg.Go(func() {
			for batch := range jobs {
				arts := make([]rag.Article, len(batch))
				for i, j := range batch {
					arts[i] = j.a
				}
				svc.rag.IngestMany(ctx, arts, func(i int, res rag.IngestResult, err error) {
					done(batch[i].source, batch[i].a, res, err)
				})
			}
		})
	}
	var pending []job
	report := func(source string, a rag.Article, err error) {
		if err != nil {
			done(source, a, rag.IngestResult{}, err)
			return
		}
		pending = append(pending, job{source, a})
		if len(pending) == ingestBatch {
			jobs <- pending
			pending = nil
			return
		}
		select { // to an idle worker at once
		case jobs <- pending:
			pending = nil
		default:
		}
	}

	fetcher := ingest.NewFetcher(ingest.Config{
		MaxBytes:     e.cfg.FetchMaxBytes,
		Timeout:      e.cfg.FetchTimeout,
		AllowPrivate: e.cfg.FetchAllowPrivate,
	})
	for _, in := range inputs {
		if ctx.Err() != nil {
			break
		}
		if strings.HasPrefix(in, "http://") || strings.HasPrefix(in, "https://") {
			doc, err := fetcher.Fetch(ctx, in)
			if err != nil {
				report(in, rag.Article{}, err)
				continue
			}
			a, err := ingest.Extract(doc)
			report(in, a, err)
			continue
		}
		files, err := ingest.Files(in)
		if err != nil {
			report(in, rag.Article{}, err)
			continue
		}
		if len(files) == 0 {
			report(in, rag.Article{}, errors.New("no .txt, .md or .html files in it"))
		}
		for _, f := range files {
			if ctx.Err() != nil {
				break
			}
			doc, err := ingest.ReadFile(f, e.cfg.FetchMaxBytes)
			if err != nil {
				report(f, rag.Article{}, err)
				continue
			}
			a, err := ingest.Extract(doc)
			report(f, a, err)
		}
	}
	for _, path := range jsonl {
		if err := ingestJSONL(ctx, path, report); err != nil {
			report(path, rag.Article{}, err)
		}
	}
	if len(pending) > 0 && ctx.Err() == nil {
		jobs <- pending
	}
	close(jobs)
	wg.Wait()
	prog.done()
	if ctx.Err() != nil {
		fmt.Fprintln(e.stderr, "interrupted: articles stored so far are complete; run the same command again to finish")
	}
	fmt.Fprintf(e.stdout, "ingested %d articles, %d chunks in %s: %d created, %d updated, %d unchanged, %d duplicate, %d failed\n",
		seen-t.failed, t.chunks, time.Since(start).Round(time.Millisecond),
		t.byStatus[rag.Created], t.byStatus[rag.Updated], t.byStatus[rag.Unchanged], t.byStatus[rag.Duplicate], t.failed)
	if t.failed > 0 || ctx.Err() != nil {
		return errReported
	}
	return nil
}

// ingestJSONL feeds every article of a JSONL archive to report.
func ingestJSONL(ctx context.Context, path string, report func(string, rag.Article, error)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return ingest.ReadJSONL(ctx, f, 0, func(line int, a rag.Article, err error) error {
		report(fmt.Sprintf("%s:%d", path, line), a, err)
		return ctx.Err()
	})
}

// oneLine flattens s to one line of at most n runes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
