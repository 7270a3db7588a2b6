package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/robfig/cron/v3"

	"github.com/dalil-news/dalil/digest"
	"github.com/dalil-news/dalil/embeddings"
	"github.com/dalil-news/dalil/feeds"
	"github.com/dalil-news/dalil/ingest"
	"github.com/dalil-news/dalil/internal/cliflags"
	"github.com/dalil-news/dalil/internal/config"
	"github.com/dalil-news/dalil/internal/progress"
	"github.com/dalil-news/dalil/lexicon"
	"github.com/dalil-news/dalil/llm"
	"github.com/dalil-news/dalil/postgres"
	"github.com/dalil-news/dalil/rag"
)

// newEmbedder returns the configured embedder: OpenAI-compatible when
// EMBEDDING_MODEL is set, the offline one otherwise.
func newEmbedder(cfg config.Config) (rag.Embedder, error) {
	if cfg.EmbeddingModel == "" {
		return embeddings.NewOffline(embeddings.OfflineConfig{Dimensions: cfg.EmbeddingDimensions}), nil
	}
	emb, err := embeddings.NewOpenAI(embeddings.OpenAIConfig{
		BaseURL:    cfg.EmbeddingBaseURL,
		APIKey:     cfg.EmbeddingAPIKey,
		Model:      cfg.EmbeddingModel,
		Dimensions: cfg.EmbeddingDimensions,
	})
	if err != nil {
		return nil, fmt.Errorf("the EMBEDDING_* settings (EMBEDDING_MODEL, EMBEDDING_DIMENSIONS, EMBEDDING_BASE_URL): %w", err)
	}
	return emb, nil
}

// newChat returns the configured chat model, or nil when CHAT_MODEL is unset.
func newChat(cfg config.Config) (rag.Chat, error) {
	if cfg.ChatModel == "" {
		return nil, nil
	}
	chat, err := llm.New(llm.Config{
		BaseURL: cfg.OpenAIBaseURL,
		APIKey:  cfg.OpenAIAPIKey,
		Model:   cfg.ChatModel,
		Timeout: cfg.ChatTimeout,
	})
	if err != nil {
		return nil, fmt.Errorf("the chat model's settings (CHAT_MODEL, OPENAI_BASE_URL, CHAT_TIMEOUT): %w", err)
	}
	return chat, nil
}

// app is dalil's wiring, in one place: the configuration, the output
// streams and the logger, and the adapters the commands share, each built
// once: the store, the embedder, the chat model, the rag service and the
// fetcher. Run runs a command; Close releases what it opened.
type app struct {
	cfg    config.Config
	stdout io.Writer
	stderr io.Writer
	log    *slog.Logger

	store   *postgres.Store
	emb     rag.Embedder
	chat    rag.Chat
	rag     *rag.Service
	fetcher *ingest.Fetcher
	dicts   *lexicon.Lazy // opened on the first question (serve: at start)
}

// commands are the subcommands by name.
var commands = map[string]command{
	"ingest":    cmdIngest,
	"search":    cmdSearch,
	"ask":       cmdAsk,
	"eval":      cmdEval,
	"migrate":   cmdMigrate,
	"reindex":   cmdReindex,
	"summarize": cmdSummarize,
	"feeds":     cmdFeeds,
	"digest":    cmdDigest,
	"serve":     cmdServe,
	"feedback":  cmdFeedback,
	"report":    cmdReport,
}

// Run runs the subcommand args[0] with the rest of args.
func (a *app) Run(ctx context.Context, args []string) error {
	cmd, ok := commands[args[0]]
	if !ok {
		return fmt.Errorf("unknown command %q; run 'dalil help'", args[0])
	}
	err := cmd(ctx, a, args[1:])
	if errors.Is(err, rag.ErrNoChat) {
		return fmt.Errorf("%w (set CHAT_MODEL)", err)
	}
	return err
}

// Close releases the database pool, if a command opened it.
func (a *app) Close() {
	if a.store != nil {
		a.store.Close()
	}
}

// openStore connects to the database and applies the migrations (once).
func (a *app) openStore(ctx context.Context) error {
	if a.store != nil {
		return nil
	}
	store, err := postgres.Open(ctx, a.cfg.DatabaseURL, postgres.Config{
		HNSWM: a.cfg.HNSWM, HNSWEfConstruction: a.cfg.HNSWEfConstruction, EfSearch: a.cfg.HNSWEfSearch,
		StatementTimeout: a.cfg.DBStatementTimeout, MaintenanceTimeout: a.cfg.DBMaintenanceTimeout, MemberHashKey: a.cfg.MemberHashKey,
	})
	if errors.Is(err, postgres.ErrBadURL) {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	if err != nil {
		return fmt.Errorf("%w\n(is the database running? 'make db' starts the local one, or set DATABASE_URL)", err)
	}
	if err := store.Migrate(ctx); err != nil {
		store.Close()
		return err
	}
	a.store = store
	return nil
}

// openWithEmbedder builds the configured embedder and opens the store.
func (a *app) openWithEmbedder(ctx context.Context) (rag.Embedder, error) {
	emb, err := newEmbedder(a.cfg)
	if err != nil {
		return nil, err
	}
	return emb, a.openStore(ctx)
}

// open builds the embedder and the chat model, opens the store, checks
// that its index was built by this embedder, finishes an interrupted bulk
// load, and wires the rag service and the fetcher (once).
func (a *app) open(ctx context.Context) error {
	if a.rag != nil {
		return nil
	}
	chat, err := newChat(a.cfg)
	if err != nil {
		return err
	}
	emb, err := a.openWithEmbedder(ctx)
	if err != nil {
		return err
	}
	if err := a.store.EnsureEmbedder(ctx, emb.Name(), emb.Dimensions()); err != nil {
		return err
	}
	// A killed bulk load (ingest --bulk) may have left the vector index
	// missing and the word counts stale.
	if err := ingest.RepairBulk(ctx, a.store, func(s ingest.Step) {
		if s == ingest.BuildIndex {
			fmt.Fprintf(a.stderr, "%s (a bulk load was interrupted); on a large archive this takes minutes…\n", s)
		} else {
			fmt.Fprintf(a.stderr, "%s (a bulk load was interrupted)…\n", s)
		}
	}); err != nil {
		return err
	}
	a.emb, a.chat = emb, chat
	a.wire()
	return nil
}

// wire builds the rag service and the fetcher over the store, the embedder
// and the chat model.
func (a *app) wire() {
	a.dicts = lexicon.OpenLazily(a.cfg.DictionariesDir, func(err error) {
		a.log.Warn("cross-lingual search without dictionaries (scripts/dicts.sh installs them, or set DICTIONARIES_DIR)", "err", err)
	})
	a.rag = rag.NewService(a.store, a.emb, a.chat, rag.Config{
		K:             a.cfg.SearchK,
		PerArticle:    a.cfg.PerArticle,
		MinSimilarity: a.cfg.MinSimilarity,
		ContextChars:  a.cfg.ContextChars,
		Location:      a.cfg.TimeZone,
		// The chat model translates questions into the archive's languages.
		ArchiveLanguages: a.store.Languages,
		Translator:       a.dicts,
	})
	a.fetcher = ingest.NewFetcher(ingest.Config{
		MaxBytes: a.cfg.FetchMaxBytes, Timeout: a.cfg.FetchTimeout, AllowPrivate: a.cfg.FetchAllowPrivate,
	})
}

// newPoller returns a feed poller that stores through the rag service and
// fetches feeds and pages with the app's fetcher.
func (a *app) newPoller() *feeds.Poller {
	return feeds.NewPoller(a.store, a.rag, a.fetcher, a.log, feeds.Config{
		Client:      a.fetcher.Client(),
		MaxBytes:    a.cfg.FetchMaxBytes,
		MaxFailures: a.cfg.FeedMaxFailures,
	})
}

// newScheduler returns the digest scheduler (poster nil: previews only).
func (a *app) newScheduler(poster digest.Poster) (*digest.Scheduler, error) {
	comp := digest.NewComposer(a.emb, a.chat, digest.ComposerConfig{ContextChars: a.cfg.ContextChars})
	return digest.NewScheduler(comp, a.store, poster, a.log, digest.SchedulerConfig{
		ParseSchedule: func(spec string) (digest.Schedule, error) { return cron.ParseStandard(spec) },
		Grace:         a.cfg.DigestGrace,
		MaxStories:    a.cfg.DigestMaxStories,
		MaxAge:        a.cfg.DigestMaxAge,
	})
}

func cmdMigrate(ctx context.Context, a *app, args []string) error {
	fs := cliflags.New(a.stdout, "migrate", `

Applies the migrations (embedded, numbered: extensions, tables, indexes)
that the database at DATABASE_URL lacks, as every command does when it
opens it, and says how many it applied. Running it twice is harmless.`)
	if pos, err := cliflags.Parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return cliflags.UsageError(fs, "migrate: unexpected arguments %q", pos)
	}
	if err := a.openStore(ctx); err != nil {
		return err
	}
	db := postgres.Redact(a.cfg.DatabaseURL)
	n, total := a.store.MigrationsApplied()
	if n == 0 {
		fmt.Fprintf(a.stdout, "database %s is up to date\n", db)
	} else {
		fmt.Fprintf(a.stdout, "applied %d of %d migrations to %s\n", n, total, db)
	}
	return nil
}

func cmdReindex(ctx context.Context, a *app, args []string) error {
	fs := cliflags.New(a.stdout, "reindex", `

Re-embeds every chunk with the configured embedder (EMBEDDING_MODEL, or
the offline one) and rebuilds the vector index, after a change of embedder,
which dalil otherwise refuses to mix. Progress goes to stderr.`)
	if pos, err := cliflags.Parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return cliflags.UsageError(fs, "reindex: unexpected arguments %q", pos)
	}
	emb, err := a.openWithEmbedder(ctx)
	if err != nil {
		return err
	}
	p := progress.New(a.stderr, "re-embedded", "chunks")
	err = a.store.Reindex(ctx, emb.Name(), emb.Dimensions(), emb.Embed, p.Set)
	p.Done()
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	fmt.Fprintf(a.stdout, "index rebuilt with %s (%d dimensions)\n", emb.Name(), emb.Dimensions())
	return nil
}
