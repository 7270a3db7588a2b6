// Package admin serves the operator's HTTP endpoints on ADMIN_ADDR:
// /healthz, which pings the database, and /metrics, the Prometheus
// registry the command fills (the process, the bot, the database pool).
package admin

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Pinger checks the database.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Handler serves /healthz (200 when the database answers within 2 s, 503
// otherwise) and /metrics (reg's metrics, in Prometheus's text format).
func Handler(db Pinger, reg *prometheus.Registry) http.Handler {
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
