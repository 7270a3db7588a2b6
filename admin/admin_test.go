package admin_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dalil-news/dalil/admin"
	"github.com/dalil-news/dalil/internal/testing/logtest"
	"github.com/dalil-news/dalil/internal/testing/pgtest"
	"github.com/dalil-news/dalil/postgres"
)

func TestAdminHandler(t *testing.T) {
	ctx := context.Background()
	store, err := postgres.Open(ctx, pgtest.NewDatabase(t), postgres.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "dalil_test_total", Help: "A test counter."})
	reg.MustRegister(c, store.PoolCollector())
	c.Add(3)
	if err := store.Ping(ctx); err != nil { // one acquire, at least
		t.Fatal(err)
	}
	get := func(h http.Handler, path string) (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "http://127.0.0.1:9090"+path, nil))
		body, _ := io.ReadAll(rec.Body)
		return rec.Code, string(body)
	}
	database := admin.Check{"database", store.Ping}
	down := admin.Check{"database", func(context.Context) error { return errors.New("connection refused") }}
	connected := admin.Check{"gateway", func(context.Context) error { return nil }}
	disconnected := admin.Check{"gateway", func(context.Context) error { return errors.New("not connected to the Discord gateway") }}
	tests := []struct {
		name     string
		checks   []admin.Check
		path     string
		wantCode int
		wantBody string
	}{
		{"alive", []admin.Check{database, connected}, "/healthz", 200, "ok"},
		{"alive while nothing is ready", []admin.Check{down, disconnected}, "/healthz", 200, "ok"},
		{"ready", []admin.Check{database, connected}, "/readyz", 200, "database: ok\ngateway: ok\n"},
		{"interactions only: no gateway check", []admin.Check{database}, "/readyz", 200, "database: ok\n"},
		{"database down", []admin.Check{down, connected}, "/readyz", 503, "database: down\ngateway: ok\n"},
		{"gateway down", []admin.Check{database, disconnected}, "/readyz", 503, "database: ok\ngateway: down\n"},
		{"metrics", nil, "/metrics", 200, "dalil_test_total 3"},
		{"pool size", nil, "/metrics", 200, fmt.Sprintf("dalil_db_max_connections %d", store.PoolStats().MaxConns)},
		{"pool states", nil, "/metrics", 200, `dalil_db_connections{state="idle"} 1`},
		{"pool waits", nil, "/metrics", 200, "dalil_db_acquire_wait_seconds_total "},
		{"unknown path", nil, "/debug", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := get(admin.Handler(reg, admin.Options{}, tt.checks...), tt.path)
			if code != tt.wantCode || !strings.Contains(body, tt.wantBody) {
				t.Errorf("GET %s = %d %q, want %d containing %q", tt.path, code, body, tt.wantCode, tt.wantBody)
			}
		})
	}

	// /readyz is open: why a check failed, which may name hosts and
	// users, goes to the log, not to whoever probes.
	var logs logtest.Buffer
	leaky := admin.Check{"database", func(context.Context) error {
		return errors.New("failed to connect to `user=dalil database=dalil`: 10.1.2.3:5432: connection refused")
	}}
	code, body := get(admin.Handler(reg, admin.Options{Log: slog.New(slog.NewTextHandler(&logs, nil))}, leaky), "/readyz")
	if code != http.StatusServiceUnavailable || body != "database: down\n" {
		t.Errorf("GET /readyz, database down = %d %q, want 503 %q", code, body, "database: down\n")
	}
	if !strings.Contains(logs.String(), "10.1.2.3:5432") || !strings.Contains(logs.String(), "check=database") {
		t.Errorf("log %q: want the failed check and its reason", logs.String())
	}
}
