package ingest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/dalil-news/dalil/nlp"
	"github.com/dalil-news/dalil/rag"
)

// MaxDefaultWorkers caps DefaultWorkers: each worker holds a database
// connection.
const MaxDefaultWorkers = 8

// batchSize is the most articles a worker takes at once: a batch is looked
// up in one round trip (7% of a bulk load when done one by one,
// docs/performance.md).
const batchSize = 32

// DefaultWorkers is the number of workers a Pipeline runs when its
// configuration says none: two a core, at most MaxDefaultWorkers.
func DefaultWorkers() int { return min(2*runtime.GOMAXPROCS(0), MaxDefaultWorkers) }

// Ingester stores articles. rag.Service is one.
type Ingester interface {
	// IngestMany stores arts and calls done once for each, with its index
	// in arts; a failed article does not stop the others.
	IngestMany(ctx context.Context, arts []rag.Article, done func(i int, res rag.IngestResult, err error))
}

// Outcome is what became of one article read from an input.
type Outcome struct {
	// Source names where the article came from: a URL, a file path, or
	// "archive.jsonl:LINE".
	Source  string
	Article rag.Article
	Result  rag.IngestResult
	// Err is why the source could not be read, extracted or stored.
	Err error
}

// Summary counts the outcomes of a run.
type Summary struct {
	// Ingested is the number of articles read and stored (or found
	// unchanged or duplicate), Failed the number of sources that failed.
	Ingested, Failed int
	// Chunks is the number of chunks stored.
	Chunks int
	// Stopped, when not nil, is why the run stopped early: it names the
	// number of failures in a row (PipelineConfig.MaxFailures) and wraps
	// the last, which wraps rag.ErrUnavailable. The failures after it are counted in Failed but
	// not reported to done.
	Stopped error
	// ByStatus counts the stored articles by what storing them did, and
	// under Superseded the JSONL lines a later line of the same URL
	// replaced (not in Ingested).
	ByStatus map[rag.SaveStatus]int
}

// StopNote explains Stopped on one line, the failure that stopped the run
// first, then what to do: "" when the run did not stop early.
func (s Summary) StopNote() string {
	if s.Stopped == nil {
		return ""
	}
	return "stopped: " + nlp.OneLine(shortenURLs(s.Stopped.Error()), 400) +
		"; the articles stored so far are complete: once the service is back, run the same command again to finish"
}

// ErrorLine describes a failed outcome on one line of at most max bytes:
// its source, then its error, with every URL longer than 80 bytes cut in
// the middle, so that the cause, at the error's end, survives long URLs.
func (o Outcome) ErrorLine(max int) string {
	return nlp.OneLine(shortenURLs(o.Source+": "+o.Err.Error()), max)
}

// longURL matches a URL of 80 bytes or more.
var longURL = regexp.MustCompile(`(?:https?|file)://[^\s"'<>]{73,}`)

// shortenURLs cuts the middle out of long URLs in s.
func shortenURLs(s string) string {
	return longURL.ReplaceAllStringFunc(s, func(u string) string {
		r := []rune(u)
		if len(r) < 80 {
			return u
		}
		return string(r[:50]) + "…" + string(r[len(r)-20:])
	})
}

// Report reports the counts of a run that took elapsed: "ingested 17
// articles, 28 chunks in 86ms: 17 created, 0 updated, 0 unchanged, 0
// duplicate, 0 failed", and how many lines were superseded when some were.
func (s Summary) Report(elapsed time.Duration) string {
	out := fmt.Sprintf("ingested %d articles, %d chunks in %s: %d created, %d updated, %d unchanged, %d duplicate, %d failed",
		s.Ingested, s.Chunks, elapsed.Round(time.Millisecond), s.ByStatus[rag.Created], s.ByStatus[rag.Updated], s.ByStatus[rag.Unchanged], s.ByStatus[rag.Duplicate], s.Failed)
	if n := s.ByStatus[Superseded]; n > 0 {
		out += fmt.Sprintf(", %d superseded by a later line of the same URL", n)
	}
	return out
}

// PipelineConfig tunes a Pipeline.
type PipelineConfig struct {
	// Workers is the number of batches stored concurrently (0:
	// DefaultWorkers).
	Workers int
	// MaxFailures is how many articles in a row may fail because a
	// dependency is down (errors wrapping rag.ErrUnavailable: the
	// database, the embedding API) before the run stops (0:
	// DefaultMaxFailures; negative: never).
	MaxFailures int
}

// DefaultMaxFailures is PipelineConfig.MaxFailures's default.
const DefaultMaxFailures = 10

// Pipeline reads sources and stores their articles with concurrent
// workers: while one worker waits for the database, another embeds. A
// worker takes the articles read while it was busy, up to 32, and stores
// them with one IngestMany call.
type Pipeline struct {
	ing         Ingester
	fetcher     *Fetcher
	workers     int
	maxFailures int
}

// NewPipeline returns a Pipeline that stores with ing and fetches URLs with
// fetcher, whose size cap also applies to files.
func NewPipeline(ing Ingester, fetcher *Fetcher, cfg PipelineConfig) *Pipeline {
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers()
	}
	if cfg.MaxFailures == 0 {
		cfg.MaxFailures = DefaultMaxFailures
	}
	return &Pipeline{ing: ing, fetcher: fetcher, workers: cfg.Workers, maxFailures: cfg.MaxFailures}
}

// Run ingests inputs (http(s) URLs, files, and directories, recursively)
// and then the JSONL archives in jsonl, one article a line. When a URL
// appears on several lines of the archives, the last one (in the order of
// jsonl, then of lines) is stored and the earlier ones are reported
// Superseded, so that a run stores the same version each time. It calls done
// once for each article or failed source, never concurrently, in the order
// they finish. A failure does not stop the other sources, except a run of
// PipelineConfig.MaxFailures failures because a dependency is down
// (Summary.Stopped); a canceled ctx stops reading, and the articles
// already read are stored or reported.
func (p *Pipeline) Run(ctx context.Context, inputs, jsonl []string, done func(Outcome)) Summary {
	return p.run(ctx, func(ctx context.Context, emit emitFunc) {
		for _, in := range inputs {
			if ctx.Err() != nil {
				break
			}
			if strings.HasPrefix(in, "http://") || strings.HasPrefix(in, "https://") {
				doc, err := p.fetcher.Fetch(ctx, in)
				if err != nil {
					emit(in, rag.Article{}, err)
					continue
				}
				a, err := Extract(doc)
				emit(in, a, err)
				continue
			}
			p.readFiles(ctx, in, emit)
		}
		last := lastLines(ctx, jsonl)
		for _, path := range jsonl {
			if err := readJSONLFile(ctx, path, last, emit); err != nil {
				emit(path, rag.Article{}, err)
			}
		}
	}, done)
}

// Articles stores articles already read, as Run stores what it reads;
// each article's source is its URL.
func (p *Pipeline) Articles(ctx context.Context, arts []rag.Article, done func(Outcome)) Summary {
	return p.run(ctx, func(ctx context.Context, emit emitFunc) {
		for _, a := range arts {
			if ctx.Err() != nil {
				break
			}
			emit(a.URL, a, nil)
		}
	}, done)
}

// emitFunc hands the workers an article read from source, or reports the
// source's failure when err is not nil.
type emitFunc func(source string, a rag.Article, err error)

// readFiles emits the articles of a file or of the files in a directory.
func (p *Pipeline) readFiles(ctx context.Context, in string, emit emitFunc) {
	files, err := Files(in, func(dir string, err error) {
		emit(dir, rag.Article{}, fmt.Errorf("directory not read: %w", err))
	})
	if err != nil {
		emit(in, rag.Article{}, err)
		return
	}
	if len(files) == 0 {
		emit(in, rag.Article{}, errors.New("no .txt, .md or .html files in it"))
	}
	for _, f := range files {
		if ctx.Err() != nil {
			break
		}
		doc, err := ReadFile(f, p.fetcher.cfg.MaxBytes)
		if err != nil {
			emit(f, rag.Article{}, err)
			continue
		}
		a, err := Extract(doc)
		emit(f, a, err)
	}
}

// readJSONLFile emits every article of a JSONL archive; one whose URL has
// a later line (last, lastLines's) is emitted as superseded by it.
func readJSONLFile(ctx context.Context, path string, last map[string]string, emit emitFunc) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return ReadJSONL(ctx, f, 0, func(line int, a rag.Article, err error) error {
		source := fmt.Sprintf("%s:%d", path, line)
		if l, ok := last[a.URL]; err == nil && ok && l != source {
			err = &supersededError{by: l}
		}
		emit(source, a, err)
		return ctx.Err()
	})
}

// Superseded is the status of an article read from a line of a JSONL
// archive whose URL appears again later in the input: only the last line
// with a URL is stored, the earlier ones are not.
const Superseded rag.SaveStatus = "superseded"

// supersededError marks an article a later line replaces.
type supersededError struct{ by string }

func (e *supersededError) Error() string { return "superseded by " + e.by }

// run starts the workers, lets read emit the articles, and waits for the
// workers to store them. read stops when its ctx is done.
func (p *Pipeline) run(parent context.Context, read func(context.Context, emitFunc), done func(Outcome)) Summary {
	// Canceled when the run stops early: reading stops, and the workers'
	// articles fail at once.
	ctx, stop := context.WithCancel(parent)
	defer stop()
	sum := Summary{ByStatus: map[rag.SaveStatus]int{}}
	var mu sync.Mutex // guards sum and down, and serializes done
	down := 0         // failures in a row because a dependency is down
	finish := func(o Outcome) {
		mu.Lock()
		defer mu.Unlock()
		if sum.Stopped != nil && o.Err != nil {
			sum.Failed++
			return
		}
		switch {
		case o.Err == nil:
			down = 0
		case errors.Is(o.Err, rag.ErrUnavailable):
			if down++; down == p.maxFailures {
				sum.Stopped = fmt.Errorf("%d articles in a row failed because a service is down: %w (the last: %s)", down, o.Err, o.Source)
				stop()
			}
		}
		switch {
		case o.Result.Status == Superseded:
			sum.ByStatus[Superseded]++
		case o.Err == nil:
			sum.Ingested++
			sum.ByStatus[o.Result.Status]++
			sum.Chunks += o.Result.Chunks
		default:
			sum.Failed++
		}
		done(o)
	}
	type job struct {
		source string
		a      rag.Article
	}
	jobs := make(chan []job)
	var wg sync.WaitGroup
	for range p.workers {
		wg.Go(func() {
			for batch := range jobs {
				arts := make([]rag.Article, len(batch))
				for i, j := range batch {
					arts[i] = j.a
				}
				p.ing.IngestMany(ctx, arts, func(i int, res rag.IngestResult, err error) {
					finish(Outcome{Source: batch[i].source, Article: batch[i].a, Result: res, Err: err})
				})
			}
		})
	}
	var pending []job
	read(ctx, func(source string, a rag.Article, err error) {
		if ctx.Err() != nil && parent.Err() == nil {
			return // stopped early: what is left is not tried
		}
		var sup *supersededError
		if errors.As(err, &sup) {
			finish(Outcome{Source: source, Article: a, Result: rag.IngestResult{Status: Superseded}})
			return
		}
		if err != nil {
			finish(Outcome{Source: source, Article: a, Err: err})
			return
		}
		pending = append(pending, job{source, a})
		if len(pending) == batchSize {
			jobs <- pending
			pending = nil
			return
		}
		select { // to an idle worker at once
		case jobs <- pending:
			pending = nil
		default:
		}
	})
	if len(pending) > 0 && ctx.Err() == nil {
		jobs <- pending
	}
	close(jobs)
	wg.Wait()
	return sum
}
