package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"

	"github.com/dalil-news/dalil/rag"
)

// maxHNSWDimensions is the largest vector dimension pgvector's HNSW index
// accepts for the vector type.
const maxHNSWDimensions = 2000

// checkEmbedder validates an embedder name and dimension.
func checkEmbedder(name string, dim int) error {
	if name == "" {
		return errors.New("embedder name is empty")
	}
	if dim < 1 || dim > maxHNSWDimensions {
		return fmt.Errorf("embedder %s: dimension %d is outside 1..%d (the HNSW limit)", name, dim, maxHNSWDimensions)
	}
	return nil
}

// EnsureEmbedder binds the vector index to the embedder called name whose
// vectors have dim dimensions. On a new database it records the embedder,
// sets the embedding column to vector(dim) and builds the HNSW cosine
// index. When the index belongs to another embedder or dimension it
// returns an error wrapping rag.ErrEmbedderMismatch that says to run
// `dalil reindex`.
func (s *Store) EnsureEmbedder(ctx context.Context, name string, dim int) error {
	if err := checkEmbedder(name, dim); err != nil {
		return err
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "LOCK TABLE index_meta IN EXCLUSIVE MODE"); err != nil {
			return fmt.Errorf("lock index_meta: %w", err)
		}
		var have string
		var haveDim int
		err := tx.QueryRow(ctx, "SELECT embedder, dimensions FROM index_meta").Scan(&have, &haveDim)
		switch {
		case err == nil:
			if have != name || haveDim != dim {
				return fmt.Errorf("%w: the index was built by embedder %s (%d dimensions) but the configured embedder is %s (%d dimensions); run `dalil reindex` to re-embed the archive with %s",
					rag.ErrEmbedderMismatch, have, haveDim, name, dim, name)
			}
			return nil
		case !errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("read index_meta: %w", err)
		}
		if err := s.setDimension(ctx, tx, dim, false); err != nil {
			return err
		}
		if err := s.buildIndex(ctx, tx); err != nil {
			return err
		}
		return recordEmbedder(ctx, tx, name, dim)
	})
	if err != nil {
		return fmt.Errorf("bind the index on %s to embedder %s: %w", s.where, name, err)
	}
	return nil
}

// setDimension makes the embedding column vector(dim), emptying it when
// clear is set, and keeps vectors in line.
func (s *Store) setDimension(ctx context.Context, tx pgx.Tx, dim int, clear bool) error {
	// DDL takes no parameters; dim is a checked integer.
	alter := fmt.Sprintf("ALTER TABLE chunks ALTER COLUMN embedding TYPE vector(%d)", dim)
	if clear {
		alter += fmt.Sprintf(" USING NULL::vector(%d)", dim)
	}
	if _, err := tx.Exec(ctx, alter); err != nil {
		return fmt.Errorf("set the embedding column to vector(%d): %w", dim, err)
	}
	if _, err := tx.Exec(ctx, "ALTER TABLE chunks ALTER COLUMN embedding SET STORAGE PLAIN"); err != nil {
		return fmt.Errorf("set embedding storage: %w", err)
	}
	return nil
}

// indexMemorySQL sets maintenance_work_mem, local to the transaction, to
// what pgvector's in-memory HNSW graph of the stored vectors needs, plus a
// quarter, at least 64 MB and at most $1 (Config.MaintenanceWorkMem; $2 is
// m). Per vector: the vector (4 bytes a dimension + 8), 2m neighbours on
// the bottom layer (24 bytes each) and 160 bytes of bookkeeping, which
// estimates 2,472 bytes at 384 dimensions and m = 16, where pgvector 0.8
// used 2,316. More memory than the graph needs is not free: a parallel
// build allocates all of it in shared memory first (at 10k chunks 2 GB
// cost 0.25 s more than 64 MB, a sixth of the build).
const indexMemorySQL = `WITH v AS (
	SELECT count(*) * (a.atttypmod * 4 + 8 + $2 * 48 + 160) * 5 / 4 AS need
	FROM chunks, pg_attribute a
	WHERE a.attrelid = 'chunks'::regclass AND a.attname = 'embedding'
	GROUP BY a.atttypmod)
SELECT set_config('maintenance_work_mem',
	(least(pg_size_bytes($1), greatest(64 * 1048576, (SELECT need FROM v))) / 1024)::bigint || 'kB', true)`

// buildIndex creates the HNSW cosine index, with maintenance_work_mem
// sized to it (indexMemorySQL), local to tx.
func (s *Store) buildIndex(ctx context.Context, tx pgx.Tx) error {
	if err := s.maintenance(ctx, tx); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, indexMemorySQL, s.cfg.MaintenanceWorkMem, s.cfg.HNSWM); err != nil {
		return fmt.Errorf("size maintenance_work_mem (at most %q): %w", s.cfg.MaintenanceWorkMem, err)
	}
	// DDL takes no parameters; m and ef_construction are checked integers.
	ddl := fmt.Sprintf("CREATE INDEX IF NOT EXISTS chunks_embedding_hnsw ON chunks USING hnsw (embedding vector_cosine_ops) WITH (m = %d, ef_construction = %d)",
		s.cfg.HNSWM, s.cfg.HNSWEfConstruction)
	if _, err := tx.Exec(ctx, ddl); err != nil {
		return fmt.Errorf("build the HNSW index: %w", err)
	}
	return nil
}

// DropVectorIndex drops the HNSW index before a bulk load: inserting into
// an indexed table costs several times more than building the index once
// afterwards (docs/performance.md). Until BuildVectorIndex, searches fall
// back to exact scans.
func (s *Store) DropVectorIndex(ctx context.Context) error {
	if _, err := s.pool.Exec(ctx, "DROP INDEX IF EXISTS chunks_embedding_hnsw"); err != nil {
		return fmt.Errorf("drop the HNSW index on %s: %w", s.where, err)
	}
	return nil
}

// VectorIndexExists reports whether the HNSW index is there (it is not
// after DropVectorIndex, or a bulk load that was killed).
func (s *Store) VectorIndexExists(ctx context.Context) (bool, error) {
	var exists bool
	if err := s.pool.QueryRow(ctx, "SELECT to_regclass('chunks_embedding_hnsw') IS NOT NULL").Scan(&exists); err != nil {
		return false, fmt.Errorf("look for the HNSW index on %s: %w", s.where, err)
	}
	return exists, nil
}

// BuildVectorIndex builds the HNSW index if it does not exist, with up to
// Config.MaintenanceWorkMem. On a large archive this takes minutes.
func (s *Store) BuildVectorIndex(ctx context.Context) error {
	if err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return s.buildIndex(ctx, tx) }); err != nil {
		return fmt.Errorf("on %s: %w", s.where, s.classify(err))
	}
	return nil
}

// recordEmbedder writes the single index_meta row.
func recordEmbedder(ctx context.Context, tx pgx.Tx, name string, dim int) error {
	_, err := tx.Exec(ctx, `INSERT INTO index_meta (embedder, dimensions) VALUES ($1, $2)
		ON CONFLICT (only_row) DO UPDATE SET embedder = EXCLUDED.embedder, dimensions = EXCLUDED.dimensions, created_at = now()`,
		name, dim)
	if err != nil {
		return fmt.Errorf("record embedder %s: %w", name, err)
	}
	return nil
}

// EmbedFunc embeds texts, returning one vector per text, in order.
type EmbedFunc func(ctx context.Context, texts []string) ([][]float32, error)

// Reindex re-embeds every chunk with the embedder called name (dim
// dimensions), in batches of Config.ReindexBatch, and binds the index to
// it. The embedded text of a chunk is rag.Chunk.EmbeddingText of its
// article's title. It runs in one transaction: on any error nothing
// changes. Writers to chunks wait until it ends; searches keep running
// until the index is swapped at the end. progress, when not nil, is called
// with (0, total) before the first batch and after each batch.
func (s *Store) Reindex(ctx context.Context, name string, dim int, embed EmbedFunc, progress func(done, total int)) error {
	if err := checkEmbedder(name, dim); err != nil {
		return err
	}
	if embed == nil {
		return errors.New("reindex: no embed function")
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.maintenance(ctx, tx); err != nil {
			return err
		}
		return s.reindex(ctx, tx, name, dim, embed, progress)
	})
	if err != nil {
		return fmt.Errorf("reindex %s with embedder %s: %w", s.where, name, s.classify(err))
	}
	return nil
}

func (s *Store) reindex(ctx context.Context, tx pgx.Tx, name string, dim int, embed EmbedFunc, progress func(done, total int)) error {
	// EXCLUSIVE blocks writers but not readers, so searches go on while the
	// chunks are embedded.
	for _, lock := range []string{"LOCK TABLE index_meta IN EXCLUSIVE MODE", "LOCK TABLE chunks IN EXCLUSIVE MODE"} {
		if _, err := tx.Exec(ctx, lock); err != nil {
			return fmt.Errorf("%s: %w", lock, err)
		}
	}
	var oldDim *int
	if err := tx.QueryRow(ctx, "SELECT (SELECT dimensions FROM index_meta)").Scan(&oldDim); err != nil {
		return fmt.Errorf("read index_meta: %w", err)
	}
	if _, err := tx.Exec(ctx, "CREATE TEMP TABLE reindex_vectors (chunk_id bigint PRIMARY KEY, embedding vector) ON COMMIT DROP"); err != nil {
		return fmt.Errorf("create staging table: %w", err)
	}
	var total int
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM chunks").Scan(&total); err != nil {
		return fmt.Errorf("count chunks: %w", err)
	}
	if progress != nil {
		progress(0, total)
	}
	var after int64
	for done, batch := 0, 1; ; batch++ {
		ids, texts, err := nextReindexBatch(ctx, tx, after, s.cfg.ReindexBatch)
		if err != nil {
			return fmt.Errorf("read batch %d: %w", batch, err)
		}
		if len(ids) == 0 {
			break
		}
		vecs, err := embed(ctx, texts)
		if err != nil {
			return fmt.Errorf("embed batch %d: %w", batch, err)
		}
		if len(vecs) != len(texts) {
			return fmt.Errorf("embed batch %d: got %d vectors for %d texts", batch, len(vecs), len(texts))
		}
		rows := make([][]any, len(ids))
		for i, v := range vecs {
			if len(v) != dim {
				return fmt.Errorf("embed batch %d: chunk %d: got a vector of %d dimensions, want %d", batch, ids[i], len(v), dim)
			}
			rows[i] = []any{ids[i], pgvector.NewVector(v)}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"reindex_vectors"}, []string{"chunk_id", "embedding"}, pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("stage batch %d: %w", batch, err)
		}
		after = ids[len(ids)-1]
		done += len(ids)
		if progress != nil {
			progress(done, total)
		}
	}
	if _, err := tx.Exec(ctx, "DROP INDEX IF EXISTS chunks_embedding_hnsw"); err != nil {
		return fmt.Errorf("drop the HNSW index: %w", err)
	}
	if oldDim == nil || *oldDim != dim {
		if err := s.setDimension(ctx, tx, dim, true); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, "UPDATE chunks c SET embedding = r.embedding FROM reindex_vectors r WHERE r.chunk_id = c.id"); err != nil {
		return fmt.Errorf("store the new vectors: %w", err)
	}
	if err := s.buildIndex(ctx, tx); err != nil {
		return err
	}
	return recordEmbedder(ctx, tx, name, dim)
}

// nextReindexBatch reads up to n chunks with id > after, in id order, with
// the text to embed for each.
func nextReindexBatch(ctx context.Context, tx pgx.Tx, after int64, n int) ([]int64, []string, error) {
	rows, err := tx.Query(ctx, `SELECT c.id, c.heading, c.text, a.title
		FROM chunks c JOIN articles a ON a.id = c.article_id
		WHERE c.id > $1 ORDER BY c.id LIMIT $2`, after, n)
	if err != nil {
		return nil, nil, err
	}
	var ids []int64
	var texts []string
	var c rag.Chunk
	var title string
	_, err = pgx.ForEachRow(rows, []any{&c.ID, &c.Heading, &c.Text, &title}, func() error {
		ids = append(ids, c.ID)
		texts = append(texts, c.EmbeddingText(title))
		return nil
	})
	return ids, texts, err
}
