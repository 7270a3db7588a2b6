package bot

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dalil-news/dalil/internal/testing/logtest"

	"github.com/bwmarrin/discordgo"

	"github.com/dalil-news/dalil/internal/testing/discordtest"
	"github.com/dalil-news/dalil/rag"
)

// roundTripFunc records what a transport sends on.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestAPITransport(t *testing.T) {
	tests := []struct {
		base, request, want string
	}{
		{"http://127.0.0.1:8080", "https://discord.com/api/v9/users/@me", "http://127.0.0.1:8080/api/v9/users/@me"},
		{"https://proxy.internal/discord", "https://discord.com/api/v9/gateway/bot", "https://proxy.internal/discord/api/v9/gateway/bot"},
		{"http://127.0.0.1:8080", "https://discord.com/api/v9/channels/1/messages/2/reactions/%F0%9F%91%8D/@me", "http://127.0.0.1:8080/api/v9/channels/1/messages/2/reactions/%F0%9F%91%8D/@me"},
		// Attachments and anything else are not Discord's REST API.
		{"http://127.0.0.1:8080", "https://cdn.discordapp.com/attachments/1/2/a.txt", "https://cdn.discordapp.com/attachments/1/2/a.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.request, func(t *testing.T) {
			base, _ := url.Parse(tt.base)
			var got, host string
			tr := &apiTransport{base: base, next: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				got, host = r.URL.String(), r.Host
				return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("{}")), Request: r}, nil
			})}
			req, err := http.NewRequest("GET", tt.request, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tr.RoundTrip(req); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("sent to %s, want %s", got, tt.want)
			}
			if host != "" && host != req.URL.Host {
				t.Errorf("Host header %q for %s", host, got)
			}
			if req.URL.String() != tt.request {
				t.Errorf("the caller's request changed to %s", req.URL)
			}
		})
	}
}

func TestNewSessionRejects(t *testing.T) {
	for _, base := range []string{"ftp://discord.example", "discord.com", "http://", "http://x/?a=1"} {
		if _, err := NewSession("token", base); err == nil {
			t.Errorf("NewSession with base %q: no error", base)
		}
	}
}

func TestAttachmentAllowed(t *testing.T) {
	defaults := Config{}.withDefaults().AttachmentHosts
	local := []string{"cdn.discordapp.com", "http://127.0.0.1:8080"}
	tests := []struct {
		url   string
		hosts []string
		want  bool
	}{
		{"https://cdn.discordapp.com/attachments/1/2/a.txt", defaults, true},
		{"https://media.discordapp.net/attachments/1/2/a.png", defaults, true},
		{"https://CDN.discordapp.com/attachments/1/2/a.txt", defaults, true},
		{"http://cdn.discordapp.com/attachments/1/2/a.txt", defaults, false},
		{"https://cdn.discordapp.com.evil.example/a.txt", defaults, false},
		{"http://127.0.0.1:8080/attachments/1/2/a.txt", defaults, false},
		{"http://127.0.0.1:8080/attachments/1/2/a.txt", local, true},
		{"http://127.0.0.1:9999/attachments/1/2/a.txt", local, false},
		{"https://127.0.0.1:8080/attachments/1/2/a.txt", local, false},
		{"https://cdn.discordapp.com/attachments/1/2/a.txt", local, true},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		if got := attachmentAllowed(u, tt.hosts); got != tt.want {
			t.Errorf("attachmentAllowed(%s, %v) = %v, want %v", tt.url, tt.hosts, got, tt.want)
		}
	}
}

// fixedAnswer answers every question with the same cited sentence.
type fixedAnswer struct{}

func (fixedAnswer) Ask(_ context.Context, q rag.Question) (rag.Answer, error) {
	return rag.Answer{Question: q.Text, Found: true, Text: "The port doubled its capacity [1].", Mode: rag.ModeExtractive,
		Citations: []rag.Citation{{N: 1, Quote: "The new terminal doubles the port's capacity.", Article: rag.Article{
			ID: 1, Title: "Casablanca port", URL: "https://news.example/port", Publisher: "Harbour Daily", Lang: "en"}}}}, nil
}

// eventually polls cond every 20 ms for up to 10 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10s", what)
		}
	}
}

// TestSessionOnAnotherBase runs the bot on a session built as dalil serve
// builds it, its base URL on the fake Discord: it connects, answers /ask,
// reports its readiness, and discordgo's log lines come out as JSON.
// Not parallel: it sets discordgo's package logger.
func TestSessionOnAnotherBase(t *testing.T) {
	srv := discordtest.New(t)
	logs := &logtest.Buffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// Left in place after the test: discordgo's goroutines may still log
	// while they stop, and would race with a reset.
	LogDiscordgo(log)

	sess, err := NewSession("test-token", srv.URL()+"/")
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(sess, Deps{Answerer: fixedAnswer{}, Log: log}, Config{GuildIDs: []string{discordtest.GuildID}, ShutdownTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Ready(context.Background()); err == nil {
		t.Error("Ready before Run: nil, want an error")
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		if err := b.Ready(context.Background()); err == nil || !strings.Contains(err.Error(), "shutting down") {
			t.Errorf("Ready after Run: %v, want shutting down", err)
		}
		if t.Failed() {
			t.Logf("logs:\n%s", logs)
		}
	}()

	wait, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if _, err := srv.WaitFor(wait, discordtest.Route("PUT", "/api/v9/applications/*/guilds/*/commands")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "Ready once connected", func() bool { return b.Ready(context.Background()) == nil })
	in := srv.SendInteraction(&discordgo.Interaction{Data: discordgo.ApplicationCommandInteractionData{
		Name: "ask",
		Options: []*discordgo.ApplicationCommandInteractionDataOption{{
			Name: "question", Type: discordgo.ApplicationCommandOptionString, Value: "What did the port do?",
		}},
	}})
	if _, err := srv.WaitFor(wait, func(r discordtest.Request) bool {
		return r.Method == "PATCH" && strings.HasSuffix(r.Path, in.Token+"/messages/@original") && r.Status == 200 &&
			strings.Contains(string(r.Body), "doubled its capacity")
	}); err != nil {
		t.Fatal(err)
	}
	for _, r := range srv.Requests() {
		if r.Host != strings.TrimPrefix(srv.URL(), "http://") {
			t.Errorf("%s addressed to %s, want the base URL's host", r, r.Host)
		}
	}

	// A dropped connection: discordgo logs the read error through slog,
	// the bot is not ready until it has resumed.
	srv.DropConnection()
	eventually(t, "discordgo's warning in the JSON log", func() bool { return strings.Contains(logs.String(), `"component":"discordgo"`) })
	// Resumed before stopping: discordgo reads ShouldReconnectOnError
	// without its lock when it starts reconnecting, which the shutdown
	// writes under the lock its Open holds.
	if err := srv.WaitHandshakes(wait, 2); err != nil {
		t.Fatal(err)
	}
	eventually(t, "Ready after resuming", func() bool { return b.Ready(context.Background()) == nil })
	var line map[string]any
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, `"component":"discordgo"`) {
			if err := json.Unmarshal([]byte(l), &line); err != nil {
				t.Fatalf("discordgo's log line is not JSON: %v\n%s", err, l)
			}
			break
		}
	}
	if line["level"] != "WARN" || !strings.Contains(line["msg"].(string), "error reading from gateway") ||
		!strings.HasPrefix(line["src"].(string), "wsapi.go:") {
		t.Errorf("discordgo's log line = %v, want a WARN about reading from the gateway from wsapi.go", line)
	}
}
