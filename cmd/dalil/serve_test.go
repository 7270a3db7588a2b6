package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dalil-news/dalil/internal/testing/logtest"

	"github.com/bwmarrin/discordgo"

	"github.com/dalil-news/dalil/internal/testing/discordtest"
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

// TestServeOnFakeDiscord runs dalil serve as main does, with its REST API
// base on the fake Discord (DISCORD_API_BASE_URL) and automatic sharding:
// it claims shard 0 of the 2 the fake recommends, answers /ask in a guild
// of that shard, ingests a file attached on the fake's own host
// (DISCORD_ATTACHMENT_HOSTS), reports ready, logs discordgo's lines as
// JSON, and releases its shard when it stops. Not parallel: serve sets discordgo's
// package logger.
func TestServeOnFakeDiscord(t *testing.T) {
	srv := discordtest.New(t, discordtest.WithShards(2, 1), discordtest.WithLocalAttachments())
	db := pgtest.NewDatabase(t)
	guild := ""
	for j := uint64(0); guild == ""; j++ {
		if g := strconv.FormatUint(1200000000000000001+j<<22, 10); discordtest.ShardOf(g, 2) == 0 {
			guild = g
		}
	}
	env := map[string]string{
		"DATABASE_URL": db, "DISCORD_TOKEN": "test-token", "DISCORD_API_BASE_URL": srv.URL(),
		"DISCORD_SHARD_COUNT": "auto", "DISCORD_GUILD_IDS": guild, "ADMIN_ADDR": "127.0.0.1:0",
		"LOG_FORMAT": "json", "SHUTDOWN_TIMEOUT": "5s", "DICTIONARIES_DIR": t.TempDir(), "DISCORD_ATTACHMENT_HOSTS": srv.URL(),
	}
	logs := &logtest.Buffer{}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, io.Discard, logs) }()
	defer func() {
		stop()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop 30 s after its context ended")
		}
		if t.Failed() {
			t.Logf("logs:\n%s", logs)
		}
	}()
	waitLog := func(fields map[string]string) map[string]any {
		t.Helper()
		return waitLogLine(t, logs, 20*time.Second, fields)
	}
	adminURL := "http://" + waitLog(map[string]string{"msg": "serving"})["admin"].(string)
	get := func(path string) (int, string) {
		resp, err := http.Get(adminURL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := get("/healthz"); code != 200 {
		t.Errorf("/healthz = %d %q, want 200", code, body)
	}
	waitReady := func() {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			code, body := get("/readyz")
			if code == 200 && body == "database: ok\ngateway: ok\n" {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("/readyz = %d %q after 20 s, want 200 with both checks ok", code, body)
			}
		}
	}
	waitReady()
	// The admin page reads the database without a token on loopback.
	if code, body := get("/?lang=fr"); code != 200 || !strings.Contains(body, "<title>dalil — administration</title>") || strings.Contains(body, "Indisponible") {
		t.Errorf("the admin page = %d:\n%s", code, body)
	}
	if ids := srv.Identifies(); len(ids) != 1 || ids[0].Shard == nil || *ids[0].Shard != [2]int{0, 2} {
		t.Fatalf("IDENTIFY payloads %+v, want one for shard [0 2]", ids)
	}
	waitLog(map[string]string{"msg": "claimed a gateway shard", "component": "shard"})

	in := srv.SendInteraction(&discordgo.Interaction{ChannelID: guild + "1", GuildID: guild, Data: discordgo.ApplicationCommandInteractionData{
		Name:    "ask",
		Options: []*discordgo.ApplicationCommandInteractionDataOption{{Name: "question", Type: discordgo.ApplicationCommandOptionString, Value: "Quoi de neuf au port ?"}},
	}})
	wait, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if _, err := srv.WaitFor(wait, discordtest.Route("PATCH", "/api/v9/webhooks/*/"+in.Token+"/messages/@original")); err != nil {
		t.Fatal(err)
	}

	upload, err := os.ReadFile("testdata/upload.md")
	if err != nil {
		t.Fatal(err)
	}
	url := srv.AddAttachment("upload.md", upload)
	in = srv.SendInteraction(&discordgo.Interaction{ChannelID: guild + "1", GuildID: guild,
		Member: &discordgo.Member{Permissions: discordtest.DefaultPermissions | discordgo.PermissionManageGuild},
		Data: discordgo.ApplicationCommandInteractionData{
			Name:    "ingest",
			Options: []*discordgo.ApplicationCommandInteractionDataOption{{Name: "file", Type: discordgo.ApplicationCommandOptionAttachment, Value: "900"}},
			Resolved: &discordgo.ApplicationCommandInteractionDataResolved{Attachments: map[string]*discordgo.MessageAttachment{
				"900": {ID: "900", Filename: "upload.md", URL: url, Size: len(upload), ContentType: "text/markdown"},
			}},
		}})
	if _, err := srv.WaitFor(wait, func(r discordtest.Request) bool {
		return r.Method == "PATCH" && strings.HasSuffix(r.Path, in.Token+"/messages/@original") && strings.Contains(string(r.Body), "✅")
	}); err != nil {
		t.Fatalf("/ingest file from %s: %v", url, err)
	}

	srv.DropConnection()
	if l := waitLog(map[string]string{"component": "discordgo", "msg": "error reading from gateway"}); l["level"] != "WARN" {
		t.Errorf("discordgo's line %v, want level WARN", l)
	}
	// Resumed before stopping: discordgo reads ShouldReconnectOnError
	// without its lock when it starts reconnecting, which the shutdown
	// writes under the lock its Open holds.
	if err := srv.WaitHandshakes(wait, 2); err != nil {
		t.Fatal(err)
	}
	waitReady()

	stop()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	done <- nil // for the deferred check
	store, err := postgres.Open(context.Background(), db, postgres.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if l, ok, err := store.ClaimShard(context.Background(), "checker", 2, time.Minute); err != nil || !ok || l.ID != 0 {
		t.Errorf("after serve stopped, a claim got %+v, %v, %v; want shard 0, released", l, ok, err)
	}
}

// logLine returns the first JSON log line in logs whose string fields
// contain those of fields, nil if there is none yet.
func logLine(logs *logtest.Buffer, fields map[string]string) map[string]any {
lines:
	for _, l := range strings.Split(logs.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) != nil {
			continue
		}
		for k, v := range fields {
			if s, _ := m[k].(string); !strings.Contains(s, v) {
				continue lines
			}
		}
		return m
	}
	return nil
}

// waitLogLine waits up to timeout for logLine to find a line.
func waitLogLine(t testing.TB, logs *logtest.Buffer, timeout time.Duration, fields map[string]string) map[string]any {
	t.Helper()
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := logLine(logs, fields); m != nil {
			return m
		}
	}
	t.Fatalf("no log line with %v after %v", fields, timeout)
	return nil
}
