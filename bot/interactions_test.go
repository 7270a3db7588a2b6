package bot

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/dalil-news/dalil/internal/testing/discordtest"
	"github.com/dalil-news/dalil/phrases"
	"github.com/dalil-news/dalil/rag"
)

// noAnswers is an Answerer for tests that ask nothing.
type noAnswers struct{}

func (noAnswers) Ask(context.Context, rag.Question) (rag.Answer, error) {
	return rag.Answer{}, rag.ErrUnavailable
}

// slowStats reports stats once released.
type slowStats struct{ release chan struct{} }

func (s slowStats) Stats(ctx context.Context) (Stats, error) {
	select {
	case <-s.release:
		return Stats{Articles: 3, Chunks: 9, Embedder: "offline", Dimensions: 768}, nil
	case <-ctx.Done():
		return Stats{}, ctx.Err()
	}
}

// slowFeedback saves votes once released.
type slowFeedback struct {
	release chan struct{}
	mu      sync.Mutex
	saved   []rag.Feedback
}

func (s *slowFeedback) SaveFeedback(ctx context.Context, f rag.Feedback) error {
	select {
	case <-s.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.saved = append(s.saved, f)
	return nil
}

// newEndpointBot returns a bot over a session of srv, not run, whose
// interactions endpoint is served at the returned URL.
func newEndpointBot(t *testing.T, srv *discordtest.Server, deps Deps, cfg Config) (*Bot, string) {
	t.Helper()
	if deps.Answerer == nil {
		deps.Answerer = noAnswers{}
	}
	if cfg.PublicKey == nil {
		cfg.PublicKey = srv.PublicKey()
	}
	b, err := New(srv.Session(t, "token"), deps, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(b.InteractionsHandler())
	t.Cleanup(ts.Close)
	return b, ts.URL + "/interactions"
}

func TestInteractionsEndpointChecks(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	_, endpoint := newEndpointBot(t, srv, Deps{}, Config{})
	_, otherKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ping := []byte(`{"id":"1500000000000000001","application_id":"` + discordtest.AppID + `","type":1,"token":"itok","version":1}`)
	signed := func(body []byte, at time.Time) func(*http.Request) {
		return func(r *http.Request) { srv.Sign(r, body, at) }
	}
	now := time.Now()
	tests := []struct {
		name       string
		method     string
		body       []byte
		sign       func(*http.Request) // nil: unsigned
		wantStatus int
		wantReply  string
	}{
		{"PING", "POST", ping, signed(ping, now), 200, `{"type":1}`},
		{"PING signed a minute ago", "POST", ping, signed(ping, now.Add(-time.Minute)), 200, `{"type":1}`},
		{"GET", "GET", nil, nil, 405, ""},
		{"unsigned", "POST", ping, nil, 401, ""},
		{"signed by another key", "POST", ping, func(r *http.Request) {
			ts := strconv.FormatInt(now.Unix(), 10)
			r.Header.Set("X-Signature-Timestamp", ts)
			r.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(otherKey, append([]byte(ts), ping...))))
		}, 401, ""},
		{"body changed after signing", "POST", bytes.Replace(ping, []byte(`"type":1`), []byte(`"type":2`), 1), signed(ping, now), 401, ""},
		{"signature not hex", "POST", ping, func(r *http.Request) {
			srv.Sign(r, ping, now)
			r.Header.Set("X-Signature-Ed25519", "zz"+r.Header.Get("X-Signature-Ed25519")[2:])
		}, 401, ""},
		{"timestamp missing", "POST", ping, func(r *http.Request) {
			srv.Sign(r, ping, now)
			r.Header.Del("X-Signature-Timestamp")
		}, 401, ""},
		{"signed 16 minutes ago", "POST", ping, signed(ping, now.Add(-16*time.Minute)), 401, ""},
		{"signed 16 minutes ahead", "POST", ping, signed(ping, now.Add(16*time.Minute)), 401, ""},
		{"not JSON", "POST", []byte(`{"type":`), signed([]byte(`{"type":`), now), 400, ""},
		{"command without data", "POST", []byte(`{"id":"1","type":2,"token":"t"}`), signed([]byte(`{"id":"1","type":2,"token":"t"}`), now), 400, ""},
		{"autocomplete", "POST", []byte(`{"id":"1","type":4,"token":"t","data":{"name":"ask"}}`),
			signed([]byte(`{"id":"1","type":4,"token":"t","data":{"name":"ask"}}`), now), 400, ""},
		{"unknown type", "POST", []byte(`{"id":"1","type":99,"token":"t"}`), signed([]byte(`{"id":"1","type":99,"token":"t"}`), now), 400, ""},
		{"too large", "POST", bytes.Repeat([]byte(" "), maxInteractionBytes+1), nil, 413, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, endpoint, bytes.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if tt.sign != nil {
				tt.sign(req)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, body, tt.wantStatus)
			}
			if tt.wantReply != "" && (string(body) != tt.wantReply || resp.Header.Get("Content-Type") != "application/json") {
				t.Errorf("reply %s (%s), want %s (application/json)", body, resp.Header.Get("Content-Type"), tt.wantReply)
			}
			if tt.method == "GET" && resp.Header.Get("Allow") != "POST" {
				t.Errorf("Allow = %q, want POST", resp.Header.Get("Allow"))
			}
		})
	}
}

// admin is a member who may run admin commands.
func admin() *discordgo.Member {
	return &discordgo.Member{GuildID: discordtest.GuildID, Permissions: discordtest.DefaultPermissions | discordgo.PermissionManageGuild}
}

// TestInteractionDeferredWhenSlow checks that an interaction whose handler
// takes longer than ackWait to give its first response is deferred in the
// HTTP reply, and that the response then comes through the webhook.
func TestInteractionDeferredWhenSlow(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	release := make(chan struct{})
	votes := &slowFeedback{release: release}
	b, endpoint := newEndpointBot(t, srv, Deps{Stats: slowStats{release}, Feedback: votes}, Config{})
	b.ackWait = 50 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	cmd := &discordgo.Interaction{Member: admin(), Data: discordgo.ApplicationCommandInteractionData{Name: "stats"}}
	stats, err := srv.PostInteraction(ctx, endpoint, cmd)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource || stats.Data.Flags != discordgo.MessageFlagsEphemeral {
		t.Errorf("/stats reply %+v, want an ephemeral deferral", stats)
	}
	answer, err := b.s.ChannelMessageSend(discordtest.ChannelID, "an answer")
	if err != nil {
		t.Fatal(err)
	}
	click := &discordgo.Interaction{
		Type:    discordgo.InteractionMessageComponent,
		Message: answer,
		Data:    discordgo.MessageComponentInteractionData{CustomID: voteID(1, "abc"), ComponentType: discordgo.ButtonComponent},
	}
	vote, err := srv.PostInteraction(ctx, endpoint, click)
	if err != nil {
		t.Fatal(err)
	}
	if vote.Type != discordgo.InteractionResponseDeferredMessageUpdate {
		t.Errorf("vote reply %+v, want a deferred update", vote)
	}

	close(release)
	edit, err := srv.WaitFor(ctx, discordtest.Route("PATCH", "/api/v9/webhooks/*/"+cmd.Token+"/messages/@original"))
	if err != nil {
		t.Fatal(err)
	}
	if msg := srv.Original(cmd.Token); edit.Status != 200 ||
		len(msg.Embeds) != 1 || msg.Embeds[0].Title != "Archive" || msg.Flags&discordgo.MessageFlagsEphemeral == 0 {
		t.Errorf("/stats edit %s %s: original %+v, want the ephemeral stats embed", edit, edit.Body, msg)
	}
	thanks, err := srv.WaitFor(ctx, discordtest.Route("POST", "/api/v9/webhooks/*/"+click.Token))
	if err != nil {
		t.Fatal(err)
	}
	var m discordgo.Message
	if err := json.Unmarshal(thanks.Response, &m); err != nil || thanks.Status != 200 ||
		m.Content != phrases.Text("en", phrases.VoteUp) || m.Flags != discordgo.MessageFlagsEphemeral {
		t.Errorf("vote follow-up %s %s, want the ephemeral thanks", thanks, thanks.Response)
	}
	if got := srv.Message(answer.ID); got.Content != "an answer" {
		t.Errorf("the voted message became %q", got.Content)
	}
	votes.mu.Lock()
	defer votes.mu.Unlock()
	if len(votes.saved) != 1 || votes.saved[0].Vote != 1 || votes.saved[0].MessageID != answer.ID {
		t.Errorf("saved votes %+v, want one 👍 on the message", votes.saved)
	}
}

// runGatewayBot runs a bot over sess, on srv's gateway, until the test
// ends; it waits 50 ms for a handler's first response, and is connected,
// its commands registered, when runGatewayBot returns.
func runGatewayBot(t *testing.T, srv *discordtest.Server, sess *discordgo.Session, deps Deps) *Bot {
	t.Helper()
	if deps.Answerer == nil {
		deps.Answerer = noAnswers{}
	}
	b, err := New(sess, deps, Config{})
	if err != nil {
		t.Fatal(err)
	}
	b.ackWait = 50 * time.Millisecond
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	eventually(t, "Ready once connected", func() bool { return b.Ready(context.Background()) == nil })
	// Stopped while it registers its commands, Run would fail.
	wait, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := srv.WaitFor(wait, discordtest.Route("PUT", "/api/v9/applications/*/commands")); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestGatewayUnknownButton checks that a click on a button the bot no
// longer knows is acknowledged, its message unchanged, rather than left
// to fail.
func TestGatewayUnknownButton(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	b := runGatewayBot(t, srv, srv.Session(t, "token"), Deps{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	old, err := b.s.ChannelMessageSend(discordtest.ChannelID, "old")
	if err != nil {
		t.Fatal(err)
	}
	click := srv.SendInteraction(&discordgo.Interaction{
		Type:    discordgo.InteractionMessageComponent,
		Message: old,
		Data:    discordgo.MessageComponentInteractionData{CustomID: "gone:1", ComponentType: discordgo.ButtonComponent},
	})
	callback, err := srv.WaitFor(ctx, discordtest.Route("POST", "/api/v9/interactions/"+click.ID+"/*/callback"))
	if err != nil {
		t.Fatal(err)
	}
	var resp discordgo.InteractionResponse
	if err := json.Unmarshal(callback.Body, &resp); err != nil || callback.Status != 204 || resp.Type != discordgo.InteractionResponseDeferredMessageUpdate {
		t.Errorf("callback %s %s, want a deferred update", callback, callback.Body)
	}
	if got := srv.Message(old.ID); got.Content != "old" {
		t.Errorf("the clicked message became %q", got.Content)
	}
}

// TestGatewayInteractionDeferredWhenSlow checks that an interaction from
// the gateway whose handler is slow to give its first response (here a
// slow database behind /stats) is deferred over REST within ackWait, and
// that the answer then replaces the deferral.
func TestGatewayInteractionDeferredWhenSlow(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	release := make(chan struct{})
	runGatewayBot(t, srv, srv.Session(t, "token"), Deps{Stats: slowStats{release}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	cmd := srv.SendInteraction(&discordgo.Interaction{Member: admin(), Data: discordgo.ApplicationCommandInteractionData{Name: "stats"}})
	callback, err := srv.WaitFor(ctx, discordtest.Route("POST", "/api/v9/interactions/"+cmd.ID+"/*/callback"))
	if err != nil {
		t.Fatal(err)
	}
	var resp discordgo.InteractionResponse
	if err := json.Unmarshal(callback.Body, &resp); err != nil || callback.Status != 204 ||
		resp.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource || resp.Data.Flags != discordgo.MessageFlagsEphemeral {
		t.Errorf("first response %s %s, want an ephemeral deferral", callback, callback.Body)
	}
	close(release)
	edit, err := srv.WaitFor(ctx, discordtest.Route("PATCH", "/api/v9/webhooks/*/"+cmd.Token+"/messages/@original"))
	if err != nil {
		t.Fatal(err)
	}
	if msg := srv.Original(cmd.Token); edit.Status != 200 || len(msg.Embeds) != 1 || msg.Embeds[0].Title != "Archive" {
		t.Errorf("/stats edit %s %s: original %+v, want the stats embed", edit, edit.Body, msg)
	}
	isCallback, n := discordtest.Route("POST", "/api/v9/interactions/*/*/callback"), 0
	for _, r := range srv.Requests() {
		if isCallback(r) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d callbacks, want the one deferral", n)
	}
}

// delayedCallbacks delays every interaction callback by delay, after
// closing started (once): a deferral slow to reach Discord.
type delayedCallbacks struct {
	next    http.RoundTripper
	delay   time.Duration
	started chan struct{}
	once    sync.Once
}

func (d *delayedCallbacks) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/callback") {
		d.once.Do(func() { close(d.started) })
		time.Sleep(d.delay)
	}
	return d.next.RoundTrip(r)
}

// TestGatewayEditWaitsForDeferral checks that a slow handler's answer,
// ready while the gateway's deferral is still on its way, edits the
// deferral once it is sent, not before (Discord would say 404).
func TestGatewayEditWaitsForDeferral(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	sess := srv.Session(t, "token")
	started := make(chan struct{})
	next := sess.Client.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	sess.Client = &http.Client{Transport: &delayedCallbacks{next: next, delay: 300 * time.Millisecond, started: started}, Timeout: sess.Client.Timeout}
	// The stats are ready as soon as the deferral starts out.
	runGatewayBot(t, srv, sess, Deps{Stats: slowStats{started}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	cmd := srv.SendInteraction(&discordgo.Interaction{Member: admin(), Data: discordgo.ApplicationCommandInteractionData{Name: "stats"}})
	edit, err := srv.WaitFor(ctx, discordtest.Route("PATCH", "/api/v9/webhooks/*/"+cmd.Token+"/messages/@original"))
	if err != nil {
		t.Fatal(err)
	}
	if msg := srv.Original(cmd.Token); edit.Status != 200 || msg == nil || len(msg.Embeds) != 1 || msg.Embeds[0].Title != "Archive" {
		t.Errorf("/stats edit %s %s: original %+v, want the stats embed", edit, edit.Body, msg)
	}
}

// TestInteractionOutOfTime checks that a command whose work outlasts
// IngestTimeout still tells the member so: the message has a deadline of
// its own.
func TestInteractionOutOfTime(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	b, endpoint := newEndpointBot(t, srv, Deps{Stats: slowStats{make(chan struct{})}}, Config{IngestTimeout: 300 * time.Millisecond})
	b.ackWait = 50 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := &discordgo.Interaction{Member: admin(), Data: discordgo.ApplicationCommandInteractionData{Name: "stats"}}
	if _, err := srv.PostInteraction(ctx, endpoint, cmd); err != nil {
		t.Fatal(err)
	}
	edit, err := srv.WaitFor(ctx, discordtest.Route("PATCH", "/api/v9/webhooks/*/"+cmd.Token+"/messages/@original"))
	if err != nil {
		t.Fatal(err)
	}
	if msg := srv.Original(cmd.Token); edit.Status != 200 || !strings.Contains(msg.Content, "error") {
		t.Errorf("/stats edit %s: original %+v, want the apology", edit, msg)
	}
}

// slowArticles finds no article, once released.
type slowArticles struct{ release chan struct{} }

func (s slowArticles) Article(ctx context.Context, _ int64) (rag.Article, error) {
	select {
	case <-s.release:
		return rag.Article{}, fmt.Errorf("article: %w", rag.ErrNotFound)
	case <-ctx.Done():
		return rag.Article{}, ctx.Err()
	}
}
func (s slowArticles) ArticleByURL(ctx context.Context, _ string) (rag.Article, error) {
	return s.Article(ctx, 0)
}
func (slowArticles) RecentArticles(context.Context, time.Time, int) ([]rag.Article, error) {
	return nil, nil
}
func (slowArticles) DeleteArticle(context.Context, int64) error { return nil }

// noSummaries summarizes nothing; /summarize needs a Summarizer.
type noSummaries struct{}

func (noSummaries) Summarize(context.Context, int64, string) (rag.Summary, error) {
	return rag.Summary{}, errors.New("no summaries here")
}

// TestInteractionLateEphemeral: when /summarize, deferred publicly in the
// HTTP reply, then answers "no such article" for the member only, the
// public "thinking…" message goes and the answer follows, ephemeral.
func TestInteractionLateEphemeral(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	release := make(chan struct{})
	b, endpoint := newEndpointBot(t, srv, Deps{Articles: slowArticles{release}, Summarizer: noSummaries{}}, Config{})
	b.ackWait = 50 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := &discordgo.Interaction{Data: discordgo.ApplicationCommandInteractionData{Name: "summarize",
		Options: []*discordgo.ApplicationCommandInteractionDataOption{{Name: "article", Type: discordgo.ApplicationCommandOptionString, Value: "42"}}}}
	reply, err := srv.PostInteraction(ctx, endpoint, cmd)
	if err != nil {
		t.Fatal(err)
	}
	if reply.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource || reply.Data.Flags != 0 {
		t.Fatalf("/summarize reply %+v, want a public deferral", reply)
	}
	close(release)
	if _, err := srv.WaitFor(ctx, discordtest.Route("DELETE", "/api/v9/webhooks/*/"+cmd.Token+"/messages/@original")); err != nil {
		t.Fatal(err)
	}
	sent, err := srv.WaitFor(ctx, discordtest.Route("POST", "/api/v9/webhooks/*/"+cmd.Token))
	if err != nil {
		t.Fatal(err)
	}
	var m discordgo.Message
	if err := json.Unmarshal(sent.Response, &m); err != nil || sent.Status != 200 ||
		m.Content != phrases.Text("en", phrases.UnknownArticle, "42") || m.Flags != discordgo.MessageFlagsEphemeral {
		t.Errorf("follow-up %s %s, want the ephemeral \"no such article\"", sent, sent.Response)
	}
	if msg := srv.Original(cmd.Token); msg != nil {
		t.Errorf("the public deferral is still there: %+v", msg)
	}
	for _, r := range srv.Requests() {
		if r.Method == "PATCH" && strings.Contains(r.Path, cmd.Token) {
			t.Errorf("%s: the late answer edited the public deferral", r)
		}
	}
}

func TestInteractionNotHandled(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	b, endpoint := newEndpointBot(t, srv, Deps{}, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if resp, err := srv.PostInteraction(ctx, endpoint, &discordgo.Interaction{Data: discordgo.ApplicationCommandInteractionData{Name: "nope"}}); err == nil || !strings.Contains(err.Error(), "reply 400") {
		t.Errorf("unknown command: reply %+v, error %v; want a 400", resp, err)
	}
	old, err := b.s.ChannelMessageSend(discordtest.ChannelID, "old")
	if err != nil {
		t.Fatal(err)
	}
	button := &discordgo.Interaction{
		Type:    discordgo.InteractionMessageComponent,
		Message: old,
		Data:    discordgo.MessageComponentInteractionData{CustomID: "gone:1", ComponentType: discordgo.ButtonComponent},
	}
	if resp, err := srv.PostInteraction(ctx, endpoint, button); err != nil || resp.Type != discordgo.InteractionResponseDeferredMessageUpdate {
		t.Errorf("unknown button: reply %+v, error %v; want a deferred update (nothing changes)", resp, err)
	}
	b.stopping.Store(true)
	resp, err := srv.PostInteraction(ctx, endpoint, &discordgo.Interaction{Locale: discordgo.French, Data: discordgo.ApplicationCommandInteractionData{Name: "ask"}})
	if err != nil || resp.Type != discordgo.InteractionResponseChannelMessageWithSource || resp.Data.Flags != discordgo.MessageFlagsEphemeral ||
		resp.Data.Content != phrases.Text("fr", phrases.Stopping) {
		t.Errorf("while stopping: reply %+v, error %v; want an ephemeral note that the bot restarts", resp, err)
	}
}

// TestRunInteractionsOnly runs a bot without the gateway: it registers its
// commands with the application ID read over REST and answers on its own
// listener until its context ends.
func TestRunInteractionsOnly(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	var logs bytes.Buffer
	var mu sync.Mutex
	log := slog.New(slog.NewJSONHandler(lockedWriter{&mu, &logs}, nil))
	cfg := Config{GuildIDs: []string{discordtest.GuildID}, InteractionsOnly: true, InteractionsAddr: "127.0.0.1:0", PublicKey: srv.PublicKey()}
	b, err := New(srv.Session(t, "token"), Deps{Answerer: noAnswers{}, Log: log}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	wctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := srv.WaitFor(wctx, discordtest.Route("PUT", "/api/v9/applications/"+discordtest.AppID+"/guilds/"+discordtest.GuildID+"/commands")); err != nil {
		t.Fatal(err)
	}
	if ids := srv.Identifies(); len(ids) != 0 {
		t.Errorf("identified on the gateway %d times, want none", len(ids))
	}
	mu.Lock()
	addr := regexp.MustCompile(`"msg":"serving interactions","addr":"([^"]+)"`).FindStringSubmatch(logs.String())
	mu.Unlock()
	if addr == nil {
		t.Fatalf("no listening address logged:\n%s", logs.String())
	}
	endpoint := "http://" + addr[1] + "/interactions"
	if resp, err := srv.PostInteraction(wctx, endpoint, &discordgo.Interaction{Type: discordgo.InteractionPing}); err != nil || resp.Type != discordgo.InteractionResponsePong {
		t.Errorf("PING: %+v, %v; want PONG", resp, err)
	}
	stop()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	if _, err := srv.PostInteraction(wctx, endpoint, &discordgo.Interaction{Type: discordgo.InteractionPing}); err == nil {
		t.Error("the endpoint still answers after Run returned")
	}
}

func TestRunRefusesAnotherAppsKey(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	other, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{InteractionsOnly: true, InteractionsAddr: "127.0.0.1:0", PublicKey: other}
	b, err := New(srv.Session(t, "token"), Deps{Answerer: noAnswers{}}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "public key") {
		t.Errorf("Run: %v, want an error about the public key", err)
	}
}

func TestNewInteractionsConfig(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"only without address", Config{InteractionsOnly: true}, "InteractionsOnly needs Config.InteractionsAddr"},
		{"address without key", Config{InteractionsAddr: ":8080"}, "needs Config.PublicKey"},
		{"short key", Config{InteractionsAddr: ":8080", PublicKey: make([]byte, 31)}, "needs Config.PublicKey"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(srv.Session(t, "token"), Deps{Answerer: noAnswers{}}, tt.cfg); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("New: %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

// lockedWriter serializes writes to a buffer read by the test.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
