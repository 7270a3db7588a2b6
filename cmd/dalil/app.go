package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/dalil-news/dalil/embeddings"
	"github.com/dalil-news/dalil/llm"
	"github.com/dalil-news/dalil/postgres"
	"github.com/dalil-news/dalil/rag"
)

// parseArgs parses flags that may come before or after the positional
// arguments ("dalil ask --json Q" and "dalil ask Q --json").
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// newEmbedder returns the configured embedder: OpenAI-compatible when
// EMBEDDING_MODEL is set, the offline one otherwise.
func newEmbedder(cfg Config) (rag.Embedder, error) {
	if cfg.EmbeddingModel == "" {
		return embeddings.NewOffline(embeddings.OfflineConfig{Dimensions: cfg.EmbeddingDimensions}), nil
	}
	return embeddings.NewOpenAI(embeddings.OpenAIConfig{
		BaseURL:    cfg.EmbeddingBaseURL,
		APIKey:     cfg.EmbeddingAPIKey,
		Model:      cfg.EmbeddingModel,
		Dimensions: cfg.EmbeddingDimensions,
	})
}

// newChat returns the configured chat model, or nil when CHAT_MODEL is unset.
func newChat(cfg Config) (rag.Chat, error) {
	if cfg.ChatModel == "" {
		return nil, nil
	}
	return llm.New(llm.Config{
		BaseURL: cfg.OpenAIBaseURL,
		APIKey:  cfg.OpenAIAPIKey,
		Model:   cfg.ChatModel,
		Timeout: cfg.ChatTimeout,
	})
}

// openStore connects to the database and applies the migrations.
func openStore(ctx context.Context, cfg Config) (*postgres.Store, error) {
	store, err := postgres.Open(ctx, cfg.DatabaseURL, postgres.Config{
		HNSWM: cfg.HNSWM, HNSWEfConstruction: cfg.HNSWEfConstruction, EfSearch: cfg.HNSWEfSearch,
	})
	if err != nil {
		return nil, fmt.Errorf("%w\n(is the database running? 'make db' starts the local one, or set DATABASE_URL)", err)
	}
	if err := store.Migrate(ctx); err != nil {
		store.Close()
		return nil, err
	}
	return store, nil
}

// services is what the commands that read or write articles share.
type services struct {
	store *postgres.Store
	emb   rag.Embedder
	chat  rag.Chat
	rag   *rag.Service
}

// openServices wires the store, the embedder, the chat model and the rag
// service, and checks that the index was built by this embedder.
func openServices(ctx context.Context, e *env) (*services, error) {
	emb, err := newEmbedder(e.cfg)
	if err != nil {
		return nil, err
	}
	chat, err := newChat(e.cfg)
	if err != nil {
		return nil, err
	}
	store, err := openStore(ctx, e.cfg)
	if err != nil {
		return nil, err
	}
	if err := store.EnsureEmbedder(ctx, emb.Name(), emb.Dimensions()); err != nil {
		store.Close()
		return nil, err
	}
	// A killed bulk load (ingest --bulk) may have left the vector index
	// missing and the word counts stale.
	indexMissing := func(ctx context.Context) (bool, error) {
		ok, err := store.VectorIndexExists(ctx)
		return !ok, err
	}
	for _, r := range []struct {
		broken func(context.Context) (bool, error)
		fix    func(context.Context) error
		say    string
	}{
		{indexMissing, store.BuildVectorIndex, "building the vector index (a bulk load was interrupted); on a large archive this takes minutes…"},
		{store.TextStatsStale, store.RecountTextStats, "counting words (a bulk load was interrupted)…"},
	} {
		broken, err := r.broken(ctx)
		if err == nil && broken {
			fmt.Fprintln(e.stderr, r.say)
			err = r.fix(ctx)
		}
		if err != nil {
			store.Close()
			return nil, err
		}
	}
	svc := rag.NewService(store, emb, chat, rag.Config{
		K:             e.cfg.SearchK,
		PerArticle:    e.cfg.PerArticle,
		MinSimilarity: e.cfg.MinSimilarity,
		ContextChars:  e.cfg.ContextChars,
		Location:      e.cfg.TimeZone,
	})
	return &services{store: store, emb: emb, chat: chat, rag: svc}, nil
}

// Close releases the database pool.
func (s *services) Close() { s.store.Close() }

func cmdMigrate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "migrate", "")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	store, err := openStore(ctx, e.cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	fmt.Fprintf(e.stdout, "database %s is up to date\n", redactURL(e.cfg.DatabaseURL))
	return nil
}

func cmdReindex(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "reindex", "")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	emb, err := newEmbedder(e.cfg)
	if err != nil {
		return err
	}
	store, err := openStore(ctx, e.cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	p := newProgress(e.stderr, "re-embedded", "chunks")
	err = store.Reindex(ctx, emb.Name(), emb.Dimensions(), emb.Embed, func(done, total int) { p.set(done, total) })
	p.done()
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	fmt.Fprintf(e.stdout, "index rebuilt with %s (%d dimensions)\n", emb.Name(), emb.Dimensions())
	return nil
}
