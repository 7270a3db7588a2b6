package servicetest

import (
	"context"
	"errors"
	"sync"

	"github.com/dalil-news/dalil/rag"
)

// failingEmbedder fails its failN-th call.
type failingEmbedder struct {
	rag.Embedder
	mu    sync.Mutex
	calls int
	failN int
}

func (f *failingEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	f.mu.Lock()
	f.calls++
	n := f.calls
	f.mu.Unlock()
	if n == f.failN {
		return nil, errors.New("embedding API went away")
	}
	return f.Embedder.Embed(ctx, texts)
}

// countingStore counts the lookups of the store it wraps.
type countingStore struct {
	Store
	mu      sync.Mutex
	lookups int
}

func (s *countingStore) LookupMany(ctx context.Context, keys []rag.LookupKey) ([]rag.Existing, error) {
	s.mu.Lock()
	s.lookups++
	s.mu.Unlock()
	return s.Store.LookupMany(ctx, keys)
}
