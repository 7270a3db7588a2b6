package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dalil-news/dalil/internal/testing/logtest"

	"github.com/bwmarrin/discordgo"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/dalil-news/dalil/bot"
	"github.com/dalil-news/dalil/embeddings"
	"github.com/dalil-news/dalil/internal/testing/discordtest"
	"github.com/dalil-news/dalil/internal/testing/postgrestest"
	"github.com/dalil-news/dalil/postgres"
	"github.com/dalil-news/dalil/rag"
	"github.com/dalil-news/dalil/replica"
)

// replicaBeat makes replicas notice a dead one within about a second.
func replicaBeat(c *bot.Config) {
	c.HeartbeatInterval, c.ReplicaTimeout = 100*time.Millisecond, time.Second
}

// addReplica starts another bot as dalil serve wires it, over its own
// gateway session of the same fake Discord and the same database, and
// waits until it has registered its commands (it then receives every
// event).
func (h *harness) addReplica() {
	h.t.Helper()
	sess := h.srv.Session(h.t, "test-token")
	d, err := h.wired.newDiscord(sess, h.svc, prometheus.NewRegistry(), h.botCfg)
	if err != nil {
		h.t.Fatal(err)
	}
	runBot(h.t, d.bot)
	registered := 0
	for _, r := range h.srv.Requests() {
		if discordtest.Route("PUT", "/api/v9/applications/*/guilds/*/commands")(r) {
			registered++
		}
	}
	h.waitN(registered+1, discordtest.Route("PUT", "/api/v9/applications/*/guilds/*/commands"))
}

// runBot runs b until the test ends.
func runBot(t testing.TB, b *bot.Bot) {
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	t.Cleanup(func() {
		stop()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("replica Run: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("a replica's Run did not return 30 s after its context ended")
		}
	})
}

// count returns how many requests the fake recorded that match.
func (h *harness) count(match func(discordtest.Request) bool) int {
	n := 0
	for _, r := range h.srv.Requests() {
		if match(r) {
			n++
		}
	}
	return n
}

// answeredIn matches the edit of a placeholder in channel into an answer.
func answeredIn(channel string) func(discordtest.Request) bool {
	return func(r discordtest.Request) bool {
		m, _ := r.JSON.(map[string]any)
		return r.Method == "PATCH" && strings.HasPrefix(r.Path, "/api/v9/channels/"+channel+"/messages/") && r.Status == 200 && hasEmbeds(m)
	}
}

// checkClaimsFinished takes over, as an auditing replica that counts
// every other as dead, the claims still open: none should be left once
// every answer is posted.
func (h *harness) checkClaimsFinished() {
	h.t.Helper()
	// The audit takes the open claims over, after which their replica can
	// no longer finish them: it looks once, after the finish that follows
	// an answer (one statement) has had time to land.
	time.Sleep(300 * time.Millisecond)
	open, err := h.store.TakeOver(context.Background(), "auditor", 0, 1000)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, c := range open {
		h.t.Errorf("claim %s (%s) still open after its answer", c.Key, c.From)
	}
}

// botMessages returns the bot's messages in a channel.
func (h *harness) botMessages(channel string) []*discordgo.Message {
	var out []*discordgo.Message
	for _, m := range h.srv.ChannelMessages(channel) {
		if m.Author.ID == discordtest.AppID {
			out = append(out, m)
		}
	}
	return out
}

// TestReplicasAnswerOnce runs two bots on one token and one database: both
// receive every event, and each mention and each /ask is answered once,
// with no "already acknowledged" error.
func TestReplicasAnswerOnce(t *testing.T) {
	h := start(t, setup{bot: func(c *bot.Config) {
		c.UserPerMinute, c.UserBurst, c.GuildPerMinute, c.GuildBurst = 600, 100, 600, 100
	}})
	h.addReplica()
	const n = 12
	var asks []*discordgo.Interaction
	var mentions []*discordgo.Message
	for range n {
		asks = append(asks, h.ask(askIA))
		mentions = append(mentions, h.srv.SendMessage(&discordgo.Message{Content: "<@" + discordtest.AppID + "> " + askIA}))
	}
	for _, in := range asks {
		h.wait(editOf(in, final))
	}
	for _, q := range mentions {
		h.wait(answeredIn(q.ID)) // the thread started on q has q's id
	}
	time.Sleep(500 * time.Millisecond) // time for a second answer to show
	for i, in := range asks {
		if got := h.count(callbackOf(in)); got != 1 {
			t.Errorf("/ask %d: %d interaction callbacks, want 1", i, got)
		}
	}
	for i, q := range mentions {
		threads := h.count(discordtest.Route("POST", "/api/v9/channels/"+discordtest.ChannelID+"/messages/"+q.ID+"/threads"))
		if msgs := h.botMessages(q.ID); threads != 1 || len(msgs) != 1 {
			t.Errorf("mention %d: %d threads started, %d bot messages in its thread; want one of each", i, threads, len(msgs))
		}
	}
	// In the channel itself: the /ask answers, the mentions' being in threads.
	if got := h.botMessages(discordtest.ChannelID); len(got) != n {
		t.Errorf("%d bot messages in the channel, want the %d answers to /ask", len(got), n)
	}
	for _, line := range strings.Split(h.logs.String(), "\n") {
		if strings.Contains(line, `"level":"ERROR"`) {
			t.Errorf("logged as an error: %s", line)
		}
	}
	h.checkClaimsFinished()
}

// mortal is a replica's claims store that can be killed: once dead, the
// replica stops beating, taking over and finishing, as a killed process
// would (the database itself stays up for the others).
type mortal struct {
	*postgres.Store
	dead atomic.Bool
}

var errKilled = errors.New("replica killed")

func (m *mortal) Heartbeat(ctx context.Context, id string) error {
	if m.dead.Load() {
		return errKilled
	}
	return m.Store.Heartbeat(ctx, id)
}

func (m *mortal) TakeOver(ctx context.Context, id string, deadAfter time.Duration, limit int) ([]replica.Claim, error) {
	if m.dead.Load() {
		return nil, errKilled
	}
	return m.Store.TakeOver(ctx, id, deadAfter, limit)
}

func (m *mortal) FinishClaim(ctx context.Context, key, replicaID string) error {
	if m.dead.Load() {
		return errKilled
	}
	return m.Store.FinishClaim(ctx, key, replicaID)
}

// stuck answers nothing until its context ends, and says what it was asked.
type stuck struct{ asked chan string }

func (s stuck) Ask(ctx context.Context, q rag.Question) (rag.Answer, error) {
	s.asked <- q.Text
	<-ctx.Done()
	return rag.Answer{}, ctx.Err()
}

// oldSnowflake is a Discord id made at t.
func oldSnowflake(t time.Time) string {
	const discordEpochMS = 1420070400000
	return fmt.Sprint((t.UnixMilli() - discordEpochMS) << 22)
}

// TestTakeOverDeadReplica has a replica claim a mention and two /ask
// interactions, acknowledge them and post its placeholder, then die. A
// live replica, which never received the events, takes the claims over:
// it answers the mention in the dead replica's placeholder and the fresh
// /ask in its original response, and reports the /ask whose token has
// expired as lost.
func TestTakeOverDeadReplica(t *testing.T) {
	var (
		doomed            = &mortal{}
		mention           *discordgo.Message
		fresh, expired    *discordgo.Interaction
		placeholderThread string
	)
	h := start(t, setup{bot: replicaBeat, before: func(h *harness) {
		doomed.Store = h.store
		answers := stuck{asked: make(chan string, 4)}
		h.startDoomed(t, answers, doomed)
		mention = h.srv.SendMessage(&discordgo.Message{Content: "<@" + discordtest.AppID + "> " + askIA})
		fresh = h.ask(askIA)
		expired = h.srv.SendInteraction(&discordgo.Interaction{ID: oldSnowflake(time.Now().Add(-20 * time.Minute)), Data: discordgo.ApplicationCommandInteractionData{
			Name:    "ask",
			Options: []*discordgo.ApplicationCommandInteractionDataOption{{Name: "question", Type: discordgo.ApplicationCommandOptionString, Value: askIA}},
		}})
		for range 3 { // all three reached the (stuck) answer: claimed, acknowledged, placeholder posted
			select {
			case <-answers.asked:
			case <-time.After(15 * time.Second):
				t.Fatal("the doomed replica did not start answering")
			}
		}
		placeholderThread = mention.ID
		doomed.dead.Store(true)
	}})

	h.wait(editOf(fresh, final))
	h.wait(answeredIn(placeholderThread))
	time.Sleep(500 * time.Millisecond) // time for anything else to show
	if msgs := h.botMessages(placeholderThread); len(msgs) != 1 || len(msgs[0].Embeds) == 0 {
		t.Errorf("bot messages in the mention's thread = %d, want the dead replica's placeholder edited into the answer", len(msgs))
	} else if len(msgs[0].Components) == 0 {
		t.Error("the taken-over answer has no vote buttons: it was not stored")
	}
	if n := h.count(discordtest.Route("POST", "/api/v9/channels/"+discordtest.ChannelID+"/messages/"+mention.ID+"/threads")); n != 1 {
		t.Errorf("%d threads started on the mention, want the dead replica's only", n)
	}
	for _, in := range []*discordgo.Interaction{fresh, expired} {
		if n := h.count(callbackOf(in)); n != 1 {
			t.Errorf("interaction %s: %d callbacks, want the dead replica's only", in.ID, n)
		}
	}
	if n := h.count(editOf(expired, func(map[string]any) bool { return true })); n != 0 {
		t.Errorf("%d edits of the interaction whose token expired, want none", n)
	}
	want := map[string]float64{"mention/resumed": 1, "interaction/resumed": 1, "interaction/lost": 1}
	for k, w := range want {
		kind, outcome, _ := strings.Cut(k, "/")
		if got := counter(t, h.metrics, "dalil_takeovers_total", kind, outcome); got != w {
			t.Errorf("dalil_takeovers_total{kind=%q,outcome=%q} = %v, want %v", kind, outcome, got, w)
		}
	}
	if !strings.Contains(h.logs.String(), "the interaction's token has expired") {
		t.Error("the expired interaction is not logged as lost")
	}
	h.checkClaimsFinished()
}

// TestTakeOverAnsweredClaim has a replica answer a mention and an /ask
// and die before it can finish their claims: the live replica that takes
// them over finds the answers posted and leaves them alone.
func TestTakeOverAnsweredClaim(t *testing.T) {
	var mention *discordgo.Message
	var ask *discordgo.Interaction
	h := start(t, setup{bot: replicaBeat, before: func(h *harness) {
		doomed := &mortal{Store: h.store}
		doomed.dead.Store(true) // it claims, answers, and finishes nothing
		h.startDoomed(t, quick{}, doomed)
		mention = h.srv.SendMessage(&discordgo.Message{Content: "<@" + discordtest.AppID + "> " + askIA})
		ask = h.ask(askIA)
		h.wait(answeredIn(mention.ID))
		h.wait(editOf(ask, final))
	}})
	for deadline := time.Now().Add(15 * time.Second); counter(t, h.metrics, "dalil_takeovers_total", "mention", "answered")+
		counter(t, h.metrics, "dalil_takeovers_total", "interaction", "answered") < 2; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the claims were not taken over as answered")
		}
	}
	if n := h.count(answeredIn(mention.ID)); n != 1 {
		t.Errorf("the mention was answered %d times, want once", n)
	}
	if n := h.count(editOf(ask, final)); n != 1 {
		t.Errorf("the /ask was answered %d times, want once", n)
	}
	h.checkClaimsFinished()
}

// counter returns the value of the counter name with the label values
// given in order, 0 when it was never counted.
func counter(t *testing.T, reg *prometheus.Registry, name string, values ...string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			var got []string
			for _, l := range m.GetLabel() {
				got = append(got, l.GetValue())
			}
			if slices.Equal(got, values) {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// quick answers every question at once with a fixed answer citing one
// article.
type quick struct{}

func (quick) Ask(context.Context, rag.Question) (rag.Answer, error) {
	return rag.Answer{Found: true, Text: "Une instance nationale sera créée [1].", Citations: []rag.Citation{{N: 1, Article: fixtures[0]}}}, nil
}

// TestClaimsUnreachable runs a bot whose database (claims, shared rate
// limits) is gone: it answers anyway, says so in its logs and metrics,
// still handles an interaction delivered twice once, and counts its
// members' questions on its own.
func TestClaimsUnreachable(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	gone := postgrestest.MustOpen(t, embeddings.NewOffline(embeddings.OfflineConfig{}))
	gone.Close()
	logs := &logtest.Buffer{}
	reg := prometheus.NewRegistry()
	b, err := bot.New(srv.Session(t, "test-token"), bot.Deps{
		Answerer: quick{}, Claims: gone, RateLimits: gone, Registerer: reg, Log: slog.New(slog.NewJSONHandler(logs, nil)),
	}, bot.Config{GuildIDs: []string{discordtest.GuildID}, ShutdownTimeout: time.Second, UserPerMinute: 1, UserBurst: 1})
	if err != nil {
		t.Fatal(err)
	}
	runBot(t, b)
	h := &harness{t: t, srv: srv}
	h.wait(discordtest.Route("PUT", "/api/v9/applications/*/guilds/*/commands"))
	in := h.ask(askIA)
	srv.Dispatch("INTERACTION_CREATE", in) // as a replay after a reconnect would
	h.wait(editOf(in, final))
	time.Sleep(200 * time.Millisecond)
	if n := h.count(callbackOf(in)); n != 1 {
		t.Errorf("%d callbacks, want 1", n)
	}
	if !strings.Contains(logs.String(), "cannot claim an event in the database: handling it anyway") {
		t.Errorf("the failed claim is not logged:\n%s", logs)
	}
	if got := counter(t, reg, "dalil_errors_total", "claims"); got < 1 {
		t.Errorf(`dalil_errors_total{kind="claims"} = %v, want the failed claim counted`, got)
	}
	cb := h.wait(callbackOf(h.ask(askIA)))
	if !strings.Contains(string(cb.Body), "You're asking faster") || !strings.Contains(logs.String(), "shared rate limits unavailable") {
		t.Errorf("a second question: reply %s, want this replica's own rate-limit notice, logged:\n%s", cb.Body, logs)
	}
	if got := counter(t, reg, "dalil_errors_total", "rate_limits"); got != 1 {
		t.Errorf(`dalil_errors_total{kind="rate_limits"} = %v, want 1: the first failure, then this replica counts alone`, got)
	}
}

// gated is a replica's claims store whose first TakeOver that takes
// anything over waits until released before it returns, so that a test
// can start a shutdown while it runs.
type gated struct {
	*postgres.Store
	once    sync.Once
	entered chan struct{}
	release chan struct{}
}

func (g *gated) TakeOver(ctx context.Context, id string, deadAfter time.Duration, limit int) ([]replica.Claim, error) {
	cs, err := g.Store.TakeOver(ctx, id, deadAfter, limit)
	if len(cs) > 0 {
		g.once.Do(func() {
			close(g.entered)
			<-g.release
		})
	}
	return cs, err
}

// TestNoTakeOverAcrossShutdown: a replica whose look for dead replicas'
// work overlaps its shutdown leaves what it finds open for a live
// replica, instead of finishing it unanswered.
func TestNoTakeOverAcrossShutdown(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	store := postgrestest.MustOpen(t, embeddings.NewOffline(embeddings.OfflineConfig{}))
	quiet := slog.New(slog.DiscardHandler)
	cfg := bot.Config{GuildIDs: []string{discordtest.GuildID}, ShutdownTimeout: 2 * time.Second}
	replicaBeat(&cfg)

	// A replica claims a mention, posts its placeholder and dies.
	doomed := &mortal{Store: store}
	answers := stuck{asked: make(chan string, 1)}
	dcfg := cfg
	dcfg.ReplicaID, dcfg.ShutdownTimeout = "doomed", time.Second
	d, err := bot.New(srv.Session(t, "test-token"), bot.Deps{Answerer: answers, Claims: doomed, Log: quiet}, dcfg)
	if err != nil {
		t.Fatal(err)
	}
	runBot(t, d)
	h := &harness{t: t, srv: srv, store: store}
	h.wait(discordtest.Route("PUT", "/api/v9/applications/*/guilds/*/commands"))
	mention := srv.SendMessage(&discordgo.Message{Content: "<@" + discordtest.AppID + "> " + askIA})
	select {
	case <-answers.asked:
	case <-time.After(15 * time.Second):
		t.Fatal("the doomed replica did not start answering")
	}
	doomed.dead.Store(true)

	// Another replica is stopping while it takes the dead one's claim over.
	g := &gated{Store: store, entered: make(chan struct{}), release: make(chan struct{})}
	gcfg := cfg
	gcfg.ReplicaID = "stopping"
	s, err := bot.New(srv.Session(t, "test-token"), bot.Deps{Answerer: quick{}, Claims: g, Log: quiet}, gcfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	select {
	case <-g.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the replica did not look for dead replicas' work")
	}
	stop()
	time.Sleep(100 * time.Millisecond) // the shutdown has begun
	close(g.release)
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	open, err := store.TakeOver(context.Background(), "auditor", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 1 || open[0].Key != "m:"+mention.ID {
		t.Errorf("open claims after the shutdown = %+v, want the dead replica's mention, left for a live replica", open)
	}
}

// startDoomed starts a second bot, replica "doomed", on the harness's fake
// Discord, answering with answers and claiming through doomed, and waits
// for it to register its commands.
func (h *harness) startDoomed(t *testing.T, answers bot.Answerer, doomed *mortal) {
	t.Helper()
	cfg := h.botCfg
	replicaBeat(&cfg)
	cfg.ReplicaID, cfg.ShutdownTimeout = "doomed", time.Second
	b, err := bot.New(h.srv.Session(h.t, "test-token"), bot.Deps{
		Answerer: answers, Claims: doomed, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	runBot(t, b)
	h.wait(discordtest.Route("PUT", "/api/v9/applications/*/guilds/*/commands"))
}

// TestSharedRateLimits runs two replicas on one database, each on its own
// Discord connection: a member who asked one of them as often as the rate
// limit allows is refused by the other too.
func TestSharedRateLimits(t *testing.T) {
	t.Parallel()
	store := postgrestest.MustOpen(t, embeddings.NewOffline(embeddings.OfflineConfig{}))
	cfg := bot.Config{GuildIDs: []string{discordtest.GuildID}, ShutdownTimeout: time.Second, UserPerMinute: 1, UserBurst: 1}
	var replicas []*harness
	for range 2 {
		srv := discordtest.New(t)
		b, err := bot.New(srv.Session(t, "test-token"), bot.Deps{Answerer: quick{}, RateLimits: store, Log: slog.New(slog.DiscardHandler)}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		runBot(t, b)
		h := &harness{t: t, srv: srv}
		h.wait(discordtest.Route("PUT", "/api/v9/applications/*/guilds/*/commands"))
		replicas = append(replicas, h)
	}
	first := replicas[0].ask(askIA)
	replicas[0].wait(editOf(first, final))
	second := replicas[1].ask(askIA)
	cb := replicas[1].wait(callbackOf(second))
	resp, _ := cb.JSON.(map[string]any)
	data, _ := resp["data"].(map[string]any)
	if flags, _ := data["flags"].(float64); !strings.HasPrefix(content(data), "🐢 You're asking faster") || int(flags) != int(discordgo.MessageFlagsEphemeral) {
		t.Errorf("the other replica's reply %s, want the ephemeral rate-limit notice", cb.Body)
	}
	time.Sleep(200 * time.Millisecond)
	if n := replicas[1].count(func(r discordtest.Request) bool { return editOf(second, final)(r) }); n != 0 {
		t.Errorf("the other replica answered the member %d times, want 0", n)
	}
}
