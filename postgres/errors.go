package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dalil-news/dalil/rag"
)

// classify marks err as rag.ErrUnavailable when it says that the database
// cannot be reached or stopped answering (a refused or dropped connection,
// a server shutting down) or that a statement outlived the statement
// timeout (a frozen or overloaded server), so that callers such as the
// ingest pipeline can tell an outage from a bad article; a timeout also
// says so, with the limits, before the server's words.
func (s *Store) classify(err error) error {
	if err == nil || errors.Is(err, rag.ErrUnavailable) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var (
		ce *pgconn.ConnectError
		ne net.Error
		pe *pgconn.PgError
	)
	switch {
	case errors.As(err, &pe) && pe.Code == "57014" /* query_canceled */ && strings.Contains(pe.Message, "statement timeout"):
		return fmt.Errorf("statement timeout expired (statement_timeout %s, %v for maintenance): %w (%w)",
			s.timeout, s.cfg.MaintenanceTimeout, err, rag.ErrUnavailable)
	case errors.As(err, &ce), errors.As(err, &ne), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.As(err, &pe) && (strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "57P")):
		return fmt.Errorf("database %s unreachable: %w (%w)", s.where, err, rag.ErrUnavailable)
	}
	return err
}

// maintenance gives the statements of tx Config.MaintenanceTimeout
// instead of the statement timeout.
func (s *Store) maintenance(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, "SELECT set_config('statement_timeout', $1, true)", millis(s.cfg.MaintenanceTimeout)); err != nil {
		return fmt.Errorf("set the maintenance statement timeout: %w", err)
	}
	return nil
}

// millis is a timeout as a statement_timeout setting: "0" (none) when it
// is not positive.
func millis(d time.Duration) string {
	return strconv.FormatInt(max(d.Milliseconds(), 0), 10)
}
