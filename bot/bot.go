// Package bot is dalil's Discord adapter: slash commands (/ask, /summarize,
// /sources, and the admin commands /ingest, /forget, /stats, /digest,
// /feeds), answers to mentions in threads with follow-up conversations,
// all of dalil's Discord rendering (answers and digests, with one Markdown
// escaper and one message splitter, within Discord's limits), the digest
// Poster, permission checks, rate limits, a bounded worker pool and
// feedback votes.
//
// The bot declares the small interfaces it consumes (Answerer, Summarizer,
// ArticleStore, StatsReader, Insights, Extractor, Ingester, FeedbackStore,
// AnswerStore, DigestControl, FeedStore, FeedPoller, Claims); cmd/dalil
// wires them to the rag service and scheduler, the PostgreSQL store and the
// ingest and feeds packages.
//
// Every answer is stored (AnswerStore, PostgreSQL in dalil serve), with the
// member as a keyed hash: a thread or DM the bot has answered in is a
// conversation, whose follow-ups get its last turns from the store,
// and vote buttons carry the stored answer's ID. Both therefore work after
// a restart and on any replica. A follow-up sent before the thread's first
// answer is stored needs a mention. Answers and votes are purged after
// Config.AnswersRetention.
//
// Interactions come over the gateway or, when the application has an
// Interactions Endpoint URL, as signed HTTP requests (InteractionsHandler,
// served by Run on Config.InteractionsAddr); Discord uses one or the
// other. Both take the same path: only the first response differs (a REST
// callback, or the HTTP reply), and the rest goes through the interaction's
// webhook. With Config.InteractionsOnly the bot opens no gateway at all.
//
// Several replicas can run on one token and one database (Deps.Claims):
// each receives every event, claims it in the database before any work,
// and drops the events other replicas claimed. A replica heartbeats; the
// open claims of one silent for Config.ReplicaTimeout are taken over by a
// live one, which finishes them through the same handlers (see claims.go).
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
	"crypto/ed25519"
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
	"github.com/dalil-news/dalil/insights"
	"github.com/dalil-news/dalil/rag"
	"github.com/dalil-news/dalil/replica"
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

// Insights reports what members asked over a period and how the bot
// answered; *insights.Service is one. /stats shows its last week.
type Insights interface {
	Report(ctx context.Context, p insights.Period) (insights.Report, error)
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

// AnswerStore keeps the answers the bot gives, so that a conversation's
// follow-ups and the votes on an answer find it after a restart and on
// every replica; *postgres.Store is one. It keeps the keyed hash of
// AnswerRecord.UserID, never the ID; UserID is empty for an answer taken
// over from a dead replica (claims keep no member IDs).
type AnswerStore interface {
	// SaveAnswer stores an answer and returns its ID.
	SaveAnswer(ctx context.Context, a rag.AnswerRecord) (int64, error)
	// Answer returns a stored answer; the error wraps rag.ErrNotFound
	// when there is none (never stored, or purged).
	Answer(ctx context.Context, id int64) (rag.AnswerRecord, error)
	// ThreadAnswers returns the last n answers given in a conversation
	// (AnswerRecord.ThreadID), oldest first: none when the bot has not
	// answered there.
	ThreadAnswers(ctx context.Context, threadID string, n int) ([]rag.AnswerRecord, error)
	// PurgeAnswers deletes the answers and the votes older than retention
	// and returns how many of each it deleted.
	PurgeAnswers(ctx context.Context, retention time.Duration) (answers, votes int64, err error)
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
	// Answers keeps the answers given, which conversations and vote
	// buttons need: without it a message in a thread needs a mention and
	// is answered without the earlier turns, and answers carry no buttons.
	Answers AnswerStore
	// Summarizer enables /summarize (it also needs Articles).
	Summarizer Summarizer
	// Digests enables /digest.
	Digests DigestControl
	// Feeds enables /feeds and the feed health in /stats.
	Feeds FeedStore
	// Insights adds to /stats what members asked in the last week.
	Insights Insights
	// FeedPoller polls a feed added with /feeds add at once; nil leaves
	// the first poll to the background poller.
	FeedPoller FeedPoller
	// Claims shares the events among the replicas on one database and
	// lets them take over the work of dead ones; nil handles every event
	// this process receives, once.
	Claims Claims
	// RateLimits shares the rate limits among the replicas on one
	// database; nil (or a database that does not answer) lets each replica
	// count the questions it receives.
	RateLimits RateLimits
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
	// HistoryTurns is the number of a conversation's last messages
	// (questions and answers) given with a follow-up (default 8).
	HistoryTurns int
	// AnswersRetention is how long answers and votes are kept: older ones
	// are purged when Run starts and hourly after (0: kept forever).
	AnswersRetention time.Duration
	// FeedInterval is the time between polls of a feed added without an
	// interval (default 30m).
	FeedInterval time.Duration
	// FeedMaxFailures is the number of consecutive failures after which a
	// feed is shown unhealthy (default 5, as the poller's).
	FeedMaxFailures int
	// InteractionsAddr, when set, is the address Run serves the
	// Interactions Endpoint URL on (InteractionsHandler), for as long as it
	// runs, shutdown included. PublicKey, the application's key from the
	// developer portal, is then required: it checks every request's
	// signature.
	InteractionsAddr string
	PublicKey        ed25519.PublicKey
	// InteractionsOnly runs without the gateway: only the interactions
	// posted to InteractionsAddr are served, and mentions are not answered.
	InteractionsOnly bool
	// ReplicaID names this process among the replicas sharing Deps.Claims
	// (default replica.NewID()).
	ReplicaID string
	// HeartbeatInterval is the time between two heartbeats of this
	// replica, and between two looks for the work of dead replicas
	// (default 3s). ReplicaTimeout is the silence after which a replica
	// is taken for dead and its open claims are taken over (default 15s);
	// it must be at least two heartbeats.
	HeartbeatInterval time.Duration
	ReplicaTimeout    time.Duration
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
	num(&c.HistoryTurns, 8)
	dur(&c.FeedInterval, 30*time.Minute)
	num(&c.FeedMaxFailures, 5)
	dur(&c.HeartbeatInterval, 3*time.Second)
	dur(&c.ReplicaTimeout, 15*time.Second)
	if c.ReplicaID == "" {
		c.ReplicaID = replica.NewID()
	}
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
	// seen filters the events this process received already before they
	// are claimed, and claims them when Deps.Claims cannot.
	seen *seenSet
	// unfinished are the claims whose finish failed, retried by keep.
	unfinished keySet

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
	// admitting orders admit's check of stopping before shutdown's wait.
	admitting sync.Mutex
	started   time.Time

	// endpoint serves InteractionsHandler on Config.InteractionsAddr;
	// endpointErr receives its Serve error. ackWait is how long an
	// interaction waits for its handler's first response (ackDeadline).
	endpoint    *http.Server
	endpointErr chan error
	ackWait     time.Duration
	// restAppID is the application's ID as GET /oauth2/applications/@me
	// gave it, "" before Run or without an interactions endpoint.
	restAppID string
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
	if cfg.InteractionsOnly && cfg.InteractionsAddr == "" {
		return nil, errors.New("bot: Config.InteractionsOnly needs Config.InteractionsAddr")
	}
	if cfg.InteractionsAddr != "" && len(cfg.PublicKey) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("bot: Config.InteractionsAddr needs Config.PublicKey, the application's %d-byte Ed25519 key", ed25519.PublicKeySize)
	}
	cfg = cfg.withDefaults()
	if cfg.ReplicaTimeout < 2*cfg.HeartbeatInterval {
		return nil, fmt.Errorf("bot: ReplicaTimeout %v is under two heartbeats (HeartbeatInterval %v)", cfg.ReplicaTimeout, cfg.HeartbeatInterval)
	}
	log := slog.New(slog.DiscardHandler)
	if deps.Log != nil {
		log = slog.New(tokenRedactor{deps.Log.Handler()})
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
		seen:    newSeenSet(20 * time.Minute),
		ackWait: ackDeadline,
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

// Run opens the gateway (unless Config.InteractionsOnly) and the
// interactions endpoint (with Config.InteractionsAddr), registers the slash
// commands and serves until ctx ends, purging old answers meanwhile
// (Config.AnswersRetention). It then stops taking questions, lets those in
// flight finish for up to Config.ShutdownTimeout, cancels the rest and
// closes the endpoint and the gateway. Questions already queued are
// answered within that window too; only those it cannot fit are told the
// bot restarts. With Deps.Claims, the replica heartbeats and takes over
// dead replicas' work from the moment it is connected until the shutdown
// is over.
func (b *Bot) Run(ctx context.Context) error {
	b.started = time.Now()
	if err := b.connect(ctx); err != nil {
		b.cancelWork()
		b.cancelReplies()
		if b.endpoint != nil {
			b.endpoint.Close()
		}
		return err
	}
	go b.pool.run(b.work)
	purgeCtx, stopPurge := context.WithCancel(ctx)
	purged := make(chan struct{})
	go func() {
		defer close(purged)
		b.purgeOld(purgeCtx)
	}()
	defer func() {
		stopPurge()
		<-purged
	}()
	// Not before: a replica that cannot connect must not take over work
	// it would drop. Claims made before the first beat count from their
	// own time.
	stopKeeper := b.startKeeper()
	defer stopKeeper()
	if err := b.register(ctx); err != nil {
		b.shutdown()
		return err
	}
	select {
	case <-ctx.Done():
	case err := <-b.endpointErr:
		b.log.Error("the interactions endpoint failed: shutting down", "err", err)
		b.shutdown()
		return fmt.Errorf("serve interactions on %s: %w", b.cfg.InteractionsAddr, err)
	}
	b.log.Info("shutting down", "deadline", b.cfg.ShutdownTimeout)
	return b.shutdown()
}

// connect starts the interactions endpoint, if configured, then opens the
// gateway unless the bot serves interactions only.
func (b *Bot) connect(ctx context.Context) error {
	if b.cfg.InteractionsAddr != "" {
		if err := b.serveInteractions(ctx); err != nil {
			return err
		}
	}
	if b.cfg.InteractionsOnly {
		return nil
	}
	if err := b.s.Open(); err != nil {
		return fmt.Errorf("open the Discord gateway: %w", err)
	}
	b.log.Info("connected to Discord", "intents", int(b.cfg.Intents()))
	return nil
}

// replyMargin is the part of the shutdown window kept for telling the
// members whose answers were cancelled that the bot restarts.
func replyMargin(window time.Duration) time.Duration { return min(3*time.Second, window/4) }

// shutdown stops taking questions and answers those in flight and queued
// until the shutdown deadline less replyMargin; it then cancels the rest,
// whose members are told the bot restarts within the margin, and closes
// the interactions endpoint (which has told new interactions the bot
// restarts until then) and the gateway, without letting a racing heartbeat
// reconnect.
func (b *Bot) shutdown() error {
	b.admitting.Lock()
	b.stopping.Store(true)
	b.admitting.Unlock()
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
	b.closeInteractions()
	if b.cfg.InteractionsOnly {
		return nil
	}
	b.s.Lock()
	b.s.ShouldReconnectOnError = false
	b.s.Unlock()
	if err := b.s.Close(); err != nil {
		return fmt.Errorf("close the Discord gateway: %w", err)
	}
	return nil
}

// appID returns the application's ID, known once the gateway is ready or
// the interactions endpoint has looked it up.
func (b *Bot) appID() string {
	if b.restAppID != "" {
		return b.restAppID
	}
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
