// Package admin serves the operator's HTTP endpoints on ADMIN_ADDR:
// /healthz, which answers while the process serves, /readyz, which
// answers 200 only when every readiness check passes (the database
// answers, the gateway is connected), and /metrics, the Prometheus
// registry the command fills (the process, the bot, the database pool).
package admin

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Check is one condition of readiness: Ready returns nil when it holds,
// else an error saying why not, which /readyz shows after Name.
type Check struct {
	Name  string
	Ready func(ctx context.Context) error
}

// checkTimeout bounds each readiness check.
const checkTimeout = 2 * time.Second

// Handler serves /healthz (always 200 "ok": the process is alive),
// /readyz (200 when every check passes within 2 s, 503 otherwise; the body
// has one "name: ok" or "name: reason" line a check) and /metrics (reg's
// metrics, in Prometheus's text format).
func Handler(reg *prometheus.Registry, checks ...Check) http.Handler {
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
				fmt.Fprintf(&body, "%s: %s\n", c.Name, strings.ReplaceAll(err.Error(), "\n", " "))
			} else {
				fmt.Fprintf(&body, "%s: ok\n", c.Name)
			}
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprint(w, body.String())
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	return mux
}
