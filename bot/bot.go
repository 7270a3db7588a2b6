// Package bot is dalil's Discord adapter: slash commands (/ask, /summarize,
// /sources, and the admin commands /ingest, /forget, /stats, /digest,
// /feeds), answers to mentions in threads with follow-up conversations,
// all of dalil's Discord rendering (answers and digests, with one Markdown
// escaper and one message splitter, within Discord's limits), the digest
// Poster, permission checks, rate limits, a bounded worker pool and
// feedback votes.
//
// The bot declares the small interfaces it consumes (Answerer, Summarizer,
// ArticleStore, StatsReader, Extractor, Ingester, FeedbackStore,
// DigestControl, FeedStore, FeedPoller); cmd/dalil wires them to the rag
// service and scheduler, the PostgreSQL store and the ingest and feeds
// packages.
//
// Conversations in threads are kept in memory: a bounded map from thread ID
// to the last turns. After a restart, a thread the bot started earlier is no
// longer a conversation; mentioning the bot there starts a new one. Reading
// the thread back over REST would survive restarts, but costs a request per
// follow-up and the MESSAGE_CONTENT intent to read members' earlier messages.
//
// NewSession builds the discordgo Session dalil serve runs on, its REST
// requests sent to another API base when asked (a REST proxy shared by
// replicas, or a test fake); LogDiscordgo routes discordgo's own log lines
// into slog; Bot.Ready reports whether the gateway is connected, for the
// admin server's /readyz.
//
// Follow-ups without a mention need the privileged MESSAGE_CONTENT intent
// (Config.MessageContent): without it Discord delivers such messages with
// empty content, and members must mention the bot in the thread too.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/dalil-news/dalil/digest"
	"github.com/dalil-news/dalil/rag"
)

// Answerer answers a member's question from the archive. Errors wrap
// rag.ErrEmptyInput for an empty question and rag.ErrUnavailable when the
// chat model or the embedding API failed after retries.
type Answerer interface {
	Ask(ctx context.Context, q rag.Question) (rag.Answer, error)
}

// ArticleStore reads (see rag.ArticleFinder) and removes stored articles.
// Lookups of missing articles return an error wrapping rag.ErrNotFound.
type ArticleStore interface {
	rag.ArticleFinder
	DeleteArticle(ctx context.Context, id int64) error
}

// Stats describes the archive for /stats.
type Stats struct {
	Articles      int64
	Chunks        int64
	Embedder      string
	Dimensions    int
	DatabaseBytes int64
	NewestIngest  time.Time // zero when the archive is empty
}

// StatsReader reports the contents of the archive.
type StatsReader interface {
	Stats(ctx context.Context) (Stats, error)
}

// Extractor turns a URL or an uploaded file into a cleaned article, without
// storing it. Errors name the input.
type Extractor interface {
	// FetchURL fetches the page at url and extracts its article.
	FetchURL(ctx context.Context, url string) (rag.Article, error)
	// ExtractFile extracts the article of an uploaded file; url is where
	// Discord serves it, name its file name.
	ExtractFile(name, url, contentType string, body []byte) (rag.Article, error)
}

// Ingester chunks, embeds and stores an article; rag.Service is one.
type Ingester interface {
	Ingest(ctx context.Context, a rag.Article) (rag.IngestResult, error)
}

// Summarizer summarizes a stored article in a language ("" for the
// article's own); rag.Service is one. The error wraps rag.ErrNotFound when
// there is no such article.
type Summarizer interface {
	Summarize(ctx context.Context, articleID int64, lang string) (rag.Summary, error)
}

// FeedbackStore keeps votes, one per member and message: saving again
// replaces the member's earlier vote on that message.
type FeedbackStore interface {
	SaveFeedback(ctx context.Context, f rag.Feedback) error
}

// DigestControl configures channels' daily digests and posts or previews
// them; cmd/dalil connects it to the store and the digest.Scheduler.
type DigestControl interface {
	// DigestChannel returns a channel's digest settings; the error wraps
	// rag.ErrNotFound when the channel has none.
	DigestChannel(ctx context.Context, channelID string) (digest.Channel, error)
	// SetDigestChannel stores a channel's settings and returns them as stored.
	SetDigestChannel(ctx context.Context, c digest.Channel) (digest.Channel, error)
	// ChannelSchedule parses a channel's schedule in its time zone; the
	// error names the bad schedule or time zone.
	ChannelSchedule(c digest.Channel) (digest.Schedule, *time.Location, error)
	// PostNow posts the channel's digest of everything since its last one,
	// recorded so that it is never posted twice, and returns it; a digest
	// that renders as no message means nothing new.
	PostNow(ctx context.Context, channelID string) (digest.Digest, error)
	// Preview composes, without posting or recording, the digest the
	// channel would get now.
	Preview(ctx context.Context, c digest.Channel) (digest.Digest, error)
}

// FeedStore keeps the RSS/Atom feeds the poller follows; *postgres.Store
// is one. Lookups of missing feeds return an error wrapping rag.ErrNotFound.
type FeedStore interface {
	// AddFeed subscribes to the feed at a canonical URL; created is false
	// when it was there already (its interval is then updated).
	AddFeed(ctx context.Context, url string, interval time.Duration) (f rag.Feed, created bool, err error)
	Feeds(ctx context.Context) ([]rag.Feed, error)
	Feed(ctx context.Context, id int64) (rag.Feed, error)
	FeedByURL(ctx context.Context, url string) (rag.Feed, error)
	RemoveFeed(ctx context.Context, id int64) error
}

// FeedPollResult counts what one poll of a feed did.
type FeedPollResult struct {
	Items int // items read
	New   int // articles created or updated
}

// FeedPoller polls one feed at once, ingesting its new items and saving
// its state; cmd/dalil connects it to the feeds package.
type FeedPoller interface {
	PollFeed(ctx context.Context, f rag.Feed) (FeedPollResult, error)
	// CheckFeed fetches and parses the feed at url once, without storing
	// anything: an error says why it is not a feed dalil can read.
	CheckFeed(ctx context.Context, url string) error
}

// Deps are the services the bot uses. Answerer is required; a command whose
// dependency is nil is not registered.
type Deps struct {
	Answerer  Answerer
	Articles  ArticleStore
	Stats     StatsReader
	Extractor Extractor
	Ingester  Ingester
	Feedback  FeedbackStore
	// Summarizer enables /summarize (it also needs Articles).
	Summarizer Summarizer
	// Digests enables /digest.
	Digests DigestControl
	// Feeds enables /feeds and the feed health in /stats.
	Feeds FeedStore
	// FeedPoller polls a feed added with /feeds add at once; nil leaves
	// the first poll to the background poller.
	FeedPoller FeedPoller
	// CanonicalURL normalizes a URL given to /forget or /summarize the way
	// articles' URLs are stored; nil uses URLs as given.
	CanonicalURL func(raw string) (string, error)
	// Log receives structured logs (nil: discarded). Tokens are never logged.
	Log *slog.Logger
	// Registerer receives the bot's Prometheus metrics (nil: a private registry).
	Registerer prometheus.Registerer
}

// Config tunes the bot. Zero fields take the defaults noted.
type Config struct {
	// GuildIDs lists the guilds to register commands in; empty registers
	// them globally (global commands take up to an hour to appear).
	GuildIDs []string
	// AdminRoleIDs lists roles allowed to run admin commands, besides
	// members with the Manage Server permission.
	AdminRoleIDs []string
	// MessageContent asks for the privileged MESSAGE_CONTENT intent, so
	// that follow-ups in the bot's threads need no mention.
	MessageContent bool
	// AskTimeout bounds one answer (default 90s).
	AskTimeout time.Duration
	// IngestTimeout bounds one /ingest (default 3m).
	IngestTimeout time.Duration
	// ShutdownTimeout bounds how long Run waits for answers in flight and
	// queued after its context ends (default 20s); its last quarter, up to
	// 3s, is kept for telling the rest that the bot restarts.
	ShutdownTimeout time.Duration
	// Workers answer questions concurrently (default 4); QueueSize more
	// may wait (default 32).
	Workers   int
	QueueSize int
	// UserPerMinute and UserBurst are each member's token bucket for
	// questions (defaults 6 and 3); GuildPerMinute and GuildBurst each
	// guild's (defaults 60 and 20).
	UserPerMinute  int
	UserBurst      int
	GuildPerMinute int
	GuildBurst     int
	// StreamInterval is the least time between two edits of a streamed
	// answer (default 1s).
	StreamInterval time.Duration
	// MaxAttachmentBytes caps an ingested attachment (default 10 MiB).
	MaxAttachmentBytes int64
	// AttachmentHosts are where /ingest file downloads attachments from:
	// host names, over https, or origins scheme://host[:port], such as a
	// test fake's http://127.0.0.1:8080 (default Discord's CDN:
	// cdn.discordapp.com and media.discordapp.net).
	AttachmentHosts []string
	// MaxConversations caps the threads remembered (default 1000) and
	// HistoryTurns the messages kept of each (default 8).
	MaxConversations int
	HistoryTurns     int
	// FeedInterval is the time between polls of a feed added without an
	// interval (default 30m).
	FeedInterval time.Duration
	// FeedMaxFailures is the number of consecutive failures after which a
	// feed is shown unhealthy (default 5, as the poller's).
	FeedMaxFailures int
}

func (c Config) withDefaults() Config {
	dur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	num := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	dur(&c.AskTimeout, 90*time.Second)
	dur(&c.IngestTimeout, 3*time.Minute)
	dur(&c.ShutdownTimeout, 20*time.Second)
	dur(&c.StreamInterval, time.Second)
	num(&c.Workers, 4)
	num(&c.QueueSize, 32)
	num(&c.UserPerMinute, 6)
	num(&c.UserBurst, 3)
	num(&c.GuildPerMinute, 60)
	num(&c.GuildBurst, 20)
	num(&c.MaxConversations, 1000)
	num(&c.HistoryTurns, 8)
	dur(&c.FeedInterval, 30*time.Minute)
	num(&c.FeedMaxFailures, 5)
	if c.MaxAttachmentBytes <= 0 {
		c.MaxAttachmentBytes = 10 << 20
	}
	if len(c.AttachmentHosts) == 0 {
		c.AttachmentHosts = []string{"cdn.discordapp.com", "media.discordapp.net"}
	}
	return c
}

// Intents returns the gateway intents the bot identifies with: guilds,
// guild messages and direct messages, plus message content when asked.
func (c Config) Intents() discordgo.Intent {
	in := discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages
	if c.MessageContent {
		in |= discordgo.IntentsMessageContent
	}
	return in
}

// Bot is a running Discord bot. Create it with New and start it with Run.
type Bot struct {
	s       *discordgo.Session
	deps    Deps
	cfg     Config
	log     *slog.Logger
	metrics *metrics
	limiter *limiter
	pool    *pool
	convs   *conversations
	votes   *answerCache
	seen    *seenSet

	// work is the context of handlers and answers; it outlives Run's
	// context until the shutdown deadline, less replyMargin.
	work       context.Context
	cancelWork context.CancelFunc
	// replies is the context of the messages that end a question (the
	// answer, an apology, "restarting"); it ends at the shutdown deadline.
	replies       context.Context
	cancelReplies context.CancelFunc
	stopping      atomic.Bool
	connected     atomic.Bool // the gateway session is open (Ready)
	inflight      sync.WaitGroup
	started       time.Time
}

// New returns a bot over a discordgo session that is not opened yet. It
// sets the session's intents and adds the bot's handlers.
func New(session *discordgo.Session, deps Deps, cfg Config) (*Bot, error) {
	if session == nil {
		return nil, errors.New("bot: session is nil")
	}
	if deps.Answerer == nil {
		return nil, errors.New("bot: Deps.Answerer is required")
	}
	if (deps.Extractor == nil) != (deps.Ingester == nil) {
		return nil, errors.New("bot: Deps.Extractor and Deps.Ingester go together")
	}
	cfg = cfg.withDefaults()
	log := deps.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	reg := deps.Registerer
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	m, err := newMetrics(reg)
	if err != nil {
		return nil, err
	}
	b := &Bot{
		s:       session,
		deps:    deps,
		cfg:     cfg,
		log:     log,
		metrics: m,
		limiter: newLimiter(cfg),
		convs:   newConversations(cfg.MaxConversations, cfg.HistoryTurns),
		votes:   newAnswerCache(2000),
		seen:    newSeenSet(20 * time.Minute),
	}
	b.work, b.cancelWork = context.WithCancel(context.Background())
	b.replies, b.cancelReplies = context.WithCancel(context.Background())
	b.pool = newPool(cfg.Workers, cfg.QueueSize)
	session.Identify.Intents = cfg.Intents()
	session.AddHandler(b.onInteraction)
	session.AddHandler(b.onMessage)
	b.trackConnection()
	return b, nil
}

// Run opens the gateway, registers the slash commands and serves until ctx
// ends. It then stops taking questions, lets those in flight finish for up
// to Config.ShutdownTimeout, cancels the rest and closes the gateway.
// Questions already queued are answered within that window too; only
// those it cannot fit are told the bot restarts.
func (b *Bot) Run(ctx context.Context) error {
	b.started = time.Now()
	if err := b.s.Open(); err != nil {
		b.cancelWork()
		b.cancelReplies()
		return fmt.Errorf("open the Discord gateway: %w", err)
	}
	b.log.Info("connected to Discord", "intents", int(b.cfg.Intents()))
	go b.pool.run(b.work)
	if err := b.register(ctx); err != nil {
		b.shutdown()
		return err
	}
	<-ctx.Done()
	b.log.Info("shutting down", "deadline", b.cfg.ShutdownTimeout)
	return b.shutdown()
}

// replyMargin is the part of the shutdown window kept for telling the
// members whose answers were cancelled that the bot restarts.
func replyMargin(window time.Duration) time.Duration { return min(3*time.Second, window/4) }

// shutdown stops taking questions and answers those in flight and queued
// until the shutdown deadline less replyMargin; it then cancels the rest,
// whose members are told the bot restarts within the margin, and closes
// the gateway without letting a racing heartbeat reconnect.
func (b *Bot) shutdown() error {
	b.stopping.Store(true)
	b.pool.close()
	done := make(chan struct{})
	go func() {
		b.inflight.Wait()
		b.pool.wait()
		close(done)
	}()
	margin := replyMargin(b.cfg.ShutdownTimeout)
	select {
	case <-done:
	case <-time.After(b.cfg.ShutdownTimeout - margin):
		b.log.Warn("shutdown deadline near: cancelling answers in flight and questions still queued")
		b.cancelWork()
		select {
		case <-done:
		case <-time.After(margin):
			b.log.Warn("shutdown deadline reached: closing with replies unsent")
			b.cancelReplies()
			<-done
		}
	}
	b.cancelWork()
	b.cancelReplies()
	b.s.Lock()
	b.s.ShouldReconnectOnError = false
	b.s.Unlock()
	if err := b.s.Close(); err != nil {
		return fmt.Errorf("close the Discord gateway: %w", err)
	}
	return nil
}

// appID returns the application's ID, known once the gateway is ready.
func (b *Bot) appID() string {
	b.s.State.RLock()
	defer b.s.State.RUnlock()
	if b.s.State.Application != nil && b.s.State.Application.ID != "" {
		return b.s.State.Application.ID
	}
	if b.s.State.User != nil {
		return b.s.State.User.ID
	}
	return ""
}

// botUserID returns the bot's user ID, known once the gateway is ready.
func (b *Bot) botUserID() string {
	b.s.State.RLock()
	defer b.s.State.RUnlock()
	if b.s.State.User != nil {
		return b.s.State.User.ID
	}
	return ""
}

// httpClient is the client for attachment downloads: the session's, so
// that its transport and timeouts apply.
func (b *Bot) httpClient() *http.Client {
	if b.s.Client != nil {
		return b.s.Client
	}
	return http.DefaultClient
}
