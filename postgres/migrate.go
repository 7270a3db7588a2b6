package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrateLockKey is the advisory lock key that serializes Migrate across
// processes ("dalil:migrate").
const migrateLockKey int64 = 0x64616c696c6d6967

// migration is one numbered SQL file.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the embedded migrations, sorted by version. Files are
// named NNNN_description.sql; versions are positive and unique.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	var out []migration
	seen := map[int]string{}
	for _, name := range names {
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_description.sql", base)
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %s and %s have the same version %d", prev, base, v)
		}
		seen[v] = base
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", base, err)
		}
		out = append(out, migration{version: v, name: base, sql: string(b)})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no migrations found")
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// Migrate brings the schema up to date: it applies, in order, every embedded
// migration not yet recorded in schema_migrations, each in its own
// transaction, while holding an advisory lock so that concurrent replicas
// migrate once. It then replaces the Discord IDs of votes stored before
// migration 0008 with their keyed hashes. Running it on an up-to-date
// database does nothing. It refuses a database migrated by a newer dalil.
func (s *Store) Migrate(ctx context.Context) error {
	migs, err := loadMigrations(migrationFiles)
	if err != nil {
		return err
	}
	if _, err := s.migrate(ctx, migs); err != nil {
		return err
	}
	// Connections opened before the vector extension existed lack its
	// codecs: replace them, even when another process (a replica started
	// at the same time) created the extension and this one applied
	// nothing. The extension exists now, so new connections get them.
	if s.withoutCodecs.Swap(false) {
		s.pool.Reset()
	}
	if err := s.detectVector(ctx); err != nil {
		return err
	}
	// Migration 0008 keeps votes under members' keyed hashes; the key is
	// known here, not to SQL.
	return s.hashStoredVoters(ctx)
}

// migrate takes the advisory lock on a connection of its own, applies the
// pending migrations and returns how many it applied.
func (s *Store) migrate(ctx context.Context, migs []migration) (int, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrate %s: acquire connection: %w", s.where, err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrateLockKey); err != nil {
		return 0, fmt.Errorf("migrate %s: take advisory lock: %w", s.where, err)
	}
	applied, err := s.migrateLocked(ctx, conn.Conn(), migs)
	// A fresh context: the lock must be released even when ctx is done,
	// or the pooled session would keep it.
	if _, unlockErr := conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrateLockKey); unlockErr != nil {
		// Never return a session holding the lock to the pool.
		_ = conn.Conn().Close(context.WithoutCancel(ctx))
		if err == nil {
			err = fmt.Errorf("migrate %s: release advisory lock: %w", s.where, unlockErr)
		}
	}
	s.mu.Lock()
	s.applied = applied
	s.mu.Unlock()
	return applied, err
}

// MigrationsApplied returns how many migrations the last Migrate applied
// (0 when the schema was already up to date, or Migrate has not run) and
// how many this dalil has in all.
func (s *Store) MigrationsApplied() (applied, total int) {
	migs, _ := loadMigrations(migrationFiles) // Migrate has reported any error
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.applied, len(migs)
}

// migrateLocked applies the pending migrations and returns how many it
// applied. The caller holds the advisory lock.
func (s *Store) migrateLocked(ctx context.Context, conn *pgx.Conn, migs []migration) (int, error) {
	_, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer PRIMARY KEY,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`)
	if err != nil {
		return 0, fmt.Errorf("migrate %s: create schema_migrations: %w", s.where, err)
	}
	rows, err := conn.Query(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return 0, fmt.Errorf("migrate %s: read schema_migrations: %w", s.where, err)
	}
	done, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return 0, fmt.Errorf("migrate %s: read schema_migrations: %w", s.where, err)
	}
	have := map[int]bool{}
	latest := 0
	for _, v := range done {
		have[v] = true
		latest = max(latest, v)
	}
	if known := migs[len(migs)-1].version; latest > known {
		return 0, fmt.Errorf("migrate %s: the database is at schema version %d, newer than this dalil knows (%d): upgrade dalil", s.where, latest, known)
	}
	applied := 0
	for _, m := range migs {
		if have[m.version] {
			continue
		}
		if m.version == 1 {
			if err := s.checkAvailablePgvector(ctx, conn); err != nil {
				return applied, err
			}
		}
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if err := s.maintenance(ctx, tx); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version) VALUES ($1)", m.version)
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("migrate %s: apply %s: %w", s.where, m.name, err)
		}
		applied++
	}
	return applied, nil
}

// checkAvailablePgvector explains a missing or too old pgvector before the
// first migration fails on it.
func (s *Store) checkAvailablePgvector(ctx context.Context, conn *pgx.Conn) error {
	var installed, available *string
	err := conn.QueryRow(ctx, `SELECT
		(SELECT extversion FROM pg_extension WHERE extname = 'vector'),
		(SELECT default_version FROM pg_available_extensions WHERE name = 'vector')`).Scan(&installed, &available)
	if err != nil {
		return fmt.Errorf("migrate %s: look for pgvector: %w", s.where, err)
	}
	v := installed
	if v == nil {
		v = available
	}
	if v == nil {
		return fmt.Errorf("migrate %s: the pgvector extension is not installed on the server: install pgvector %s or later (Debian: postgresql-<major>-pgvector), or run scripts/devdb.sh start for a development database", s.where, minPgvector)
	}
	ver, err := parseVersion(*v)
	if err != nil {
		return fmt.Errorf("migrate %s: pgvector: %w", s.where, err)
	}
	if ver < minPgvector {
		return fmt.Errorf("migrate %s: pgvector %s is too old: dalil needs %s or later (HNSW)", s.where, ver, minPgvector)
	}
	return nil
}
