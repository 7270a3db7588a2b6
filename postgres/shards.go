package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dalil-news/dalil/shard"
)

var _ shard.Store = (*Store)(nil)

// shardLockClass is the first key of the advisory locks of automatic
// sharding ("shrd"): the second is claimKey for claims, a bucket number
// for identifies.
const shardLockClass int32 = 0x73687264

// claimKey is the second key of the lock that serializes shard claims;
// identify buckets are never negative.
const claimKey int32 = -1

// identifyPoll is how often LockIdentify tries again for a held bucket.
const identifyPoll = 250 * time.Millisecond

// ClaimShard leases to owner the lowest shard id without a live lease, in
// one transaction that holds the claim lock: expired leases are deleted
// first, the live leases' count wins over count, and the chosen id is
// inserted. ok is false when every shard is leased.
func (s *Store) ClaimShard(ctx context.Context, owner string, count int, ttl time.Duration) (l shard.Lease, ok bool, err error) {
	if count < 1 || owner == "" {
		return shard.Lease{}, false, fmt.Errorf("claim a shard: want an owner and a positive count, got %q and %d", owner, count)
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1, $2)", shardLockClass, claimKey); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM shard_leases WHERE expires_at <= clock_timestamp()"); err != nil {
			return err
		}
		// The count most live leases carry (they all carry one, but a
		// fleet must not split over a hand-edited row).
		live := count
		err := tx.QueryRow(ctx, `SELECT shard_count FROM shard_leases
			GROUP BY shard_count ORDER BY count(*) DESC, shard_count LIMIT 1`).Scan(&live)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		err = tx.QueryRow(ctx, `INSERT INTO shard_leases (shard_id, shard_count, owner, expires_at)
			SELECT g, $1, $2, clock_timestamp() + $3 * interval '1 millisecond'
			FROM generate_series(0, $1 - 1) g
			WHERE NOT EXISTS (SELECT 1 FROM shard_leases l WHERE l.shard_id = g)
			ORDER BY g LIMIT 1
			RETURNING shard_id`, live, owner, ttl.Milliseconds()).Scan(&l.ID)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		l.Count, ok = live, err == nil
		return err
	})
	if err != nil {
		return shard.Lease{}, false, fmt.Errorf("claim a shard on %s: %w", s.where, s.classify(err))
	}
	return l, ok, nil
}

// RenewShard extends owner's lease on shard id to ttl from now; held is
// false when owner no longer holds it.
func (s *Store) RenewShard(ctx context.Context, owner string, id int, ttl time.Duration) (held bool, err error) {
	tag, err := s.pool.Exec(ctx, `UPDATE shard_leases SET expires_at = clock_timestamp() + $3 * interval '1 millisecond'
		WHERE shard_id = $1 AND owner = $2`, id, owner, ttl.Milliseconds())
	if err != nil {
		return false, fmt.Errorf("renew the lease of shard %d on %s: %w", id, s.where, s.classify(err))
	}
	return tag.RowsAffected() == 1, nil
}

// ReleaseShard deletes owner's lease on shard id, if it holds it.
func (s *Store) ReleaseShard(ctx context.Context, owner string, id int) error {
	if _, err := s.pool.Exec(ctx, "DELETE FROM shard_leases WHERE shard_id = $1 AND owner = $2", id, owner); err != nil {
		return fmt.Errorf("release the lease of shard %d on %s: %w", id, s.where, s.classify(err))
	}
	return nil
}

// LockIdentify takes the session advisory lock of an identify bucket on a
// pooled connection, trying again every 250 ms while another replica holds
// it (a statement waiting for the lock would run into the statement
// timeout when many replicas queue), until ctx ends. release unlocks it
// and returns the connection; the lock also goes when the process dies.
func (s *Store) LockIdentify(ctx context.Context, bucket int) (release func(), err error) {
	if bucket < 0 {
		return nil, fmt.Errorf("lock identify bucket %d: negative bucket", bucket)
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("lock identify bucket %d on %s: %w", bucket, s.where, s.classify(err))
	}
	for {
		var ok bool
		if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1, $2)", shardLockClass, int32(bucket)).Scan(&ok); err != nil {
			conn.Release()
			return nil, fmt.Errorf("lock identify bucket %d on %s: %w", bucket, s.where, s.classify(err))
		}
		if ok {
			break
		}
		select {
		case <-ctx.Done():
			conn.Release()
			return nil, fmt.Errorf("lock identify bucket %d on %s: %w", bucket, s.where, ctx.Err())
		case <-time.After(identifyPoll):
		}
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := conn.Exec(ctx, "SELECT pg_advisory_unlock($1, $2)", shardLockClass, int32(bucket)); err != nil {
			// Closing the session is the other way to free the lock.
			_ = conn.Conn().Close(ctx)
		}
		conn.Release()
	}, nil
}
