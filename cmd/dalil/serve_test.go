package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/dalil-news/dalil/internal/testing/pgtest"
	"github.com/dalil-news/dalil/postgres"
)

func TestServeNeedsToken(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"serve"}, func(string) string { return "" }, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "DISCORD_TOKEN") {
		t.Errorf("serve without a token: %v, want an error naming DISCORD_TOKEN", err)
	}
}

func TestDiscordConfig(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		guilds  []string
		wantErr string
	}{
		{"defaults", nil, nil, ""},
		{"guild list", map[string]string{"DISCORD_GUILD_IDS": " 123, 456 ,"}, []string{"123", "456"}, ""},
		{"bad guild", map[string]string{"DISCORD_GUILD_IDS": "123,general"}, nil, `DISCORD_GUILD_IDS: "general" is not a Discord ID`},
		{"bad role", map[string]string{"DISCORD_ADMIN_ROLE_IDS": "@admins"}, nil, "DISCORD_ADMIN_ROLE_IDS"},
		{"no workers", map[string]string{"WORKERS": "0"}, nil, "WORKERS=0"},
		{"bad timeout", map[string]string{"ASK_TIMEOUT": "soon"}, nil, "ASK_TIMEOUT"},
		{"hnsw", map[string]string{"HNSW_M": "32", "HNSW_EF_CONSTRUCTION": "200", "HNSW_EF_SEARCH": "300"}, nil, ""},
		{"hnsw m", map[string]string{"HNSW_M": "500"}, nil, "HNSW_M=500: want 2 to 100"},
		{"hnsw ef_construction below 2m", map[string]string{"HNSW_M": "32", "HNSW_EF_CONSTRUCTION": "40"}, nil, "HNSW_EF_CONSTRUCTION=40: want 64"},
		{"hnsw ef_search", map[string]string{"HNSW_EF_SEARCH": "5000"}, nil, "HNSW_EF_SEARCH=5000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := loadConfig(func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("loadConfig: %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.guilds, cfg.DiscordGuildIDs); d != "" {
				t.Errorf("guilds (-want +got):\n%s", d)
			}
			if cfg.AdminAddr != "127.0.0.1:9090" || cfg.Workers != 4 || cfg.QueueSize != 32 {
				t.Errorf("defaults: admin %q, workers %d, queue %d", cfg.AdminAddr, cfg.Workers, cfg.QueueSize)
			}
		})
	}
}

// downDB is a database that does not answer.
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
	reg.MustRegister(c, newPoolCollector(store.PoolStats))
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
		db       pinger
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
			code, body := get(adminHandler(tt.db, reg), tt.path)
			if code != tt.wantCode || !strings.Contains(body, tt.wantBody) {
				t.Errorf("GET %s = %d %q, want %d containing %q", tt.path, code, body, tt.wantCode, tt.wantBody)
			}
		})
	}
}
