package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dalil-news/dalil/replica"
)

// Claim records that the replica replicaID handles the event key, with what another
// replica needs to finish the work (payload, JSON; nil for none). won is
// false when the key was claimed before, by any replica, finished or not.
// An unreachable database gives an error wrapping rag.ErrUnavailable.
func (s *Store) Claim(ctx context.Context, key, replicaID, kind string, payload []byte) (won bool, err error) {
	if payload == nil {
		payload = []byte("{}")
	}
	err = s.pool.QueryRow(ctx, `INSERT INTO claims (key, replica, kind, payload) VALUES ($1, $2, $3, $4)
		ON CONFLICT (key) DO NOTHING RETURNING true`, key, replicaID, kind, payload).Scan(&won)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("claim %s: %w", key, s.classify(err))
	}
	return true, nil
}

// UpdateClaim replaces the payload of the open claim key held by the
// replica replicaID, as the work progresses (a placeholder message
// posted). A finished or unknown claim, or another replica's, is left as
// it is.
func (s *Store) UpdateClaim(ctx context.Context, key, replicaID string, payload []byte) error {
	_, err := s.pool.Exec(ctx, "UPDATE claims SET payload = $3 WHERE key = $1 AND replica = $2 AND done_at IS NULL", key, replicaID, payload)
	if err != nil {
		return fmt.Errorf("update claim %s: %w", key, s.classify(err))
	}
	return nil
}

// FinishClaim marks the claim key done and drops its payload, if the
// replica replicaID holds it; the key stays claimed until PurgeClaims
// removes it. Finishing a finished or unknown claim, or another replica's,
// does nothing: a replica whose claim timed out before the database
// answered finishes it in case the insert went through, and must not end
// the work of the replica that won it.
func (s *Store) FinishClaim(ctx context.Context, key, replicaID string) error {
	_, err := s.pool.Exec(ctx, `UPDATE claims SET done_at = now(), payload = '{}'::jsonb
		WHERE key = $1 AND replica = $2 AND done_at IS NULL`, key, replicaID)
	if err != nil {
		return fmt.Errorf("finish claim %s: %w", key, s.classify(err))
	}
	return nil
}

// Heartbeat records that the replica replicaID is alive now (by the database's
// clock), registering it on its first beat.
func (s *Store) Heartbeat(ctx context.Context, replicaID string) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO replicas (id) VALUES ($1)
		ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()`, replicaID)
	if err != nil {
		return fmt.Errorf("heartbeat of replica %s: %w", replicaID, s.classify(err))
	}
	return nil
}

// TakeOver gives the replica replicaID up to limit open claims of replicas silent
// for deadAfter or more, oldest first, and returns them. A replica that
// never beat counts from its claim's time. Of replicas taking over at
// once, exactly one gets each claim: the update re-checks, on the row as
// committed by a concurrent one, that the claim still belongs to the dead
// replica.
func (s *Store) TakeOver(ctx context.Context, replicaID string, deadAfter time.Duration, limit int) ([]replica.Claim, error) {
	rows, err := s.pool.Query(ctx, `WITH dead AS (
			SELECT c.key, c.replica FROM claims c LEFT JOIN replicas r ON r.id = c.replica
			WHERE c.done_at IS NULL AND c.replica <> $1
				AND COALESCE(r.heartbeat_at, c.claimed_at) < now() - make_interval(secs => $2)
			ORDER BY c.claimed_at LIMIT $3)
		UPDATE claims c SET replica = $1, takeovers = c.takeovers + 1
		FROM dead d WHERE c.key = d.key AND c.replica = d.replica AND c.done_at IS NULL
		RETURNING c.key, c.kind, c.payload, d.replica, c.claimed_at, c.takeovers`,
		replicaID, deadAfter.Seconds(), limit)
	if err != nil {
		return nil, fmt.Errorf("take over claims: %w", s.classify(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (replica.Claim, error) {
		var c replica.Claim
		err := r.Scan(&c.Key, &c.Kind, &c.Payload, &c.From, &c.ClaimedAt, &c.Takeovers)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("take over claims: %w", s.classify(err))
	}
	slices.SortFunc(out, func(a, b replica.Claim) int { return a.ClaimedAt.Compare(b.ClaimedAt) })
	return out, nil
}

// PurgeClaims deletes the claims finished more than age ago, and the
// replicas silent as long that hold no open claim. It returns the number
// of claims deleted. Keep finished claims longer than Discord may deliver
// an event again (a gateway resume replays minutes, not hours).
func (s *Store) PurgeClaims(ctx context.Context, age time.Duration) (int64, error) {
	tag, err := s.pool.Exec(ctx, "DELETE FROM claims WHERE done_at < now() - make_interval(secs => $1)", age.Seconds())
	if err != nil {
		return 0, fmt.Errorf("purge claims: %w", s.classify(err))
	}
	_, err = s.pool.Exec(ctx, `DELETE FROM replicas r WHERE r.heartbeat_at < now() - make_interval(secs => $1)
		AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.replica = r.id AND c.done_at IS NULL)`, age.Seconds())
	if err != nil {
		return 0, fmt.Errorf("purge replicas: %w", s.classify(err))
	}
	return tag.RowsAffected(), nil
}
