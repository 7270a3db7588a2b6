package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/dalil-news/dalil/admin"
	"github.com/dalil-news/dalil/bot"
	"github.com/dalil-news/dalil/digest"
	"github.com/dalil-news/dalil/feeds"
	"github.com/dalil-news/dalil/ingest"
	"github.com/dalil-news/dalil/internal/cliflags"
	"github.com/dalil-news/dalil/shard"
)

const serveSynopsis = `

Runs the Discord bot (DISCORD_TOKEN) until SIGINT or SIGTERM: slash commands
(also over HTTP at INTERACTIONS_ADDR), answers to mentions in threads, feeds
and digests, on the gateway shard of DISCORD_SHARD_ID/COUNT (or auto).
ADMIN_ADDR serves /healthz, /readyz, /metrics and the admin page at / (with
ADMIN_TOKEN). On a signal it stops taking questions, finishes those in
flight for up to SHUTDOWN_TIMEOUT, and closes the gateway.`

func cmdServe(ctx context.Context, a *app, args []string) error {
	fs := cliflags.New(a.stdout, "serve", serveSynopsis)
	pos, err := cliflags.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("serve: unexpected arguments %q", pos)
	}
	if a.cfg.DiscordToken == "" {
		return errors.New("serve: DISCORD_TOKEN is not set (the bot token from the Discord developer portal, Bot tab)")
	}
	if err := a.open(ctx); err != nil {
		return err
	}
	go a.dicts.Pairs() // load the dictionaries now, not on a member's first question

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		a.store.PoolCollector())
	bot.LogDiscordgo(a.log)
	session, err := bot.NewSession(a.cfg.DiscordToken, a.cfg.DiscordAPIBaseURL)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	d, err := a.newDiscord(session, a.rag, reg, a.botConfig())
	if err != nil {
		return err
	}
	shards, err := shard.New(session, a.store, a.log.With("component", "shard"),
		shard.Config{Auto: a.cfg.DiscordShardAuto, ID: a.cfg.DiscordShardID, Count: a.cfg.DiscordShardCount})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", a.cfg.AdminAddr)
	if err != nil {
		return fmt.Errorf("serve: listen on ADMIN_ADDR %s: %w", a.cfg.AdminAddr, err)
	}
	admin := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: admin.Handler(reg, admin.Options{Token: a.cfg.AdminToken,
		Source:    admin.NewSource(a.store.AdminSource(a.cfg.FeedMaxFailures, a.cfg.TimeZone), a.insights().Report, a.cfg.TimeZone),
		Retention: a.cfg.AnswersRetention, Location: a.cfg.TimeZone, Log: a.log},
		admin.Check{Name: "database", Ready: a.store.Ping}, admin.Check{Name: "gateway", Ready: d.bot.Ready})}

	// The background loops stop with the bot: ctx ends on a signal.
	loops, stopLoops := context.WithCancel(ctx)
	defer stopLoops()
	errc := make(chan error, 3)
	go func() {
		if err := admin.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("admin server: %w", err)
		}
	}()
	go func() { errc <- d.sched.Run(loops) }()
	go func() { errc <- d.poller.Run(loops) }()
	a.log.Info("serving", "admin", ln.Addr().String(), "guilds", a.cfg.DiscordGuildIDs)

	botErr := make(chan error, 1)
	go func() { botErr <- shards.Run(loops, d.bot.Run) }() // INTERACTIONS_ONLY: no shard (config)
	var runErr error
	select {
	case runErr = <-botErr:
	case err := <-errc:
		if err != nil {
			a.log.Error("stopping: a background loop failed", "err", err)
			runErr = err
		}
		stopLoops()
		if err := <-botErr; runErr == nil {
			runErr = err
		}
	}
	stopLoops()
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := admin.Shutdown(shutdown); err != nil {
		a.log.Warn("admin server shutdown", "err", err)
	}
	a.log.Info("stopped")
	return runErr
}

// discord is the bot and the loops it controls.
type discord struct {
	bot    *bot.Bot
	sched  *digest.Scheduler
	poller *feeds.Poller
}

// newDiscord wires the bot over a Discord session: the digest scheduler
// posts through the session, and the bot, made last, controls it and the
// feed poller. answerer answers questions (the rag service); reg receives
// the bot's metrics.
func (a *app) newDiscord(session *discordgo.Session, answerer bot.Answerer, reg prometheus.Registerer, cfg bot.Config) (*discord, error) {
	sched, err := a.newScheduler(bot.NewPoster(session))
	if err != nil {
		return nil, err
	}
	poller := a.newPoller()
	b, err := bot.New(session, bot.Deps{
		Answerer:     answerer,
		Summarizer:   a.rag,
		Articles:     a.store,
		Stats:        storeStats{a.store},
		Insights:     a.insights(),
		Extractor:    ingest.Extractor{Fetcher: a.fetcher},
		Ingester:     a.rag,
		Feedback:     a.store,
		Answers:      a.store,
		Digests:      digestControl{a.store, sched},
		Feeds:        a.store,
		FeedPoller:   feedPoller{poller},
		Claims:       a.store,
		RateLimits:   a.store,
		CanonicalURL: ingest.CanonicalURL,
		Log:          a.log.With("component", "bot"),
		Registerer:   reg,
	}, cfg)
	if err != nil {
		return nil, err
	}
	return &discord{bot: b, sched: sched, poller: poller}, nil
}

// botConfig is the bot's configuration from dalil's.
func (a *app) botConfig() bot.Config {
	return bot.Config{
		GuildIDs:           a.cfg.DiscordGuildIDs,
		AdminRoleIDs:       a.cfg.DiscordAdminRoleIDs,
		MessageContent:     a.cfg.DiscordMessageContent,
		AskTimeout:         a.cfg.AskTimeout,
		ShutdownTimeout:    a.cfg.ShutdownTimeout,
		Workers:            a.cfg.Workers,
		QueueSize:          a.cfg.QueueSize,
		UserPerMinute:      a.cfg.RateUserPerMinute,
		UserBurst:          a.cfg.RateUserBurst,
		GuildPerMinute:     a.cfg.RateGuildPerMinute,
		GuildBurst:         a.cfg.RateGuildBurst,
		MaxAttachmentBytes: a.cfg.FetchMaxBytes,
		AttachmentHosts:    a.cfg.DiscordAttachmentHosts,
		FeedInterval:       a.cfg.FeedInterval,
		FeedMaxFailures:    a.cfg.FeedMaxFailures,
		AnswersRetention:   a.cfg.AnswersRetention,
		InteractionsAddr:   a.cfg.InteractionsAddr, PublicKey: a.cfg.DiscordPublicKey, InteractionsOnly: a.cfg.InteractionsOnly,
	}
}
