package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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
