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
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/dalil-news/dalil/bot"
	"github.com/dalil-news/dalil/bot/wiring"
	"github.com/dalil-news/dalil/ingest"
)

const serveSynopsis = `

Runs the Discord bot (DISCORD_TOKEN) until SIGINT or SIGTERM: slash commands,
answers to mentions in threads, feed polling and the daily digests. The
admin address (ADMIN_ADDR) serves /healthz (database ping) and /metrics
(Prometheus). On a signal it stops taking questions, finishes those in
flight for up to SHUTDOWN_TIMEOUT, and closes the gateway.`

func cmdServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "serve", serveSynopsis)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("serve: unexpected arguments %q", pos)
	}
	if e.cfg.DiscordToken == "" {
		return errors.New("serve: DISCORD_TOKEN is not set (the bot token from the Discord developer portal, Bot tab)")
	}
	svc, err := openServices(ctx, e)
	if err != nil {
		return err
	}
	defer svc.Close()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		newPoolCollector(svc.store.PoolStats))
	ln, err := net.Listen("tcp", e.cfg.AdminAddr)
	if err != nil {
		return fmt.Errorf("serve: listen on ADMIN_ADDR %s: %w", e.cfg.AdminAddr, err)
	}
	admin := &http.Server{Handler: adminHandler(svc.store, reg), ReadHeaderTimeout: 5 * time.Second}

	session, err := discordgo.New("Bot " + e.cfg.DiscordToken)
	if err != nil {
		ln.Close()
		return fmt.Errorf("serve: create the Discord session: %w", err)
	}
	// The scheduler posts through the bot, which controls it: it is set
	// once the bot exists.
	digests := &wiring.Digests{Store: svc.store}
	poller := newPoller(e, svc)
	b, err := bot.New(session, bot.Deps{
		Answerer:     svc.rag,
		Summarizer:   svc.rag,
		Articles:     svc.store,
		Stats:        wiring.Stats{Store: svc.store},
		Extractor:    wiring.Extractor{Fetcher: ingest.NewFetcher(ingest.Config{MaxBytes: e.cfg.FetchMaxBytes, Timeout: e.cfg.FetchTimeout, AllowPrivate: e.cfg.FetchAllowPrivate})},
		Ingester:     svc.rag,
		Feedback:     svc.store,
		Digests:      digests,
		Feeds:        svc.store,
		FeedPoller:   wiring.FeedPoller{Poller: poller},
		CanonicalURL: ingest.CanonicalURL,
		Log:          e.log.With("component", "bot"),
		Registerer:   reg,
	}, bot.Config{
		GuildIDs:           e.cfg.DiscordGuildIDs,
		AdminRoleIDs:       e.cfg.DiscordAdminRoleIDs,
		MessageContent:     e.cfg.DiscordMessageContent,
		AskTimeout:         e.cfg.AskTimeout,
		ShutdownTimeout:    e.cfg.ShutdownTimeout,
		Workers:            e.cfg.Workers,
		QueueSize:          e.cfg.QueueSize,
		UserPerMinute:      e.cfg.RateUserPerMinute,
		UserBurst:          e.cfg.RateUserBurst,
		GuildPerMinute:     e.cfg.RateGuildPerMinute,
		GuildBurst:         e.cfg.RateGuildBurst,
		MaxAttachmentBytes: e.cfg.FetchMaxBytes,
		FeedInterval:       e.cfg.FeedInterval,
		FeedMaxFailures:    e.cfg.FeedMaxFailures,
	})
	if err != nil {
		ln.Close()
		return err
	}
	sched, err := newScheduler(e, svc, b)
	if err != nil {
		ln.Close()
		return err
	}
	digests.Scheduler = sched

	// The background loops stop with the bot: ctx ends on a signal.
	loops, stopLoops := context.WithCancel(ctx)
	defer stopLoops()
	errc := make(chan error, 3)
	go func() {
		if err := admin.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("admin server: %w", err)
		}
	}()
	go func() { errc <- sched.Run(loops) }()
	go func() { errc <- poller.Run(loops) }()
	e.log.Info("serving", "admin", ln.Addr().String(), "guilds", e.cfg.DiscordGuildIDs)

	botErr := make(chan error, 1)
	go func() { botErr <- b.Run(loops) }()
	var runErr error
	select {
	case runErr = <-botErr:
	case err := <-errc:
		if err != nil {
			e.log.Error("stopping: a background loop failed", "err", err)
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
		e.log.Warn("admin server shutdown", "err", err)
	}
	e.log.Info("stopped")
	return runErr
}

// pinger checks the database.
type pinger interface {
	Ping(ctx context.Context) error
}

// adminHandler serves /healthz (200 when the database answers within 2 s,
// 503 otherwise) and /metrics.
func adminHandler(db pinger, reg *prometheus.Registry) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := db.Ping(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "database unavailable")
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	return mux
}
