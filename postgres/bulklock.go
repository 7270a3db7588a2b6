package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// bulkLockKey is the session advisory lock a bulk load holds from start
// to finish ("dalilblk"): while it is held, a missing vector index and
// stale word counts are the load's doing, not an interrupted load's.
const bulkLockKey int64 = 0x64616c696c626c6b

// TryLockBulk takes the bulk-load lock without waiting, on a connection of
// its own (outside the pool) that holds it until UnlockBulk or until the
// process dies, when the server releases it. ok is false when another
// session holds it: a bulk load is running. A Store holds it at most once.
func (s *Store) TryLockBulk(ctx context.Context) (ok bool, err error) {
	s.bulkMu.Lock()
	defer s.bulkMu.Unlock()
	if s.bulkConn != nil {
		return false, fmt.Errorf("bulk-load lock on %s: already held by this process", s.where)
	}
	conn, ok, err := s.tryLock(ctx)
	if ok {
		s.bulkConn = conn
	}
	return ok, err
}

// tryLock connects apart from the pool and tries to take the bulk-load
// lock; the connection is closed unless ok.
func (s *Store) tryLock(ctx context.Context) (*pgx.Conn, bool, error) {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return nil, false, fmt.Errorf("bulk-load lock on %s: connect: %w", s.where, s.classify(err))
	}
	var ok bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", bulkLockKey).Scan(&ok); err != nil || !ok {
		_ = conn.Close(context.WithoutCancel(ctx))
		if err != nil {
			return nil, false, fmt.Errorf("bulk-load lock on %s: %w", s.where, err)
		}
		return nil, false, nil
	}
	return conn, true, nil
}

// UnlockBulk releases the lock TryLockBulk took, by closing its
// connection; it does nothing when this Store does not hold it.
func (s *Store) UnlockBulk(ctx context.Context) error {
	s.bulkMu.Lock()
	defer s.bulkMu.Unlock()
	if s.bulkConn == nil {
		return nil
	}
	err := s.bulkConn.Close(context.WithoutCancel(ctx))
	s.bulkConn = nil
	if err != nil {
		return fmt.Errorf("release the bulk-load lock on %s: %w", s.where, err)
	}
	return nil
}

// withBulkLock runs fn on a connection holding the bulk-load lock: this
// Store's when it holds it, else one that takes it for fn's duration. It
// fails, without running fn, when another session holds the lock.
func (s *Store) withBulkLock(ctx context.Context, fn func(*pgx.Conn) error) error {
	s.bulkMu.Lock()
	defer s.bulkMu.Unlock()
	if s.bulkConn != nil {
		return fn(s.bulkConn)
	}
	conn, ok, err := s.tryLock(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("a bulk load is running on %s (it holds the bulk-load lock)", s.where)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return fn(conn)
}
