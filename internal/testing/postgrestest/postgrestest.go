// Package postgrestest gives the tests of other packages a real store: a
// fresh database on the test server (see pgtest), migrated and bound to an
// embedder. It is for tests only.
//
// It is apart from pgtest because it imports postgres: the postgres
// package's own tests use pgtest, and would otherwise import themselves.
package postgrestest

import (
	"context"
	"testing"

	"github.com/dalil-news/dalil/internal/testing/pgtest"
	"github.com/dalil-news/dalil/postgres"
	"github.com/dalil-news/dalil/rag"
)

// MustOpen opens a store on a fresh database, applies the migrations and
// binds the index to emb; the store is closed and the database dropped when
// the test ends. Any failure ends the test.
func MustOpen(tb testing.TB, emb rag.Embedder) *postgres.Store {
	tb.Helper()
	ctx := context.Background()
	store, err := postgres.Open(ctx, pgtest.NewDatabase(tb), postgres.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(store.Close)
	if err := store.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	if err := store.EnsureEmbedder(ctx, emb.Name(), emb.Dimensions()); err != nil {
		tb.Fatal(err)
	}
	return store
}
