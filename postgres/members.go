package postgres

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// memberKeyName names the generated member hash key in the secrets table.
const memberKeyName = "member_hash_key"

// memberHashPattern matches a stored member hash (hex HMAC-SHA256), which
// a Discord ID (at most 20 digits) never does.
const memberHashPattern = `^[0-9a-f]{64}$`

// memberHash returns the keyed hash under which a member's Discord ID is
// stored: hex HMAC-SHA256 with the member hash key.
func (s *Store) memberHash(ctx context.Context, userID string) (string, error) {
	key, err := s.memberHashKey(ctx)
	if err != nil {
		return "", err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(userID))
	return hex.EncodeToString(mac.Sum(nil)), nil
}

// memberHashKey returns Config.MemberHashKey or, when it is unset, the key
// kept in the database: the first store to need one generates 32 random
// bytes and inserts them if no other did first, and every store then reads
// the one that won. It is read once per Store.
func (s *Store) memberHashKey(ctx context.Context) ([]byte, error) {
	if s.cfg.MemberHashKey != "" {
		return []byte(s.cfg.MemberHashKey), nil
	}
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.memberKey != nil {
		return s.memberKey, nil
	}
	fresh := make([]byte, 32)
	rand.Read(fresh)
	if _, err := s.pool.Exec(ctx, `INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`,
		memberKeyName, fresh); err != nil {
		return nil, fmt.Errorf("create the member hash key: %w", s.classify(err))
	}
	// A statement of its own: in READ COMMITTED it sees the row of a
	// store that inserted first, which the INSERT's snapshot may not.
	var key []byte
	if err := s.pool.QueryRow(ctx, `SELECT value FROM secrets WHERE name = $1`, memberKeyName).Scan(&key); err != nil {
		return nil, fmt.Errorf("read the member hash key: %w", s.classify(err))
	}
	if len(key) < MinMemberHashKey {
		return nil, errors.New("read the member hash key: the stored key is too short")
	}
	s.memberKey = key
	return key, nil
}

// hashStoredVoters replaces the Discord IDs that votes cast before
// migration 0008 were stored with by their keyed hashes. Where the member
// voted again on the same message since, under the hash (a replica of an
// older dalil storing IDs meanwhile), the vote stored under the ID is the
// older one and is dropped. It does nothing once every vote is hashed.
func (s *Store) hashStoredVoters(ctx context.Context) error {
	rows, err := s.pool.Query(ctx, `SELECT id, member_hash FROM feedback WHERE member_hash !~ $1`, memberHashPattern)
	if err != nil {
		return fmt.Errorf("hash the voters' IDs: %w", s.classify(err))
	}
	var ids []int64
	var hashes []string
	var id int64
	var userID string
	_, err = pgx.ForEachRow(rows, []any{&id, &userID}, func() error {
		ids, hashes = append(ids, id), append(hashes, userID)
		return nil
	})
	if err != nil {
		return fmt.Errorf("hash the voters' IDs: %w", s.classify(err))
	}
	if len(ids) == 0 {
		return nil
	}
	for i, userID := range hashes {
		if hashes[i], err = s.memberHash(ctx, userID); err != nil {
			return fmt.Errorf("hash the voters' IDs: %w", err)
		}
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM feedback f USING unnest($1::bigint[], $2::text[]) AS v(id, hash)
			WHERE f.id = v.id AND EXISTS (SELECT 1 FROM feedback g
				WHERE g.message_id = f.message_id AND g.member_hash = v.hash AND g.id <> f.id)`, ids, hashes)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE feedback f SET member_hash = v.hash FROM unnest($1::bigint[], $2::text[]) AS v(id, hash)
			WHERE f.id = v.id`, ids, hashes)
		return err
	})
	if err != nil {
		return fmt.Errorf("hash the IDs of %d voters: %w", len(ids), s.classify(err))
	}
	return nil
}
