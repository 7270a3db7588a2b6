package ingest

import (
	"context"
	"errors"
	"fmt"
)

// BulkStore is what a bulk load needs of the store: a lock that tells a
// running load from an interrupted one, a vector index it can drop and
// build, and full-text word statistics it can defer and recount. Every
// method returns the store's error as is.
type BulkStore interface {
	// TryLockBulk takes the bulk-load lock without waiting (ok false
	// when another process holds it); the lock is released by UnlockBulk
	// or when the process dies.
	TryLockBulk(ctx context.Context) (ok bool, err error)
	UnlockBulk(ctx context.Context) error
	DropVectorIndex(ctx context.Context) error
	BuildVectorIndex(ctx context.Context) error
	VectorIndexExists(ctx context.Context) (bool, error)
	DeferTextStats(ctx context.Context) error
	RecountTextStats(ctx context.Context) error
	TextStatsStale(ctx context.Context) (bool, error)
}

// Step is one step of finishing or repairing a bulk load.
type Step int

// The steps of finishing a bulk load.
const (
	// CountWords recounts the full-text word statistics.
	CountWords Step = iota + 1
	// BuildIndex builds the vector index.
	BuildIndex
)

// String describes the step as it runs: "counting words", "building the
// vector index".
func (s Step) String() string {
	if s == CountWords {
		return "counting words"
	}
	return "building the vector index"
}

// ErrBulkRunning means that another bulk load holds the store's bulk-load
// lock.
var ErrBulkRunning = errors.New("another bulk load is running on this database: wait for it to end, or ingest without --bulk")

// StepNote describes a finishing step as it starts (err nil: "counting
// words…"), or its failure and when it will be done instead.
func StepNote(s Step, err error) string {
	switch {
	case err == nil:
		return s.String() + "…"
	case s == CountWords:
		return fmt.Sprintf("error: %v (they are counted the next time dalil opens the archive)", err)
	default:
		return fmt.Sprintf("error: %v (the index is built the next time dalil opens the archive)", err)
	}
}

// StartBulk prepares store for a large import: it takes the bulk-load lock,
// which it holds until FinishBulk, then drops the vector index and defers
// the word statistics, so that each article is stored without maintaining
// them. Searches are slower until FinishBulk. It fails with ErrBulkRunning
// when another load holds the lock, and releases the lock when it fails.
func StartBulk(ctx context.Context, store BulkStore) error {
	ok, err := store.TryLockBulk(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return ErrBulkRunning
	}
	err = store.DropVectorIndex(ctx)
	if err == nil {
		err = store.DeferTextStats(ctx)
	}
	if err != nil {
		return errors.Join(err, store.UnlockBulk(ctx))
	}
	return nil
}

// FinishBulk completes a load begun with StartBulk: it recounts the words,
// then builds the vector index, each even when the other failed and even
// when ctx is canceled, so that an interrupted load leaves a searchable
// archive, and then releases the bulk-load lock. It calls
// progress(step, nil) as each step starts and progress(step, err) when it
// fails, and returns the errors joined.
func FinishBulk(ctx context.Context, store BulkStore, progress func(Step, error)) error {
	ctx = context.WithoutCancel(ctx)
	return errors.Join(finishSteps(ctx, store, progress), store.UnlockBulk(ctx))
}

// finishSteps runs FinishBulk's steps.
func finishSteps(ctx context.Context, store BulkStore, progress func(Step, error)) error {
	var errs []error
	for _, s := range []struct {
		step Step
		run  func(context.Context) error
	}{{CountWords, store.RecountTextStats}, {BuildIndex, store.BuildVectorIndex}} {
		progress(s.step, nil)
		if err := s.run(ctx); err != nil {
			progress(s.step, err)
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// RepairBulk finishes what an interrupted bulk load left undone: it builds
// the vector index if it is missing, then recounts the word statistics if
// they are stale. A load is interrupted only when nobody holds the
// bulk-load lock: while a load runs (or another process repairs),
// RepairBulk does nothing. It holds the lock while it repairs, calls start
// before each step it runs and stops at the first error.
func RepairBulk(ctx context.Context, store BulkStore, start func(Step)) error {
	if broken, err := bulkBroken(ctx, store); err != nil || !broken {
		return err
	}
	ok, err := store.TryLockBulk(ctx)
	if err != nil || !ok {
		return err
	}
	return errors.Join(repairSteps(ctx, store, start), store.UnlockBulk(ctx))
}

// bulkBroken reports whether a bulk load left the index missing or the
// word statistics stale, without taking the lock: most commands find
// neither.
func bulkBroken(ctx context.Context, store BulkStore) (bool, error) {
	index, err := store.VectorIndexExists(ctx)
	if err != nil || !index {
		return !index, err
	}
	return store.TextStatsStale(ctx)
}

// repairSteps runs RepairBulk's steps under the lock: each checks again
// what it repairs, which the previous holder of the lock may have done.
func repairSteps(ctx context.Context, store BulkStore, start func(Step)) error {
	indexMissing := func(ctx context.Context) (bool, error) {
		ok, err := store.VectorIndexExists(ctx)
		return !ok, err
	}
	for _, r := range []struct {
		step   Step
		broken func(context.Context) (bool, error)
		fix    func(context.Context) error
	}{
		{BuildIndex, indexMissing, store.BuildVectorIndex},
		{CountWords, store.TextStatsStale, store.RecountTextStats},
	} {
		broken, err := r.broken(ctx)
		if err == nil && broken {
			start(r.step)
			err = r.fix(ctx)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
