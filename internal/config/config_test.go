package config

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

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
		{"no workers", map[string]string{"WORKERS": "0"}, nil, "WORKERS=0: want at least 1"},
		{"no rate limit is no setting", map[string]string{"RATE_USER_PER_MINUTE": "0"}, nil, "RATE_USER_PER_MINUTE=0: want at least 1 (unset it for the default, 6)"},
		{"bad timeout", map[string]string{"ASK_TIMEOUT": "soon"}, nil, "ASK_TIMEOUT"},
		{"hnsw", map[string]string{"HNSW_M": "32", "HNSW_EF_CONSTRUCTION": "200", "HNSW_EF_SEARCH": "300"}, nil, ""},
		{"hnsw m", map[string]string{"HNSW_M": "500"}, nil, "HNSW_M=500: want 2 to 100"},
		{"hnsw ef_construction below 2m", map[string]string{"HNSW_M": "32", "HNSW_EF_CONSTRUCTION": "40"}, nil, "HNSW_EF_CONSTRUCTION=40: want 64"},
		{"hnsw ef_search", map[string]string{"HNSW_EF_SEARCH": "5000"}, nil, "HNSW_EF_SEARCH=5000"},
		{"statement timeouts", map[string]string{"DB_STATEMENT_TIMEOUT": "5s", "DB_MAINTENANCE_TIMEOUT": "30m"}, nil, ""},
		{"bad statement timeout", map[string]string{"DB_STATEMENT_TIMEOUT": "0"}, nil, "DB_STATEMENT_TIMEOUT"},
		{"member hash key", map[string]string{"MEMBER_HASH_KEY": strings.Repeat("k", 32)}, nil, ""},
		{"short member hash key", map[string]string{"MEMBER_HASH_KEY": "secret"}, nil, "MEMBER_HASH_KEY: 6 bytes, want at least 32"},
		{"bad retention", map[string]string{"ANSWERS_RETENTION": "soon"}, nil, `ANSWERS_RETENTION="soon"`},
		{"time zone", map[string]string{"DALIL_TIMEZONE": "Europe/Paris"}, nil, ""},
		{"Go's Local time zone, unknown to PostgreSQL", map[string]string{"DALIL_TIMEZONE": "Local"}, nil, `DALIL_TIMEZONE="Local": not an IANA time zone`},
		{"interactions endpoint", map[string]string{"INTERACTIONS_ADDR": ":8080", "DISCORD_PUBLIC_KEY": strings.Repeat("ab", 32), "INTERACTIONS_ONLY": "true"}, nil, ""},
		{"interactions without key", map[string]string{"INTERACTIONS_ADDR": ":8080"}, nil, "INTERACTIONS_ADDR is set but DISCORD_PUBLIC_KEY is not"},
		{"short key", map[string]string{"INTERACTIONS_ADDR": ":8080", "DISCORD_PUBLIC_KEY": "abcd"}, nil, `DISCORD_PUBLIC_KEY="abcd": want the application's Public Key, 64 hexadecimal digits`},
		{"key not hex", map[string]string{"DISCORD_PUBLIC_KEY": strings.Repeat("zz", 32)}, nil, "DISCORD_PUBLIC_KEY"},
		{"interactions only without endpoint", map[string]string{"INTERACTIONS_ONLY": "true"}, nil, "INTERACTIONS_ONLY=true without INTERACTIONS_ADDR"},
		{"interactions only with a shard", map[string]string{"INTERACTIONS_ADDR": ":8080", "DISCORD_PUBLIC_KEY": strings.Repeat("ab", 32), "INTERACTIONS_ONLY": "true", "DISCORD_SHARD_COUNT": "auto"},
			nil, "INTERACTIONS_ONLY=true with DISCORD_SHARD_ID/DISCORD_SHARD_COUNT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, ok := loadEnv(t, tt.env, tt.wantErr)
			if !ok {
				return
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

func TestAdminToken(t *testing.T) {
	token := strings.Repeat("t", 16)
	tests := []struct {
		addr, token string
		wantErr     string
	}{
		{"127.0.0.1:9090", "", ""},
		{"127.1.2.3:9090", "", ""},
		{"[::1]:9090", "", ""},
		{"localhost:9090", "", ""},
		{"LOCALHOST:9090", "", ""},
		{"127.0.0.1:9090", token, ""},
		{"0.0.0.0:9090", token, ""},
		{":9090", token, ""},
		{"0.0.0.0:9090", "", `ADMIN_ADDR="0.0.0.0:9090" is not a loopback address, so the admin page and /metrics need ADMIN_TOKEN`},
		{":9090", "", `ADMIN_ADDR=":9090" is not a loopback address`},
		{"[::]:9090", "", `ADMIN_ADDR="[::]:9090" is not a loopback address`},
		{"10.0.0.5:9090", "", "is not a loopback address"},
		{"admin.internal:9090", "", "is not a loopback address"},
		{"10.0.0.5:9090", "short", "ADMIN_TOKEN: 5 bytes, want at least 16"},
		{"127.0.0.1:9090", "short", "ADMIN_TOKEN: 5 bytes, want at least 16"},
		{"9090", "", `ADMIN_ADDR="9090": want host:port`},
	}
	for _, tt := range tests {
		env := map[string]string{"ADMIN_ADDR": tt.addr, "ADMIN_TOKEN": tt.token}
		cfg, err := Load(func(k string) string { return env[k] })
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("ADMIN_ADDR=%q ADMIN_TOKEN=%q: %v", tt.addr, tt.token, err)
		case tt.wantErr == "" && cfg.AdminToken != tt.token:
			t.Errorf("ADMIN_ADDR=%q ADMIN_TOKEN=%q: token %q", tt.addr, tt.token, cfg.AdminToken)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("ADMIN_ADDR=%q ADMIN_TOKEN=%q: %v, want an error containing %q", tt.addr, tt.token, err, tt.wantErr)
		case err != nil && tt.token != "" && strings.Contains(err.Error(), tt.token):
			t.Errorf("the error shows the token: %v", err)
		}
	}
}

func TestLoadInteractions(t *testing.T) {
	env := map[string]string{"INTERACTIONS_ADDR": ":8080", "DISCORD_PUBLIC_KEY": " " + strings.Repeat("0f", 32) + " ", "INTERACTIONS_ONLY": "true"}
	cfg, err := Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	got := []any{cfg.InteractionsAddr, []byte(cfg.DiscordPublicKey), cfg.InteractionsOnly}
	if d := cmp.Diff([]any{":8080", bytes.Repeat([]byte{0x0f}, 32), true}, got); d != "" {
		t.Errorf("address, key, interactions only (-want +got):\n%s", d)
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
	lookup, loaded, err := WithDotEnv(getenv, path)
	if err != nil {
		t.Fatal(err)
	}
	if loaded != path {
		t.Errorf("loaded %q, want %q", loaded, path)
	}
	for key, want := range map[string]string{"CHAT_MODEL": "llama3.1", "SEARCH_K": "5", "OPENAI_API_KEY": "sk-process", "LOG_LEVEL": ""} {
		if got := lookup(key); got != want {
			t.Errorf("lookup(%s) = %q, want %q", key, got, want)
		}
	}
	if _, loaded, err := WithDotEnv(getenv, filepath.Join(dir, "missing")); err != nil || loaded != "" {
		t.Errorf("a missing .env: loaded %q, %v, want nothing and no error", loaded, err)
	}
	if err := os.WriteFile(path, []byte("CHAT_MODEL\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := WithDotEnv(getenv, path); err == nil || !strings.Contains(err.Error(), ".env:1") {
		t.Errorf("a line without =: %v, want an error naming the line", err)
	}
}

// TestWithDotEnvWritableByOthers: a .env that another user can write may
// point OPENAI_BASE_URL elsewhere and collect the API key; it is refused
// with the file's name and the fix.
func TestWithDotEnvWritableByOthers(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no group and other permission bits")
	}
	for _, mode := range []os.FileMode{0o620, 0o602, 0o666, 0o777} {
		t.Run(mode.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), ".env")
			if err := os.WriteFile(path, []byte("OPENAI_BASE_URL=https://attacker.example/v1\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, mode); err != nil {
				t.Fatal(err)
			}
			_, _, err := WithDotEnv(func(string) string { return "" }, path)
			if err == nil {
				t.Fatal("WithDotEnv accepted the file")
			}
			for _, want := range []string{path, "writable by group or others", "chmod go-w " + path} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
	path := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(path, []byte("CHAT_MODEL=m\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := WithDotEnv(func(string) string { return "" }, path); err != nil {
		t.Errorf("mode 0644: %v, want no error", err)
	}
}

func TestAnswersRetention(t *testing.T) {
	tests := []struct {
		v       string
		want    time.Duration
		wantErr bool
	}{
		{"", DefaultAnswersRetention, false},
		{"30d", 30 * 24 * time.Hour, false},
		{"720h", 720 * time.Hour, false},
		{"0", 0, false},
		{"90", 0, true},
		{"30m", 0, true},
		{"-5d", 0, true},
		{"d", 0, true},
	}
	for _, tt := range tests {
		cfg, err := Load(func(k string) string { return map[string]string{"ANSWERS_RETENTION": tt.v}[k] })
		if tt.wantErr {
			if err == nil || !strings.Contains(err.Error(), "ANSWERS_RETENTION") {
				t.Errorf("ANSWERS_RETENTION=%q: %v, want an error naming it", tt.v, err)
			}
			continue
		}
		if err != nil || cfg.AnswersRetention != tt.want {
			t.Errorf("ANSWERS_RETENTION=%q: %v, %v; want %v", tt.v, cfg.AnswersRetention, err, tt.want)
		}
	}
}

// TestDatabaseURLFollowsPGPort: the default database is the dev cluster
// scripts/devdb.sh starts, on DALIL_PGPORT when it is set.
func TestDatabaseURLFollowsPGPort(t *testing.T) {
	tests := []struct {
		env     map[string]string
		want    string
		wantErr string
	}{
		{nil, "postgres://dalil@127.0.0.1:54329/dalil?sslmode=disable", ""},
		{map[string]string{"DALIL_PGPORT": "54400"}, "postgres://dalil@127.0.0.1:54400/dalil?sslmode=disable", ""},
		{map[string]string{"DALIL_PGPORT": "54400", "DATABASE_URL": "postgres://db.example/news"}, "postgres://db.example/news", ""},
		{map[string]string{"DALIL_PGPORT": "70000"}, "", `DALIL_PGPORT="70000": want a TCP port`},
		{map[string]string{"DALIL_PGPORT": "x"}, "", `DALIL_PGPORT="x": want a non-negative whole number`},
	}
	for _, tt := range tests {
		cfg, ok := loadEnv(t, tt.env, tt.wantErr)
		if !ok {
			continue
		}
		if cfg.DatabaseURL != tt.want {
			t.Errorf("%v: DatabaseURL = %q, want %q", tt.env, cfg.DatabaseURL, tt.want)
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

func TestLoadReplicas(t *testing.T) {
	type replicas struct {
		ID, Count int
		Auto      bool
		Base      string
		Hosts     []string
	}
	defaults := replicas{Base: "https://discord.com"}
	tests := []struct {
		name    string
		env     map[string]string
		want    replicas
		wantErr string
	}{
		{"defaults: unsharded, Discord", nil, defaults, ""},
		{"fixed shard", map[string]string{"DISCORD_SHARD_ID": "2", "DISCORD_SHARD_COUNT": "3"}, replicas{ID: 2, Count: 3, Base: "https://discord.com"}, ""},
		{"auto", map[string]string{"DISCORD_SHARD_COUNT": "auto"}, replicas{Auto: true, Base: "https://discord.com"}, ""},
		{"id without count", map[string]string{"DISCORD_SHARD_ID": "0"}, defaults, "go together"},
		{"count without id", map[string]string{"DISCORD_SHARD_COUNT": "2"}, defaults, "go together"},
		{"id with auto", map[string]string{"DISCORD_SHARD_ID": "0", "DISCORD_SHARD_COUNT": "auto"}, defaults, "unset DISCORD_SHARD_ID"},
		{"id too large", map[string]string{"DISCORD_SHARD_ID": "2", "DISCORD_SHARD_COUNT": "2"}, defaults, `DISCORD_SHARD_ID="2": want a whole number from 0 to 1`},
		{"negative id", map[string]string{"DISCORD_SHARD_ID": "-1", "DISCORD_SHARD_COUNT": "2"}, defaults, "DISCORD_SHARD_ID"},
		{"zero count", map[string]string{"DISCORD_SHARD_ID": "0", "DISCORD_SHARD_COUNT": "0"}, defaults, "DISCORD_SHARD_COUNT"},
		{"fake over http", map[string]string{"DISCORD_API_BASE_URL": "http://127.0.0.1:8080/"}, replicas{Base: "http://127.0.0.1:8080"}, ""},
		{"proxy with a path", map[string]string{"DISCORD_API_BASE_URL": "https://proxy.internal/discord"}, replicas{Base: "https://proxy.internal/discord"}, ""},
		{"base with /api", map[string]string{"DISCORD_API_BASE_URL": "https://discord.com/api/v9"}, defaults, "without /api/v9"},
		{"base without scheme", map[string]string{"DISCORD_API_BASE_URL": "discord.com"}, defaults, "want http:// or https://"},
		{"base with a query", map[string]string{"DISCORD_API_BASE_URL": "http://x?y=1"}, defaults, "no query"},
		{"base with a password, not shown", map[string]string{"DISCORD_API_BASE_URL": "https://bot:S3cretTok@proxy.example/"}, defaults, `"https://bot:xxxxx@proxy.example/": want no query`},
		{"attachment hosts", map[string]string{"DISCORD_ATTACHMENT_HOSTS": "CDN.discordapp.com, http://127.0.0.1:8080/"},
			replicas{Base: "https://discord.com", Hosts: []string{"cdn.discordapp.com", "http://127.0.0.1:8080"}}, ""},
		{"attachment host with a path", map[string]string{"DISCORD_ATTACHMENT_HOSTS": "cdn.discordapp.com/attachments"}, defaults, "DISCORD_ATTACHMENT_HOSTS"},
		{"attachment origin ftp", map[string]string{"DISCORD_ATTACHMENT_HOSTS": "ftp://files.example"}, defaults, "DISCORD_ATTACHMENT_HOSTS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, ok := loadEnv(t, tt.env, tt.wantErr)
			if !ok {
				return
			}
			got := replicas{cfg.DiscordShardID, cfg.DiscordShardCount, cfg.DiscordShardAuto, cfg.DiscordAPIBaseURL, cfg.DiscordAttachmentHosts}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("settings (-want +got):\n%s", d)
			}
		})
	}
}

func TestParseDays(t *testing.T) {
	tests := []struct {
		v       string
		want    time.Duration
		wantErr bool
	}{
		{"7d", 7 * 24 * time.Hour, false},
		{"1d", 24 * time.Hour, false},
		{"36h", 36 * time.Hour, false},
		{"90m", 90 * time.Minute, false},
		{"0d", 0, true},
		{"-1d", 0, true},
		{"7", 0, true},
		{"d", 0, true},
		{"", 0, true},
		{"a week", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseDays(tt.v)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseDays(%q) = %v, %v; want %v (error %v)", tt.v, got, err, tt.want, tt.wantErr)
		}
	}
}

// loadEnv loads the settings of env. When wantErr is set, it checks that
// Load fails with it and returns false; otherwise a failure is fatal.
func loadEnv(t *testing.T, env map[string]string, wantErr string) (Config, bool) {
	t.Helper()
	cfg, err := Load(func(k string) string { return env[k] })
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("%v: Load: %v, want an error containing %q", env, err, wantErr)
		}
		return Config{}, false
	}
	if err != nil {
		t.Fatalf("%v: Load: %v", env, err)
	}
	return cfg, true
}
