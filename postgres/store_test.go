package postgres_test

import (
	"testing"

	"github.com/dalil-news/dalil/internal/testing/mock"
	"github.com/dalil-news/dalil/internal/testing/postgrestest"
	"github.com/dalil-news/dalil/internal/testing/storetest"
	"github.com/dalil-news/dalil/rag"
)

func TestStoreConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) rag.Store {
		return postgrestest.MustOpen(t, &mock.Embedder{Dims: storetest.Dimensions, ModelName: "storetest"})
	})
}
