package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dalil-news/dalil/rag"
)

// unavailable marks err as rag.ErrUnavailable when it says that the
// database cannot be reached or stopped answering (a refused or dropped
// connection, a server shutting down), so that callers such as the ingest
// pipeline can tell an outage from a bad article.
func (s *Store) unavailable(err error) error {
	if err == nil || errors.Is(err, rag.ErrUnavailable) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var (
		ce *pgconn.ConnectError
		ne net.Error
		pe *pgconn.PgError
	)
	switch {
	case errors.As(err, &ce), errors.As(err, &ne), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.As(err, &pe) && (strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "57P")):
		return fmt.Errorf("database %s unreachable: %w (%w)", s.where, err, rag.ErrUnavailable)
	}
	return err
}
