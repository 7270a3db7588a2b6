package ingest

import (
	"context"
	"errors"
)

// BulkStore is what a bulk load needs of the store: a vector index it can
// drop and build, and full-text word statistics it can defer and recount.
// Every method returns the store's error as is.
type BulkStore interface {
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

// StartBulk prepares store for a large import: it drops the vector index and
// defers the word statistics, so that each article is stored without
// maintaining them. Searches are slower until FinishBulk.
func StartBulk(ctx context.Context, store BulkStore) error {
	if err := store.DropVectorIndex(ctx); err != nil {
		return err
	}
	return store.DeferTextStats(ctx)
}

// FinishBulk completes a load begun with StartBulk: it recounts the words,
// then builds the vector index, each even when the other failed and even
// when ctx is canceled, so that an interrupted load leaves a searchable
// archive. It calls progress(step, nil) as each step starts and
// progress(step, err) when it fails, and returns the steps' errors joined.
func FinishBulk(ctx context.Context, store BulkStore, progress func(Step, error)) error {
	ctx = context.WithoutCancel(ctx)
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
// they are stale. It calls start before each step it runs and stops at the
// first error.
func RepairBulk(ctx context.Context, store BulkStore, start func(Step)) error {
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
