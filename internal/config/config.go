// Package config reads dalil's settings from environment variables (and a
// .env file) into one validated Config. It reads nothing itself: the
// command passes it a lookup function (os.Getenv), so that tests can pass
// theirs. .env.example documents every variable.
package config

import (
	"bufio"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/dalil-news/dalil/digest"
	"github.com/dalil-news/dalil/lexicon"
	"github.com/dalil-news/dalil/rag"
)

// DefaultPGPort is the port of the local development cluster that `make
// demo` (scripts/devdb.sh) provisions, unless DALIL_PGPORT says otherwise.
const DefaultPGPort = 54329

// DefaultDatabaseURL returns the URL of the local development database on
// port, as scripts/devdb.sh provisions it.
func DefaultDatabaseURL(port int) string {
	return fmt.Sprintf("postgres://dalil@127.0.0.1:%d/dalil?sslmode=disable", port)
}

// Config is every setting of dalil, read once from the environment (and a
// .env file) and validated. .env.example documents each variable.
type Config struct {
	DatabaseURL string

	OpenAIBaseURL string
	OpenAIAPIKey  string

	EmbeddingModel      string
	EmbeddingBaseURL    string
	EmbeddingAPIKey     string
	EmbeddingDimensions int

	ChatModel    string
	ChatTimeout  time.Duration
	ContextChars int

	TimeZone *time.Location

	// DictionariesDir holds the FreeDict dictionaries for cross-lingual
	// search (default lexicon.DefaultDir).
	DictionariesDir string

	FetchAllowPrivate bool
	FetchTimeout      time.Duration
	FetchMaxBytes     int64

	SearchK       int
	PerArticle    int
	MinSimilarity float64

	// HNSW index: build parameters and the query-time candidate list (0:
	// postgres.Config's defaults, m 16, ef_construction 64, ef_search 40).
	HNSWM              int
	HNSWEfConstruction int
	HNSWEfSearch       int

	// DBStatementTimeout bounds every database statement;
	// DBMaintenanceTimeout those that read or rewrite the whole archive
	// (index builds, word recounts, migrations, reindexing).
	DBStatementTimeout   time.Duration
	DBMaintenanceTimeout time.Duration

	FeedInterval    time.Duration
	FeedMaxFailures int

	DigestGrace      time.Duration
	DigestMaxStories int
	// DigestMaxAge leaves out of a digest the articles published longer
	// than this before it (DIGEST_MAX_AGE, default 72h).
	DigestMaxAge time.Duration

	LogLevel  string
	LogFormat string

	// Discord bot (dalil serve). DiscordToken is a secret: never logged.
	DiscordToken          string
	DiscordGuildIDs       []string
	DiscordAdminRoleIDs   []string
	DiscordMessageContent bool
	AdminAddr             string
	AskTimeout            time.Duration
	ShutdownTimeout       time.Duration
	Workers               int
	QueueSize             int
	RateUserPerMinute     int
	RateUserBurst         int
	RateGuildPerMinute    int
	RateGuildBurst        int
	// MemberHashKey keys the hashes that stand for members' Discord IDs
	// in the database (MEMBER_HASH_KEY, at least 32 bytes; "": a key kept
	// in the database). A secret: never logged.
	MemberHashKey string
	// AnswersRetention is how long answers and votes are kept
	// (ANSWERS_RETENTION, default 90 days; 0: forever).
	AnswersRetention time.Duration
	// AdminToken, required when AdminAddr is not a loopback address
	// (ADMIN_TOKEN, at least 16 bytes), guards the admin page and
	// /metrics. A secret: never logged.
	AdminToken string

	// InteractionsAddr is where dalil serve answers Discord's Interactions
	// Endpoint URL ("" for none); DiscordPublicKey, the application's
	// Ed25519 key, checks the requests' signatures and is required with
	// it. InteractionsOnly runs without the gateway (no mentions).
	InteractionsAddr string
	DiscordPublicKey ed25519.PublicKey
	InteractionsOnly bool

	// Several replicas of dalil serve (package shard, docs/deploy.md):
	// DISCORD_SHARD_ID and DISCORD_SHARD_COUNT fix the gateway shard
	// (count 0: unsharded, the default); DISCORD_SHARD_COUNT=auto sets
	// DiscordShardAuto instead, and each replica claims a free shard.
	DiscordShardID    int
	DiscordShardCount int
	DiscordShardAuto  bool
	// DiscordAPIBaseURL is where REST requests for discord.com go, without
	// a trailing slash: a REST proxy or a test fake (default
	// DefaultDiscordAPIBaseURL).
	DiscordAPIBaseURL string
	// DiscordAttachmentHosts are where /ingest file may download from, host
	// names (https) or origins, lowercased (empty: Discord's CDN).
	DiscordAttachmentHosts []string
}

// DefaultAnswersRetention is ANSWERS_RETENTION's default.
const DefaultAnswersRetention = 90 * 24 * time.Hour

// Lookup reads a setting, "" when it is unset: os.Getenv, or WithDotEnv's.
type Lookup func(key string) string

// WithDotEnv returns a lookup that falls back to the KEY=value lines of the
// file at path, and the absolute path of the file it read: "" and no
// fallback when there is no such file. Quotes around values are removed.
// A file that group or others may write is refused: whoever can write it
// chooses where dalil sends its API keys (OPENAI_BASE_URL).
func WithDotEnv(getenv Lookup, path string) (Lookup, string, error) {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return getenv, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, "", fmt.Errorf("read %s: %w", path, err)
	}
	if perm := fi.Mode().Perm(); perm&0o022 != 0 && runtime.GOOS != "windows" {
		return nil, "", fmt.Errorf("%s is writable by group or others (mode %04o), so another user could redirect dalil's API keys: refusing to read it; run 'chmod go-w %s'", path, perm, path)
	}
	vals := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		if !ok {
			return nil, "", fmt.Errorf("%s:%d: expected KEY=value", path, n)
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		vals[strings.TrimSpace(k)] = v
	}
	if err := sc.Err(); err != nil {
		return nil, "", fmt.Errorf("read %s: %w", path, err)
	}
	return func(key string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return vals[key]
	}, path, nil
}

// LoadWithDotEnv is Load over getenv and, for what it leaves unset, the
// .env file at path (WithDotEnv); it also returns the absolute path of the
// .env it read, "" when there was none.
func LoadWithDotEnv(getenv Lookup, path string) (Config, string, error) {
	lookup, read, err := WithDotEnv(getenv, path)
	if err != nil {
		return Config{}, "", err
	}
	cfg, err := Load(lookup)
	return cfg, read, err
}

// Logger returns the process logger, by LOG_LEVEL and LOG_FORMAT, writing to w.
func (c Config) Logger(w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// Load reads and validates the configuration. Every problem is
// reported, one per line.
func Load(getenv Lookup) (Config, error) {
	var errs []string
	str := func(key, def string) string {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			return v
		}
		return def
	}
	num := func(key string, def int) int {
		v := str(key, "")
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			errs = append(errs, fmt.Sprintf("%s=%q: want a non-negative whole number", key, v))
			return def
		}
		return n
	}
	// count reads a setting that must be 1 or more: 0 would not mean
	// "none" (a rate limit of 0 is no limit turned off), so it is refused
	// rather than read as the default.
	count := func(key string, def int) int {
		n := num(key, def)
		if n == 0 {
			errs = append(errs, fmt.Sprintf("%s=0: want at least 1 (unset it for the default, %d)", key, def))
			return def
		}
		return n
	}
	float := func(key string, def float64) float64 {
		v := str(key, "")
		if v == "" {
			return def
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s=%q: want a number", key, v))
			return def
		}
		return f
	}
	dur := func(key string, def time.Duration) time.Duration {
		v := str(key, "")
		if v == "" {
			return def
		}
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Sprintf("%s=%q: want a duration such as 30s or 2m", key, v))
			return def
		}
		return d
	}
	boolean := func(key string) bool {
		v := str(key, "false")
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s=%q: want true or false", key, v))
		}
		return b
	}
	c := Config{
		OpenAIBaseURL:       str("OPENAI_BASE_URL", "https://api.openai.com/v1"),
		OpenAIAPIKey:        str("OPENAI_API_KEY", ""),
		EmbeddingModel:      str("EMBEDDING_MODEL", ""),
		EmbeddingDimensions: num("EMBEDDING_DIMENSIONS", 0),
		ChatModel:           str("CHAT_MODEL", ""),
		ChatTimeout:         dur("CHAT_TIMEOUT", 60*time.Second),
		ContextChars:        count("CONTEXT_CHARS", rag.DefaultContextChars),
		DictionariesDir:     str("DICTIONARIES_DIR", lexicon.DefaultDir),
		FetchAllowPrivate:   boolean("FETCH_ALLOW_PRIVATE"),
		FetchTimeout:        dur("FETCH_TIMEOUT", 20*time.Second),
		FetchMaxBytes:       int64(count("FETCH_MAX_BYTES", 10<<20)),
		SearchK:             count("SEARCH_K", rag.DefaultK),
		PerArticle:          count("SEARCH_PER_ARTICLE", rag.DefaultPerArticle),
		MinSimilarity:       float("MIN_SIMILARITY", rag.DefaultMinSimilarity),
		FeedInterval:        dur("FEED_INTERVAL", 30*time.Minute),
		FeedMaxFailures:     count("FEED_MAX_FAILURES", 5),
		DigestGrace:         dur("DIGEST_GRACE", 3*time.Hour),
		DigestMaxStories:    count("DIGEST_MAX_STORIES", 12),
		DigestMaxAge:        dur("DIGEST_MAX_AGE", 72*time.Hour),
		LogLevel:            str("LOG_LEVEL", "info"),
		LogFormat:           str("LOG_FORMAT", "text"),
		DiscordToken:        str("DISCORD_TOKEN", ""),
		AdminAddr:           str("ADMIN_ADDR", "127.0.0.1:9090"),
		AskTimeout:          dur("ASK_TIMEOUT", 90*time.Second),
		ShutdownTimeout:     dur("SHUTDOWN_TIMEOUT", 20*time.Second),
		Workers:             count("WORKERS", 4),
		QueueSize:           count("QUEUE_SIZE", 32),
		RateUserPerMinute:   count("RATE_USER_PER_MINUTE", 6),
		RateUserBurst:       count("RATE_USER_BURST", 3),
		RateGuildPerMinute:  count("RATE_GUILD_PER_MINUTE", 60),
		RateGuildBurst:      count("RATE_GUILD_BURST", 20),
	}
	// Without DATABASE_URL, the dev cluster on the port scripts/devdb.sh
	// uses, so that `DALIL_PGPORT=… make demo` and bin/dalil agree.
	port := num("DALIL_PGPORT", DefaultPGPort)
	if port < 1 || port > 65535 {
		errs = append(errs, fmt.Sprintf("DALIL_PGPORT=%q: want a TCP port (1 to 65535)", getenv("DALIL_PGPORT")))
	}
	c.DatabaseURL = str("DATABASE_URL", DefaultDatabaseURL(port))
	c.HNSWM, c.HNSWEfConstruction, c.HNSWEfSearch = num("HNSW_M", 0), num("HNSW_EF_CONSTRUCTION", 0), num("HNSW_EF_SEARCH", 0)
	c.DBStatementTimeout, c.DBMaintenanceTimeout = dur("DB_STATEMENT_TIMEOUT", time.Minute), dur("DB_MAINTENANCE_TIMEOUT", 2*time.Hour)
	// The ranges pgvector accepts, checked here to name the variable.
	if c.HNSWM != 0 && (c.HNSWM < 2 || c.HNSWM > 100) {
		errs = append(errs, fmt.Sprintf("HNSW_M=%d: want 2 to 100", c.HNSWM))
	}
	if m := max(c.HNSWM, 16); c.HNSWEfConstruction != 0 && (c.HNSWEfConstruction < 2*m || c.HNSWEfConstruction > 1000) {
		errs = append(errs, fmt.Sprintf("HNSW_EF_CONSTRUCTION=%d: want %d (twice HNSW_M) to 1000", c.HNSWEfConstruction, 2*m))
	}
	if c.HNSWEfSearch > 1000 {
		errs = append(errs, fmt.Sprintf("HNSW_EF_SEARCH=%d: want 1 to 1000", c.HNSWEfSearch))
	}
	// The key is not trimmed: whatever bytes it has are the key.
	if c.MemberHashKey = getenv("MEMBER_HASH_KEY"); c.MemberHashKey != "" && len(c.MemberHashKey) < 32 {
		errs = append(errs, fmt.Sprintf("MEMBER_HASH_KEY: %d bytes, want at least 32 (e.g. openssl rand -hex 32)", len(c.MemberHashKey)))
	}
	c.AdminToken = adminToken(c.AdminAddr, str("ADMIN_TOKEN", ""), &errs)
	c.AnswersRetention = DefaultAnswersRetention
	if v := str("ANSWERS_RETENTION", ""); v != "" {
		d, err := parseRetention(v)
		if err != nil {
			errs = append(errs, fmt.Sprintf("ANSWERS_RETENTION=%q: %v", v, err))
		}
		c.AnswersRetention = d
	}
	c.DiscordMessageContent = boolean("DISCORD_MESSAGE_CONTENT")
	c.InteractionsAddr, c.InteractionsOnly = str("INTERACTIONS_ADDR", ""), boolean("INTERACTIONS_ONLY")
	c.DiscordPublicKey = publicKey(str("DISCORD_PUBLIC_KEY", ""), c.InteractionsAddr, &errs)
	if c.InteractionsOnly && c.InteractionsAddr == "" {
		errs = append(errs, "INTERACTIONS_ONLY=true without INTERACTIONS_ADDR: a replica without the gateway gets Discord's interactions only at its interactions endpoint")
	}
	c.DiscordGuildIDs = snowflakes("DISCORD_GUILD_IDS", str("DISCORD_GUILD_IDS", ""), &errs)
	c.DiscordAdminRoleIDs = snowflakes("DISCORD_ADMIN_ROLE_IDS", str("DISCORD_ADMIN_ROLE_IDS", ""), &errs)
	c.loadReplicas(str, &errs)
	c.EmbeddingBaseURL = str("EMBEDDING_BASE_URL", c.OpenAIBaseURL)
	c.EmbeddingAPIKey = str("EMBEDDING_API_KEY", c.OpenAIAPIKey)
	if c.EmbeddingModel == "" && c.EmbeddingDimensions == 0 {
		c.EmbeddingDimensions = 768
	}
	tz := str("DALIL_TIMEZONE", digest.DefaultTimeZone)
	loc, err := time.LoadLocation(tz)
	if err != nil || strings.EqualFold(tz, "Local") { // "Local" is Go's, unknown to PostgreSQL
		errs = append(errs, fmt.Sprintf("DALIL_TIMEZONE=%q: not an IANA time zone (e.g. Africa/Casablanca)", tz))
		loc = time.UTC
	}
	c.TimeZone = loc
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Sprintf("LOG_LEVEL=%q: want debug, info, warn or error", c.LogLevel))
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		errs = append(errs, fmt.Sprintf("LOG_FORMAT=%q: want text or json", c.LogFormat))
	}
	if len(errs) > 0 {
		return Config{}, fmt.Errorf("configuration:\n  %s", strings.Join(errs, "\n  "))
	}
	return c, nil
}

// parseRetention reads a retention: a number of days ("90d"), a duration
// ("720h") of at least an hour, or 0 for forever.
func parseRetention(v string) (time.Duration, error) {
	if v == "0" {
		return 0, nil
	}
	d, err := ParseDays(v)
	if err != nil || d < time.Hour {
		return 0, errors.New("want a number of days such as 90d, a duration of at least 1h, or 0 to keep them forever")
	}
	return d, nil
}

// ParseDays reads a positive span of time: a number of days ("7d") or a
// Go duration ("36h", "90m"), as settings and the commands' --since take.
func ParseDays(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if days, ok := strings.CutSuffix(v, "d"); ok {
		var n int
		n, err = strconv.Atoi(days)
		d = time.Duration(n) * 24 * time.Hour
	}
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q: want a number of days such as 7d or a duration such as 36h", v)
	}
	return d, nil
}

// adminToken checks ADMIN_TOKEN (token) against ADMIN_ADDR (addr): any
// token is 16 bytes or more, and an address other than loopback needs one.
func adminToken(addr, token string, errs *[]string) string {
	if token != "" && len(token) < 16 {
		*errs = append(*errs, fmt.Sprintf("ADMIN_TOKEN: %d bytes, want at least 16 (e.g. openssl rand -hex 16)", len(token)))
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		*errs = append(*errs, fmt.Sprintf("ADMIN_ADDR=%q: want host:port, such as 127.0.0.1:9090", addr))
		return token
	}
	ip := net.ParseIP(host)
	if token == "" && !strings.EqualFold(host, "localhost") && (ip == nil || !ip.IsLoopback()) {
		*errs = append(*errs, fmt.Sprintf("ADMIN_ADDR=%q is not a loopback address, so the admin page and /metrics need ADMIN_TOKEN: set it to a secret of at least 16 bytes (e.g. openssl rand -hex 16), or listen on 127.0.0.1", addr))
	}
	return token
}

// snowflakes parses a comma-separated list of Discord IDs (digits only).
func snowflakes(key, v string, errs *[]string) []string {
	ids := SplitList(v)
	for _, id := range ids {
		if _, err := strconv.ParseUint(id, 10, 64); err != nil {
			*errs = append(*errs, fmt.Sprintf("%s: %q is not a Discord ID (digits only; enable Developer Mode and use Copy ID)", key, id))
		}
	}
	return ids
}

// publicKey parses DISCORD_PUBLIC_KEY, which INTERACTIONS_ADDR (addr)
// requires.
func publicKey(v, addr string, errs *[]string) ed25519.PublicKey {
	if v == "" {
		if addr != "" {
			*errs = append(*errs, "INTERACTIONS_ADDR is set but DISCORD_PUBLIC_KEY is not: copy the application's Public Key from the Discord developer portal (General Information)")
		}
		return nil
	}
	key, err := hex.DecodeString(v)
	if err != nil || len(key) != ed25519.PublicKeySize {
		*errs = append(*errs, fmt.Sprintf("DISCORD_PUBLIC_KEY=%q: want the application's Public Key, %d hexadecimal digits (developer portal, General Information)", v, 2*ed25519.PublicKeySize))
		return nil
	}
	return key
}

// SplitList splits a comma-separated list, dropping empty items.
func SplitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
