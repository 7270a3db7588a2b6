package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLoad(t *testing.T) {
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
		{"statement timeouts", map[string]string{"DB_STATEMENT_TIMEOUT": "5s", "DB_MAINTENANCE_TIMEOUT": "30m"}, nil, ""},
		{"bad statement timeout", map[string]string{"DB_STATEMENT_TIMEOUT": "0"}, nil, "DB_STATEMENT_TIMEOUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Load(func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("Load: %v, want an error containing %q", err, tt.wantErr)
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

func TestWithDotEnv(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".env")
	env := "# comment\n\nexport CHAT_MODEL=\"llama3.1\"\nSEARCH_K = 5\nOPENAI_API_KEY='sk-file'\n"
	if err := os.WriteFile(path, []byte(env), 0o600); err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string { return map[string]string{"OPENAI_API_KEY": "sk-process"}[k] }
	lookup, err := WithDotEnv(getenv, path)
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{"CHAT_MODEL": "llama3.1", "SEARCH_K": "5", "OPENAI_API_KEY": "sk-process", "LOG_LEVEL": ""} {
		if got := lookup(key); got != want {
			t.Errorf("lookup(%s) = %q, want %q", key, got, want)
		}
	}
	if _, err := WithDotEnv(getenv, filepath.Join(dir, "missing")); err != nil {
		t.Errorf("a missing .env: %v, want no error", err)
	}
	if err := os.WriteFile(path, []byte("CHAT_MODEL\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := WithDotEnv(getenv, path); err == nil || !strings.Contains(err.Error(), ".env:1") {
		t.Errorf("a line without =: %v, want an error naming the line", err)
	}
}

func TestRedactURL(t *testing.T) {
	tests := map[string]string{
		"postgres://dalil:secret@db:5432/dalil": "postgres://dalil:***@db:5432/dalil",
		"postgres://dalil@db/dalil":             "postgres://dalil@db/dalil",
		"not a url":                             "not a url",
	}
	for in, want := range tests {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSplitList(t *testing.T) {
	if diff := cmp.Diff([]string{"a", "b c"}, SplitList(" a,, b c ,")); diff != "" {
		t.Errorf("SplitList (-want +got):\n%s", diff)
	}
	if got := SplitList(" , "); got != nil {
		t.Errorf("SplitList of nothing = %q, want nil", got)
	}
}
