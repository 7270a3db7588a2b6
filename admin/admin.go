// Package admin serves the operator's HTTP endpoints on ADMIN_ADDR:
// /healthz, which answers while the process serves, /readyz, which
// answers 200 only when every readiness check passes (the database
// answers, the gateway is connected), /metrics, the Prometheus registry
// the command fills (the process, the bot, the database pool), and /, the
// admin page (page.go): what members asked and what the archive could not
// answer, the feeds, the digests and the archive.
//
// Access: with Options.Token set (ADMIN_TOKEN, which the configuration
// requires when ADMIN_ADDR is not a loopback address), the page and
// /metrics answer only to a request that carries the token, either as a
// bearer token (Authorization: Bearer TOKEN, for scripts and Prometheus)
// or as the password of HTTP Basic authentication with any user name (so
// that a browser asks for it); anything else gets 401. The comparison
// takes the same time whatever the token sent. /healthz and /readyz stay
// open: load balancers and orchestrators probe them without credentials,
// and they tell nothing but "ok" or which dependency is down; why it is
// down (an error that may name hosts and users) goes to Options.Log.
package admin

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Check is one condition of readiness: Ready returns nil when it holds,
// else an error saying why not, which Handler logs (/readyz shows only
// that Name is down).
type Check struct {
	Name  string
	Ready func(ctx context.Context) error
}

// checkTimeout bounds each readiness check.
const checkTimeout = 2 * time.Second

// Options are what Handler serves beyond health and metrics, and to whom.
type Options struct {
	// Token, when not empty, is required for the page and /metrics
	// (ADMIN_TOKEN): as a bearer token or a Basic password.
	Token string
	// Source gives the page its data; nil serves no page.
	Source Source
	// Retention is how long answers are kept (ANSWERS_RETENTION, 0:
	// forever): the page's periods stop there, and it says so.
	Retention time.Duration
	// Location is the time zone of the page's days and months
	// (DALIL_TIMEZONE; nil: UTC).
	Location *time.Location
	// Log receives why a readiness check failed; nil: nowhere.
	Log *slog.Logger
}

// Handler serves /healthz (always 200 "ok": the process is alive),
// /readyz (200 when every check passes within 2 s, 503 otherwise; the body
// has one "name: ok" or "name: down" line a check, and the reason is
// logged), /metrics (reg's
// metrics, in Prometheus's text format) and, with opts.Source, the admin
// page at /; opts.Token guards the last two.
func Handler(reg *prometheus.Registry, opts Options, checks ...Check) http.Handler {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		var body strings.Builder
		status := http.StatusOK
		for _, c := range checks {
			ctx, cancel := context.WithTimeout(r.Context(), checkTimeout)
			err := c.Ready(ctx)
			cancel()
			if err != nil {
				status = http.StatusServiceUnavailable
				fmt.Fprintf(&body, "%s: down\n", c.Name)
				log.Warn("not ready", "check", c.Name, "err", err)
			} else {
				fmt.Fprintf(&body, "%s: ok\n", c.Name)
			}
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprint(w, body.String())
	})
	guard := tokenGuard(opts.Token)
	mux.Handle("GET /metrics", guard(promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})))
	if opts.Source != nil {
		mux.Handle("GET /{$}", guard(&page{opts}))
	}
	return mux
}

// tokenGuard returns what wraps a handler so that it answers only requests
// carrying token; with no token, the handler itself. The token and the
// credential are compared as SHA-256 digests, in constant time, so that
// neither their contents nor their lengths show in the time taken.
func tokenGuard(token string) func(http.Handler) http.Handler {
	if token == "" {
		return localOnly
	}
	want := sha256.Sum256([]byte(token))
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if got, ok := credential(r); ok {
				sum := sha256.Sum256([]byte(got))
				if subtle.ConstantTimeCompare(sum[:], want[:]) == 1 {
					h.ServeHTTP(w, r)
					return
				}
			}
			w.Header().Add("WWW-Authenticate", `Basic realm="dalil admin", charset="UTF-8"`)
			w.Header().Add("WWW-Authenticate", `Bearer realm="dalil admin"`)
			http.Error(w, "401 Unauthorized: send ADMIN_TOKEN as a bearer token, or as the password of HTTP Basic authentication (any user name)",
				http.StatusUnauthorized)
		})
	}
}

// localOnly serves, without a token (ADMIN_ADDR on loopback), only
// requests addressed to a loopback name: a web page whose host name an
// attacker points at 127.0.0.1 (DNS rebinding) would otherwise read the
// page from the admin's own browser.
func localOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if ip := net.ParseIP(strings.Trim(host, "[]")); (ip == nil || !ip.IsLoopback()) && !strings.EqualFold(host, "localhost") {
			http.Error(w, "403 Forbidden: without ADMIN_TOKEN the admin page answers only at a loopback address, such as http://127.0.0.1:9090/", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// credential is the token a request carries: a bearer token, else the
// password of Basic authentication.
func credential(r *http.Request) (string, bool) {
	auth := r.Header.Get("Authorization")
	if scheme, tok, ok := strings.Cut(auth, " "); ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(tok), true
	}
	_, password, ok := r.BasicAuth()
	return password, ok
}
