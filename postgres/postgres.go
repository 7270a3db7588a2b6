// Package postgres implements rag.Store on PostgreSQL with pgvector: a pgx
// connection pool, embedded numbered migrations, the binding of the vector
// index to one embedder, bulk loads, and hybrid search: an HNSW cosine leg
// and a BM25 full-text leg run at once (three prepared statements, see
// search.go) and are fused by rag.Fusion. It also stores feeds, digests
// and their advisory locks, and the answers the bot gave and the votes on
// them, where members appear only as keyed hashes (members.go); and it
// exports the pool's figures to Prometheus (PoolCollector).
package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	pgxvec "github.com/pgvector/pgvector-go/pgx"

	"github.com/dalil-news/dalil/rag"
)

var _ rag.Store = (*Store)(nil)

// Config tunes a Store. Zero fields take the defaults documented on each.
type Config struct {
	// MaxConns caps the pool (0: pgxpool's default, max(4, GOMAXPROCS)).
	MaxConns int32
	// ConnectTimeout bounds each new connection when the URL sets no
	// connect_timeout (0: 10s).
	ConnectTimeout time.Duration
	// EfSearch is hnsw.ef_search, the HNSW candidate list size at query time
	// (0: DefaultEfSearch). Search raises it to the vector leg's LIMIT when
	// that is larger. pgvector accepts 1 to 1000.
	EfSearch int
	// RRFK is k in the reciprocal rank fusion score 1/(k+rank) (0: 10).
	RRFK int
	// HNSWM and HNSWEfConstruction are the HNSW build parameters m
	// (0: 16) and ef_construction (0: 64).
	HNSWM              int
	HNSWEfConstruction int
	// MaintenanceWorkMem is the most maintenance_work_mem building the
	// HNSW index takes, a size such as "1GB" ("": "1GB"); the build takes
	// what its graph needs, at least 64 MB, up to this.
	MaintenanceWorkMem string
	// TextMatchLimit bounds how many full-text matches are read and scored
	// with BM25 per search (0: 250). The full-text leg matches on the
	// question's rarest words whose chunk counts add up to this budget; at
	// 100k chunks 250 was as good as 1000 on the evaluation questions and
	// cut the leg's p50 from 10.6 to 5.2 ms (docs/performance.md).
	TextMatchLimit int
	// VectorWeight and TextWeight scale each leg's reciprocal-rank score
	// in the fusion (0: 0.5 and 1). With the offline embedder the BM25 leg
	// is the stronger one; the defaults (with RRFK 10) were tuned on the
	// dev questions, see README's evaluation.
	VectorWeight, TextWeight float64
	// MatchWords is how many of the question's rarest words select the
	// chunks the full-text leg scores (0: 16).
	MatchWords int
	// MaxQueryWords caps the distinct words of a question used by the
	// full-text leg (0: 24).
	MaxQueryWords int
	// ReindexBatch is the number of chunks embedded per call during
	// Reindex (0: 128).
	ReindexBatch int
	// StatementTimeout bounds every statement (the server's
	// statement_timeout, unless the URL sets one; 0: 60s; negative: no
	// limit). A statement that exceeds it fails with an error naming the
	// operation and wrapping rag.ErrUnavailable.
	StatementTimeout time.Duration
	// MaintenanceTimeout bounds instead the statements that read or
	// rewrite the whole archive: building the vector index, recounting the
	// word statistics, migrations, reindexing (0: 2h; negative: no limit).
	MaintenanceTimeout time.Duration
	// MemberHashKey is the key of the HMAC-SHA256 that turns members'
	// Discord IDs into the hashes stored with answers and votes, at least
	// MinMemberHashKey bytes ("": a random key that the first replica
	// generates and keeps in the database, so that every replica hashes
	// alike). A secret: never logged. Changing it gives members new hashes.
	MemberHashKey string
}

// MinMemberHashKey is the shortest Config.MemberHashKey accepted, in bytes.
const MinMemberHashKey = 32

// withDefaults returns c with zero fields set to their defaults, or an error
// naming the first invalid field.
func (c Config) withDefaults() (Config, error) {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.EfSearch, DefaultEfSearch)
	def(&c.RRFK, 10)
	def(&c.HNSWM, 16)
	def(&c.HNSWEfConstruction, 64)
	def(&c.TextMatchLimit, 250)
	def(&c.MaxQueryWords, 24)
	def(&c.MatchWords, 16)
	if c.VectorWeight <= 0 {
		c.VectorWeight = 0.5
	}
	if c.TextWeight <= 0 {
		c.TextWeight = 1
	}
	def(&c.ReindexBatch, 128)
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = 10 * time.Second
	}
	if c.StatementTimeout == 0 {
		c.StatementTimeout = DefaultStatementTimeout
	}
	if c.MaintenanceTimeout == 0 {
		c.MaintenanceTimeout = 2 * time.Hour
	}
	if c.MaintenanceWorkMem == "" {
		c.MaintenanceWorkMem = "1GB"
	}
	switch {
	case c.MaxConns < 0:
		return c, fmt.Errorf("postgres config: MaxConns %d is negative", c.MaxConns)
	case c.ConnectTimeout < 0:
		return c, fmt.Errorf("postgres config: ConnectTimeout %v is negative", c.ConnectTimeout)
	case c.EfSearch < 1 || c.EfSearch > maxEfSearch:
		return c, fmt.Errorf("postgres config: EfSearch %d is outside 1..%d", c.EfSearch, maxEfSearch)
	case c.RRFK < 1:
		return c, fmt.Errorf("postgres config: RRFK %d must be positive", c.RRFK)
	case c.HNSWM < 2 || c.HNSWM > 100:
		return c, fmt.Errorf("postgres config: HNSWM %d is outside 2..100", c.HNSWM)
	case c.HNSWEfConstruction < 2*c.HNSWM || c.HNSWEfConstruction > 1000:
		return c, fmt.Errorf("postgres config: HNSWEfConstruction %d is outside %d..1000 (at least 2×HNSWM)", c.HNSWEfConstruction, 2*c.HNSWM)
	case c.TextMatchLimit < 1:
		return c, fmt.Errorf("postgres config: TextMatchLimit %d must be positive", c.TextMatchLimit)
	case c.MaxQueryWords < 1:
		return c, fmt.Errorf("postgres config: MaxQueryWords %d must be positive", c.MaxQueryWords)
	case c.ReindexBatch < 1:
		return c, fmt.Errorf("postgres config: ReindexBatch %d must be positive", c.ReindexBatch)
	case c.MemberHashKey != "" && len(c.MemberHashKey) < MinMemberHashKey:
		return c, fmt.Errorf("postgres config: MemberHashKey is shorter than %d bytes", MinMemberHashKey)
	}
	return c, nil
}

// DefaultEfSearch is Config.EfSearch's default, pgvector's own. Since the
// full-text leg's matches enter the vector ranking at their exact
// distances, a larger one buys little: on offline vectors, 200 instead of
// 40 left recall@5 and MRR@10 on the evaluation questions inside 100k and
// 1M-chunk archives unchanged and 97-98% of the top 5 the same, for a
// search 1.3 (100k) to 2.7 (1M) times slower (docs/performance.md). An embedding model
// whose neighbours share no words with the question (across languages)
// may want more: HNSW_EF_SEARCH.
const DefaultEfSearch = 40

// DefaultStatementTimeout is Config.StatementTimeout's default: far more
// than any statement of a healthy server takes, little enough that a
// frozen one is noticed.
const DefaultStatementTimeout = 60 * time.Second

// maxEfSearch is the largest hnsw.ef_search pgvector accepts, and so the
// largest LIMIT of the vector leg.
const maxEfSearch = 1000

// Store is a rag.Store backed by PostgreSQL with pgvector. It is safe for
// concurrent use.
type Store struct {
	pool *pgxpool.Pool
	cfg  Config
	// where names the server and database (never the password) in errors.
	where string
	// timeout is the connections' statement_timeout, for errors.
	timeout string

	mu      sync.Mutex
	pgvec   version // installed pgvector version, zero before Migrate
	hasVecT bool    // whether the vector type exists in the database
	applied int     // migrations the last Migrate applied

	// deferCounts is set between DeferTextStats and RecountTextStats.
	deferCounts atomic.Bool
	// withoutCodecs is set when a connection was opened before the vector
	// extension existed, without its codecs; Migrate then resets the pool.
	withoutCodecs atomic.Bool

	keyMu sync.Mutex
	// memberKey is the member hash key, once read (see memberHash).
	memberKey []byte

	// langChunks caches the chunk counts by language that weigh a
	// structured query's parts.
	langChunks langChunks

	bulkMu sync.Mutex
	// bulkConn holds the bulk-load lock between TryLockBulk and
	// UnlockBulk (nil otherwise); bulkMu serializes its use.
	bulkConn *pgx.Conn
}

// ErrBadURL is the error of Open for a connection string that does not
// parse: no database was tried.
var ErrBadURL = errors.New("parse database URL")

// Open connects to the database at url (a postgres:// URL or a key=value
// connection string) and checks that it answers. Run Migrate before using
// a new database. Errors name the host and database, never the password.
func Open(ctx context.Context, url string, cfg Config) (*Store, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	pcfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %s", ErrBadURL, Redact(url), redactErr(url, err))
	}
	s := &Store{cfg: cfg, where: describe(pcfg.ConnConfig)}
	if cfg.MaxConns > 0 {
		pcfg.MaxConns = cfg.MaxConns
	}
	if pcfg.ConnConfig.ConnectTimeout == 0 {
		pcfg.ConnConfig.ConnectTimeout = cfg.ConnectTimeout
	}
	if _, set := pcfg.ConnConfig.RuntimeParams["statement_timeout"]; !set {
		pcfg.ConnConfig.RuntimeParams["statement_timeout"] = millis(cfg.StatementTimeout)
	}
	if _, set := pcfg.ConnConfig.RuntimeParams["jit"]; !set {
		// Every statement of dalil's is short, and PostgreSQL misjudges
		// some as long (a structured query at 100k chunks was estimated
		// at 1.7M): compiling one took 0.67 s of a search otherwise
		// 2 ms (docs/performance.md).
		pcfg.ConnConfig.RuntimeParams["jit"] = "off"
	}
	s.timeout = pcfg.ConnConfig.RuntimeParams["statement_timeout"]
	if _, err := strconv.Atoi(s.timeout); err == nil {
		s.timeout += "ms"
	}
	pcfg.AfterConnect = s.afterConnect
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %s", s.where, redactErr(url, err))
	}
	s.pool = pool
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to %s: %s", s.where, redactErr(url, err))
	}
	if err := s.detectVector(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// afterConnect prepares every new pool connection: pgvector's binary codecs
// (when the extension exists yet) and the default hnsw.ef_search.
func (s *Store) afterConnect(ctx context.Context, conn *pgx.Conn) error {
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT to_regtype('vector') IS NOT NULL").Scan(&exists); err != nil {
		return fmt.Errorf("look for the vector type: %w", err)
	}
	if !exists {
		// Before Migrate: Migrate resets the pool once the extension
		// exists, whoever created it.
		s.withoutCodecs.Store(true)
		return nil
	}
	if err := pgxvec.RegisterTypes(ctx, conn); err != nil {
		return fmt.Errorf("register pgvector types: %w", err)
	}
	if _, err := conn.Exec(ctx, "SELECT set_config('hnsw.ef_search', $1, false)", strconv.Itoa(s.cfg.EfSearch)); err != nil {
		return fmt.Errorf("set hnsw.ef_search: %w", err)
	}
	return nil
}

// Close releases the bulk-load lock and closes every connection of the
// pool; it waits for acquired ones.
func (s *Store) Close() {
	_ = s.UnlockBulk(context.Background())
	s.pool.Close()
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping %s: %w", s.where, err)
	}
	return nil
}

// PgvectorVersion returns the version of the pgvector extension installed
// in the database, or "" when it is not installed yet (before Migrate).
func (s *Store) PgvectorVersion() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.hasVecT {
		return ""
	}
	return s.pgvec.String()
}

// The pgvector versions dalil depends on.
const (
	minPgvector           version = 500 // 0.5.0: HNSW indexes
	iterativeScanPgvector version = 800 // 0.8.0: hnsw.iterative_scan
)

// detectVector reads the installed pgvector version and refuses one without
// HNSW.
func (s *Store) detectVector(ctx context.Context) error {
	var ext *string
	err := s.pool.QueryRow(ctx, "SELECT extversion FROM pg_extension WHERE extname = 'vector'").Scan(&ext)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("read pgvector version on %s: %w", s.where, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if ext == nil {
		s.hasVecT = false
		return nil
	}
	v, err := parseVersion(*ext)
	if err != nil {
		return fmt.Errorf("pgvector on %s: %w", s.where, err)
	}
	if v < minPgvector {
		return fmt.Errorf("pgvector %s on %s is too old: dalil needs %s or later (HNSW); run ALTER EXTENSION vector UPDATE after upgrading the package", v, s.where, minPgvector)
	}
	s.pgvec, s.hasVecT = v, true
	return nil
}

// iterativeScan says whether hnsw.iterative_scan is available.
func (s *Store) iterativeScan() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hasVecT && s.pgvec >= iterativeScanPgvector
}

// version is a major.minor.patch version encoded as
// major*10000 + minor*100 + patch, so that versions compare as integers.
type version int

// parseVersion parses "0.8.0" (or "0.8"), ignoring any suffix after "-".
func parseVersion(s string) (version, error) {
	core, _, _ := strings.Cut(s, "-")
	parts := strings.Split(core, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, fmt.Errorf("cannot parse version %q", s)
	}
	var v version
	for i, scale := range []version{10000, 100, 1}[:len(parts)] {
		n, err := strconv.Atoi(parts[i])
		if err != nil || n < 0 || n > 99 {
			return 0, fmt.Errorf("cannot parse version %q", s)
		}
		v += version(n) * scale
	}
	return v, nil
}

func (v version) String() string {
	return fmt.Sprintf("%d.%d.%d", v/10000, v/100%100, v%100)
}

// describe names a connection target for error messages: user, host, port
// and database, never the password.
func describe(c *pgx.ConnConfig) string {
	return fmt.Sprintf("postgres %s@%s:%d/%s", c.User, c.Host, c.Port, c.Database)
}

// Redact returns the connection string raw (a URL or key=value pairs) with
// its password, wherever it is written (user:password@, password=…, or
// ?password=…), masked, for messages and logs.
func Redact(raw string) string {
	return mask(raw, passwords(raw))
}

// redactErr returns err's text with the password of raw (when it can be
// found) masked: pgx redacts passwords on a best-effort basis only.
func redactErr(raw string, err error) string {
	return mask(err.Error(), passwords(raw))
}

// mask replaces every occurrence of each secret in s, the longest first
// (an escaped password holds the plain one).
func mask(s string, secrets []string) string {
	slices.SortFunc(secrets, func(a, b string) int { return len(b) - len(a) })
	for _, pw := range secrets {
		s = strings.ReplaceAll(s, pw, "xxxxx")
	}
	return s
}

// passwords finds the password in a URL or in a key=value connection
// string: as written (escaped or quoted) and as it reads once decoded,
// which is how a driver's error may quote it.
func passwords(raw string) []string {
	var out []string
	add := func(pw string) {
		if pw != "" {
			out = append(out, pw)
		}
	}
	if _, rest, ok := strings.Cut(raw, "://"); ok {
		authority, _, _ := strings.Cut(rest, "/")
		if at := strings.LastIndex(authority, "@"); at >= 0 {
			if _, pw, ok := strings.Cut(authority[:at], ":"); ok {
				add(pw)
				if dec, err := url.PathUnescape(pw); err == nil {
					add(dec)
				}
			}
		}
		_, query, _ := strings.Cut(rest, "?")
		for pair := range strings.SplitSeq(query, "&") {
			if v, ok := strings.CutPrefix(pair, "password="); ok {
				add(v)
				if dec, err := url.QueryUnescape(v); err == nil {
					add(dec)
				}
			}
		}
	}
	for _, m := range keyValuePassword.FindAllStringSubmatch(raw, -1) {
		add(m[1] + m[2])
	}
	return out
}

// keyValuePassword matches the password of a key=value connection string,
// quoted (it may hold spaces) or not.
var keyValuePassword = regexp.MustCompile(`(?:^|\s)password\s*=\s*(?:'((?:[^'\\]|\\.)*)'|([^\s']+))`)
