package admin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dalil-news/dalil/internal/testing/pgtest"
	"github.com/dalil-news/dalil/postgres"
)

type downDB struct{}

func (downDB) Ping(context.Context) error { return errors.New("connection refused") }

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
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		body, _ := io.ReadAll(rec.Body)
		return rec.Code, string(body)
	}
	tests := []struct {
		name     string
		db       Pinger
		path     string
		wantCode int
		wantBody string
	}{
		{"healthy", store, "/healthz", 200, "ok"},
		{"database down", downDB{}, "/healthz", 503, "database unavailable"},
		{"metrics", store, "/metrics", 200, "dalil_test_total 3"},
		{"pool size", store, "/metrics", 200, fmt.Sprintf("dalil_db_max_connections %d", store.PoolStats().MaxConns)},
		{"pool states", store, "/metrics", 200, `dalil_db_connections{state="idle"} 1`},
		{"pool waits", store, "/metrics", 200, "dalil_db_acquire_wait_seconds_total "},
		{"unknown path", store, "/debug", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := get(Handler(tt.db, reg), tt.path)
			if code != tt.wantCode || !strings.Contains(body, tt.wantBody) {
				t.Errorf("GET %s = %d %q, want %d containing %q", tt.path, code, body, tt.wantCode, tt.wantBody)
			}
		})
	}
}
