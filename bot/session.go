package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// DefaultAPIBaseURL is Discord's own REST API base, which discordgo's
// endpoints name.
const DefaultAPIBaseURL = "https://discord.com"

// NewSession returns the discordgo Session `dalil serve` runs the bot on,
// not opened yet, for a bot token (without "Bot "). apiBaseURL ("" for
// DefaultAPIBaseURL) is where its REST requests go: a REST proxy shared by
// the replicas (nirn-proxy) or a test fake, serving Discord's paths
// (/api/v9/…) over http or https under its own path. The gateway's address
// comes from GET /api/v9/gateway on that base, so a fake is reached for
// both. discordgo's endpoint variables are left alone: the session's HTTP
// client rewrites requests for discord.com, and only those (attachments
// stay on the CDN). discordgo logs warnings and errors (see LogDiscordgo).
func NewSession(token, apiBaseURL string) (*discordgo.Session, error) {
	if apiBaseURL == "" {
		apiBaseURL = DefaultAPIBaseURL
	}
	base, err := url.Parse(strings.TrimSuffix(apiBaseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" || base.RawQuery != "" {
		return nil, fmt.Errorf("Discord API base URL %q: want http:// or https://, a host and no query", apiBaseURL)
	}
	s, err := discordgo.New("Bot " + token)
	if err != nil {
		return nil, fmt.Errorf("create the Discord session: %w", err)
	}
	s.LogLevel = discordgo.LogWarning
	if base.String() != DefaultAPIBaseURL {
		s.Client.Transport = &apiTransport{base: base, next: http.DefaultTransport}
	}
	return s, nil
}

// apiTransport sends the requests addressed to discord.com to base, under
// its path, and the others to next unchanged.
type apiTransport struct {
	base *url.URL
	next http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t *apiTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != "discord.com" {
		return t.next.RoundTrip(req)
	}
	out := req.Clone(req.Context())
	out.URL.Scheme, out.URL.Host, out.Host = t.base.Scheme, t.base.Host, ""
	out.URL.Path = t.base.Path + req.URL.Path
	if req.URL.RawPath != "" {
		out.URL.RawPath = t.base.EscapedPath() + req.URL.RawPath
	}
	return t.next.RoundTrip(out)
}

// LogDiscordgo routes discordgo's log lines (reconnections, gateway
// errors) into log, with component=discordgo and the discordgo source
// line as src, at the matching level: error, warn, info, debug. discordgo's
// logger is a package variable, so this is process-wide: the last call
// wins. Call it before opening sessions.
func LogDiscordgo(log *slog.Logger) {
	log = slog.New(tokenRedactor{log.Handler()}).With("component", "discordgo")
	discordgo.Logger = func(msgL, caller int, format string, a ...any) {
		level := slog.LevelDebug
		switch msgL {
		case discordgo.LogError:
			level = slog.LevelError
		case discordgo.LogWarning:
			level = slog.LevelWarn
		case discordgo.LogInformational:
			level = slog.LevelInfo
		}
		ctx := context.Background()
		if !log.Enabled(ctx, level) {
			return
		}
		var attrs []slog.Attr
		// caller counts from discordgo's msglog, one frame above this one.
		if pc, file, line, ok := runtime.Caller(caller + 1); ok {
			src := fmt.Sprintf("%s:%d", filepath.Base(file), line)
			if fn := runtime.FuncForPC(pc); fn != nil {
				src += " " + fn.Name()[strings.LastIndex(fn.Name(), ".")+1:]
			}
			attrs = append(attrs, slog.String("src", src))
		}
		log.LogAttrs(ctx, level, strings.TrimSpace(fmt.Sprintf(format, a...)), attrs...)
	}
}

// Ready reports whether the bot takes questions: nil once the session is
// connected (READY or RESUMED), or at once for a bot without the gateway
// (Config.InteractionsOnly); an error saying why not before that, while it
// reconnects and once it shuts down.
func (b *Bot) Ready(context.Context) error {
	switch {
	case b.stopping.Load():
		return errors.New("shutting down")
	case !b.connected.Load() && !b.cfg.InteractionsOnly:
		return errors.New("not connected to the Discord gateway")
	}
	return nil
}

// trackConnection keeps Ready's view of the gateway: discordgo emits
// Connect when Open succeeds (first or reconnecting) and Disconnect when
// the connection closes, a second or more before reconnecting (Close
// waits a second for the close frame), so the two handlers, each run on
// its own goroutine, do not race.
func (b *Bot) trackConnection() {
	b.s.AddHandler(func(*discordgo.Session, *discordgo.Connect) { b.connected.Store(true) })
	b.s.AddHandler(func(*discordgo.Session, *discordgo.Disconnect) { b.connected.Store(false) })
}
