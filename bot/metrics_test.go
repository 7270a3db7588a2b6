package bot

import (
	"context"
	"testing"

	"github.com/dalil-news/dalil/rag"
)

func TestErrorKind(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{context.DeadlineExceeded, "timeout"},
		{rag.ErrUnavailable, "upstream"},
		{rag.ErrEmbedderMismatch, "embedder"},
		{sqlError{}, "database"},
		{context.Canceled, "internal"},
	}
	for _, tt := range tests {
		if got := errorKind(tt.err); got != tt.want {
			t.Errorf("errorKind(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

// sqlError has the method of pgconn.PgError that errorKind looks for.
type sqlError struct{}

func (sqlError) Error() string    { return "connection refused" }
func (sqlError) SQLState() string { return "08006" }
