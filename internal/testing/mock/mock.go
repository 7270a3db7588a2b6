// Package mock holds in-memory fakes of the interfaces rag consumes
// (rag.Store, rag.Embedder, rag.Chat), so that rag's logic is tested
// without PostgreSQL or an API. Each fake calls the function field of the
// same name (as github.com/benbjohnson/wtf's mock package does); a test
// sets only the fields its code path needs, and calling an unset one
// panics, which shows an unexpected call.
package mock

import (
	"context"

	"github.com/dalil-news/dalil/rag"
)

var (
	_ rag.Store    = (*Store)(nil)
	_ rag.Embedder = (*Embedder)(nil)
	_ rag.Chat     = (*Chat)(nil)
)

// Store is a rag.Store whose methods call its function fields.
type Store struct {
	LookupManyFn  func(ctx context.Context, keys []rag.LookupKey) ([]rag.Existing, error)
	SaveArticleFn func(ctx context.Context, a *rag.Article, chunks []rag.Chunk) (rag.SaveStatus, error)
	SearchFn      func(ctx context.Context, q rag.SearchQuery) ([]rag.Passage, error)
	ArticleFn     func(ctx context.Context, id int64) (rag.Article, error)
}

// LookupMany calls LookupManyFn.
func (s *Store) LookupMany(ctx context.Context, keys []rag.LookupKey) ([]rag.Existing, error) {
	return s.LookupManyFn(ctx, keys)
}

// SaveArticle calls SaveArticleFn.
func (s *Store) SaveArticle(ctx context.Context, a *rag.Article, chunks []rag.Chunk) (rag.SaveStatus, error) {
	return s.SaveArticleFn(ctx, a, chunks)
}

// Search calls SearchFn.
func (s *Store) Search(ctx context.Context, q rag.SearchQuery) ([]rag.Passage, error) {
	return s.SearchFn(ctx, q)
}

// Article calls ArticleFn.
func (s *Store) Article(ctx context.Context, id int64) (rag.Article, error) {
	return s.ArticleFn(ctx, id)
}

// Embedder is a rag.Embedder whose Embed calls EmbedFn; Dimensions and
// Name return the fields of the same name.
type Embedder struct {
	EmbedFn   func(ctx context.Context, texts []string) ([][]float32, error)
	Dims      int
	ModelName string
}

// Embed calls EmbedFn.
func (e *Embedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	return e.EmbedFn(ctx, texts)
}

// Dimensions returns e.Dims.
func (e *Embedder) Dimensions() int { return e.Dims }

// Name returns e.ModelName.
func (e *Embedder) Name() string { return e.ModelName }

// Chat is a rag.Chat whose Complete calls CompleteFn; Model returns
// ModelName.
type Chat struct {
	CompleteFn func(ctx context.Context, req rag.ChatRequest, onDelta func(delta string)) (rag.Completion, error)
	ModelName  string
}

// Complete calls CompleteFn.
func (c *Chat) Complete(ctx context.Context, req rag.ChatRequest, onDelta func(delta string)) (rag.Completion, error) {
	return c.CompleteFn(ctx, req, onDelta)
}

// Model returns c.ModelName.
func (c *Chat) Model() string { return c.ModelName }
