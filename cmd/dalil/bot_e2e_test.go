package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dalil-news/dalil/internal/testing/logtest"

	"github.com/bwmarrin/discordgo"
	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/dalil-news/dalil/bot"
	"github.com/dalil-news/dalil/digest"
	"github.com/dalil-news/dalil/embeddings"
	"github.com/dalil-news/dalil/internal/config"
	"github.com/dalil-news/dalil/internal/testing/discordtest"
	"github.com/dalil-news/dalil/internal/testing/openaitest"
	"github.com/dalil-news/dalil/internal/testing/postgrestest"
	"github.com/dalil-news/dalil/llm"
	"github.com/dalil-news/dalil/postgres"
	"github.com/dalil-news/dalil/rag"
)

// fixtures are the articles every end-to-end test starts with (written
// for these tests).
var fixtures = []rag.Article{{
	Title:     "Mezzour annonce une instance nationale dédiée à l'intelligence artificielle",
	URL:       "https://news.example/2023/10/24/instance-ia",
	Publisher: "L'Opinion",
	Published: time.Date(2023, 10, 24, 0, 0, 0, 0, time.UTC),
	Lang:      "fr",
	Text: "La ministre de la Transition numérique, Ghita Mezzour, a annoncé la création d'une instance nationale dédiée à l'intelligence artificielle.\n\n" +
		"Cette instance nationale coordonnera la stratégie du Maroc en matière d'intelligence artificielle et conseillera le gouvernement.\n\n" +
		"Selon la ministre, l'instance sera créée au cours de l'année 2024.",
}, {
	Title:     "Casablanca port expands its container terminal",
	URL:       "https://news.example/2024/02/01/casablanca-port",
	Publisher: "Harbour Daily",
	Published: time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC),
	Lang:      "en",
	Text:      "The port of Casablanca opened an expanded container terminal on Thursday.\n\nThe new terminal doubles the port's container capacity.",
}}

// errorID finds the error id of an apology (the question is French, so is the apology).
var errorID = regexp.MustCompile("identifiant d’erreur `([0-9a-f]{8})`")

const askIA = "Qu'a annoncé Mezzour sur l'instance nationale dédiée à l'intelligence artificielle ?"

// chatRequest is what the fake LLM decodes from a chat completions call.
type chatRequest = openaitest.ChatRequest

// writeReply answers a chat request with text, streamed as SSE chunks
// (gap apart) when the client asked for a stream.
func writeReply(w http.ResponseWriter, r *http.Request, req chatRequest, text string, gap time.Duration) {
	openaitest.WriteReply(w, r, req, openaitest.Reply{
		Text:  text,
		Usage: openaitest.Usage{PromptTokens: 100, CompletionTokens: 20},
		Pause: func(ctx context.Context, _ int) bool {
			select {
			case <-time.After(gap):
				return true
			case <-ctx.Done():
				return false
			}
		},
	})
}

// setup describes one end-to-end test's bot.
type setup struct {
	// bot changes the bot's configuration: dalil's defaults, with the
	// test guild and a 10 s shutdown.
	bot func(*bot.Config)
	// llm answers chat requests; nil means extractive answers.
	llm func(w http.ResponseWriter, r *http.Request, req chatRequest)
	// answerer replaces the rag service as Answerer when not nil.
	answerer func(svc *rag.Service) bot.Answerer
	// http serves the bot's interactions endpoint at harness.endpoint,
	// with the fake's application key.
	http bool
	// before runs once the fake Discord and the database are up, before
	// the bot starts.
	before func(h *harness)
}

// harness is a running bot against a fake Discord and a real database.
type harness struct {
	t      testing.TB
	setup  setup
	wired  *app
	srv    *discordtest.Server
	store  *postgres.Store
	svc    *rag.Service
	sched  *digest.Scheduler
	llm    *openaitest.Server
	bot    *bot.Bot
	poster *bot.Poster
	logs   *logtest.Buffer
	stop   context.CancelFunc
	done   chan error
	// endpoint is the URL of the interactions endpoint (setup.http).
	endpoint string
	// botCfg and metrics are the running bot's configuration and metrics
	// registry.
	botCfg  bot.Config
	metrics *prometheus.Registry
}

// start runs a bot as dalil serve wires it; tests run in parallel.
func start(t testing.TB, s setup) *harness {
	t.Helper()
	if pt, ok := t.(*testing.T); ok {
		pt.Parallel()
	}
	ctx := context.Background()
	emb := embeddings.NewOffline(embeddings.OfflineConfig{})
	store := postgrestest.MustOpen(t, emb)
	h := &harness{t: t, setup: s, store: store, logs: &logtest.Buffer{}}
	var chat rag.Chat
	if s.llm != nil {
		h.llm = openaitest.Start(t, &openaitest.Server{Chat: s.llm})
		c, err := llm.New(llm.Config{BaseURL: h.llm.URL, Model: "test", MaxRetries: -1, Timeout: 20 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		chat = c
	}
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.DiscordGuildIDs = []string{discordtest.GuildID}
	cfg.ShutdownTimeout = 10 * time.Second
	cfg.FetchAllowPrivate, cfg.FetchTimeout = true, 5*time.Second // feeds are served on loopback by the tests
	// As dalil serve wires them, over the test's database and chat model.
	log := slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h.wired = &app{cfg: cfg, stdout: io.Discard, stderr: io.Discard, log: log, store: store, emb: emb, chat: chat}
	h.wired.wire()
	h.svc = h.wired.rag
	for _, a := range fixtures {
		if _, err := h.svc.Ingest(ctx, a); err != nil {
			t.Fatal(err)
		}
	}

	h.srv = discordtest.New(t)
	h.run()
	t.Cleanup(func() {
		h.shutdown()
		h.checkNoMentions()
		for _, v := range h.srv.Violations() {
			t.Errorf("Discord's OpenAPI spec refuses a request the bot sent: %s", v)
		}
		if t.Failed() {
			t.Logf("bot logs:\n%s", h.logs.String())
		}
	})
	h.wait(discordtest.Route("PUT", "/api/v9/applications/*/guilds/*/commands"))
	return h
}

// run starts a bot, as dalil serve wires it, over the harness's fake
// Discord and database.
func (h *harness) run() {
	h.t.Helper()
	sess := h.srv.Session(h.t, "test-token")
	var answerer bot.Answerer = h.svc
	if h.setup.answerer != nil {
		answerer = h.setup.answerer(h.svc)
	}
	bc := h.wired.botConfig()
	if h.setup.http {
		bc.PublicKey = h.srv.PublicKey()
	}
	if h.setup.bot != nil {
		h.setup.bot(&bc)
	}
	h.botCfg, h.metrics = bc, prometheus.NewRegistry()
	if before := h.setup.before; before != nil {
		h.setup.before = nil // once, before the first bot
		before(h)
	}
	d, err := h.wired.newDiscord(sess, answerer, h.metrics, bc)
	if err != nil {
		h.t.Fatal(err)
	}
	if h.setup.http {
		// Closed after the bot stops: cleanups run last first.
		ts := httptest.NewServer(d.bot.InteractionsHandler())
		h.t.Cleanup(ts.Close)
		h.endpoint = ts.URL + "/interactions"
	}
	h.bot, h.sched, h.poster = d.bot, d.sched, bot.NewPoster(sess)
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	h.stop, h.done = stop, done
	go func() { done <- d.bot.Run(runCtx) }()
}

// restart stops the bot and starts another over the same fake Discord and
// database, as a restarted dalil serve, or another replica, would be; it
// returns once the new bot has registered its commands.
func (h *harness) restart() {
	h.t.Helper()
	if err := h.shutdown(); err != nil {
		h.t.Fatalf("Run: %v", err)
	}
	register := discordtest.Route("PUT", "/api/v9/applications/*/guilds/*/commands")
	registered := 0
	for _, r := range h.srv.Requests() {
		if register(r) {
			registered++
		}
	}
	h.run()
	h.waitN(registered+1, register)
}

// shutdown stops the bot (once) and returns Run's error.
func (h *harness) shutdown() error {
	h.stop()
	select {
	case err, ok := <-h.done:
		if ok {
			close(h.done)
			return err
		}
		return nil
	case <-time.After(30 * time.Second):
		h.t.Fatal("Run did not return 30 s after its context ended")
		return nil
	}
}

// wait returns the first request match accepts, failing after 15 s.
func (h *harness) wait(match func(discordtest.Request) bool) discordtest.Request {
	h.t.Helper()
	return h.waitN(1, match)[0]
}

func (h *harness) waitN(n int, match func(discordtest.Request) bool) []discordtest.Request {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	got, err := h.srv.WaitForN(ctx, n, match)
	if err != nil {
		h.t.Fatal(err)
	}
	return got
}

// ask sends /ask question as the default member.
func (h *harness) ask(question string) *discordgo.Interaction {
	return h.srv.SendInteraction(&discordgo.Interaction{Data: discordgo.ApplicationCommandInteractionData{
		Name: "ask",
		Options: []*discordgo.ApplicationCommandInteractionDataOption{{
			Name: "question", Type: discordgo.ApplicationCommandOptionString, Value: question,
		}},
	}})
}

// editOf matches edits of the original response to the interaction whose
// body passes ok.
func editOf(in *discordgo.Interaction, ok func(m map[string]any) bool) func(discordtest.Request) bool {
	return func(r discordtest.Request) bool {
		m, _ := r.JSON.(map[string]any)
		return r.Method == "PATCH" && r.Path == "/api/v9/webhooks/"+in.AppID+"/"+in.Token+"/messages/@original" && r.Status == 200 && ok(m)
	}
}

// callbackOf matches the interaction callback of in.
func callbackOf(in *discordgo.Interaction) func(discordtest.Request) bool {
	return discordtest.Route("POST", "/api/v9/interactions/"+in.ID+"/"+in.Token+"/callback")
}

func content(m map[string]any) string { s, _ := m["content"].(string); return s }

func hasEmbeds(m map[string]any) bool { e, _ := m["embeds"].([]any); return len(e) > 0 }

// final is an edit with the sources embed: the rendered answer.
func final(m map[string]any) bool { return hasEmbeds(m) }

// checkNoMentions asserts that every message the bot sent or edited
// carried allowed_mentions with an empty parse list.
func (h *harness) checkNoMentions() {
	h.t.Helper()
	for _, r := range h.srv.Requests() {
		body, _ := r.JSON.(map[string]any)
		if body == nil || (r.Method != "POST" && r.Method != "PATCH") {
			continue
		}
		msg := body
		switch {
		case strings.HasSuffix(r.Path, "/callback"):
			msg, _ = body["data"].(map[string]any)
		case strings.Contains(r.Path, "/webhooks/"), strings.Contains(r.Path, "/messages") && !strings.HasSuffix(r.Path, "/threads"):
		default:
			continue
		}
		am, _ := msg["allowed_mentions"].(map[string]any)
		parse, isList := am["parse"].([]any)
		if am == nil || !isList || len(parse) != 0 {
			h.t.Errorf("%s: allowed_mentions = %v, want {parse: []}", r, msg["allowed_mentions"])
		}
	}
}

func TestRegistration(t *testing.T) {
	h := start(t, setup{})
	cmds := h.srv.Commands(discordtest.GuildID)
	type summary struct {
		Name, FR string
		Admin    bool
	}
	var got []summary
	for _, c := range cmds {
		s := summary{Name: c.Name}
		if c.DescriptionLocalizations != nil {
			s.FR = (*c.DescriptionLocalizations)[discordgo.French]
		}
		s.Admin = c.DefaultMemberPermissions != nil && *c.DefaultMemberPermissions == discordgo.PermissionManageGuild
		got = append(got, s)
	}
	want := []summary{
		{"ask", "Poser une question sur les archives d’actualité", false},
		{"summarize", "Résumer un article des archives", false},
		{"sources", "Lister les articles ingérés récemment", false},
		{"forget", "Retirer un article des archives (admins)", true},
		{"ingest", "Ajouter un article aux archives depuis une URL ou un fichier (admins)", true},
		{"stats", "Afficher la taille et l’état des archives (admins)", true},
		{"digest", "Configurer, prévisualiser ou publier le résumé quotidien d’un salon (admins)", true},
		{"feeds", "Gérer les flux RSS/Atom que suivent les archives (admins)", true},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("registered commands (-want +got):\n%s", d)
	}
	if len(h.srv.Commands("")) != 0 {
		t.Error("commands registered globally although guilds are configured")
	}
	ids := h.srv.Identifies()
	wantIntents := discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages
	if len(ids) != 1 || ids[0].Intents != wantIntents {
		t.Errorf("identified with %+v, want one IDENTIFY with intents %d (no privileged ones)", ids, wantIntents)
	}
}

func TestAskExtractive(t *testing.T) {
	h := start(t, setup{})
	in := h.ask(askIA)
	cb := h.wait(callbackOf(in))
	var resp discordgo.InteractionResponse
	if err := cb.Decode(&resp); err != nil || cb.Status != 204 || resp.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource {
		t.Fatalf("first response: %s %s, want a 204 deferred message", cb, cb.Body)
	}
	h.wait(editOf(in, final))
	msg := h.srv.Original(in.Token)
	if !strings.Contains(msg.Content, "[1]") || !strings.Contains(msg.Content, "instance nationale") {
		t.Errorf("answer = %q, want a quote of the article cited [1]", msg.Content)
	}
	if len(msg.Embeds) != 1 {
		t.Fatalf("answer has %d embeds, want the sources", len(msg.Embeds))
	}
	wantLine := "**1.** [Mezzour annonce une instance nationale dédiée à l'intelligence artificielle](https://news.example/2023/10/24/instance-ia) — L'Opinion · 2023-10-24"
	if got := msg.Embeds[0].Description; !strings.HasPrefix(got, wantLine) {
		t.Errorf("sources = %q, want it to start with %q", got, wantLine)
	}
	if len(msg.Components) != 1 {
		t.Errorf("answer has %d component rows, want the vote buttons", len(msg.Components))
	}
}

func TestAskStreamed(t *testing.T) {
	answer := "La ministre Ghita Mezzour a annoncé la création d'une instance nationale dédiée à l'intelligence artificielle [1]. Cette instance coordonnera la stratégie du Maroc [1]."
	const interval = 300 * time.Millisecond
	h := start(t, setup{
		bot: func(c *bot.Config) { c.StreamInterval = interval },
		llm: func(w http.ResponseWriter, r *http.Request, req chatRequest) {
			writeReply(w, r, req, answer, 70*time.Millisecond)
		},
	})
	in := h.ask(askIA)
	h.wait(editOf(in, final))
	var edits []discordtest.Request
	for _, r := range h.srv.Requests() {
		if editOf(in, func(map[string]any) bool { return true })(r) {
			edits = append(edits, r)
		}
	}
	streamed := edits[:len(edits)-1]
	if len(streamed) < 2 {
		t.Fatalf("%d edits before the final one, want the text edited in as it streamed", len(streamed))
	}
	prev := ""
	for i, r := range streamed {
		c := content(r.JSON.(map[string]any))
		if !strings.HasPrefix(answer, strings.TrimSuffix(c, "…")) || len(c) <= len(prev) {
			t.Errorf("streamed edit %d = %q, want a longer prefix of the answer than %q", i, c, prev)
		}
		prev = c
		if i > 0 {
			// Half the interval: the fake stamps an edit when it arrives,
			// and on a loaded machine one edit can arrive late and the
			// next on time; unthrottled, they would come 70 ms apart.
			if gap := r.Time.Sub(streamed[i-1].Time); gap < interval/2 {
				t.Errorf("edits %d and %d are %v apart, want at least %v", i-1, i, gap, interval)
			}
		}
	}
	msg := h.srv.Original(in.Token)
	if want := answer; msg.Content != want {
		t.Errorf("final answer = %q, want %q", msg.Content, want)
	}
	// The answer's tokens are bounded, as every request's.
	for _, r := range h.llm.ChatRequests() {
		if r.MaxTokens == 0 && r.MaxCompletionTokens == 0 {
			t.Errorf("chat request without max_tokens: %s", r.Messages[0].Content[:min(80, len(r.Messages[0].Content))])
		}
	}
}

// followUps is a bot with MESSAGE_CONTENT whose chat model rewrites a
// follow-up into a standalone question and answers from the first fixture.
func followUps() setup {
	return setup{
		bot: func(c *bot.Config) { c.MessageContent = true },
		llm: func(w http.ResponseWriter, r *http.Request, req chatRequest) {
			if req.MaxTokens == 120 { // the follow-up rewrite
				writeReply(w, r, req, "date de création de l'instance nationale dédiée à l'intelligence artificielle", 0)
				return
			}
			writeReply(w, r, req, "L'instance nationale dédiée à l'intelligence artificielle sera créée en 2024 [1].", 0)
		},
	}
}

// checkRewrite checks that the follow-up was rewritten into a standalone
// question with the conversation so far, which holds wants.
func (h *harness) checkRewrite(wants ...string) {
	h.t.Helper()
	var rewrite *chatRequest
	for _, r := range h.llm.ChatRequests() {
		if r.MaxTokens == 120 {
			rewrite = &r
		}
	}
	if rewrite == nil {
		h.t.Fatal("the follow-up was not rewritten with the conversation")
	}
	all, _ := json.Marshal(rewrite.Messages)
	for _, want := range wants {
		if !strings.Contains(string(all), want) {
			h.t.Errorf("rewrite request lacks %q: %s", want, all)
		}
	}
}

func TestMentionThreadFollowUp(t *testing.T) {
	h := start(t, followUps())
	q := h.srv.SendMessage(&discordgo.Message{Content: "<@" + discordtest.AppID + "> " + askIA})
	h.wait(discordtest.Route("POST", "/api/v9/channels/"+discordtest.ChannelID+"/messages/"+q.ID+"/threads"))
	thread := h.srv.Channel(q.ID)
	if thread == nil || thread.Name != askIA {
		t.Fatalf("thread = %+v, want one named after the question", thread)
	}
	inThread := func(r discordtest.Request) bool {
		m, _ := r.JSON.(map[string]any)
		return r.Method == "PATCH" && strings.HasPrefix(r.Path, "/api/v9/channels/"+thread.ID+"/messages/") && hasEmbeds(m)
	}
	h.wait(inThread)

	// A follow-up in the thread, without a mention.
	h.srv.SendMessage(&discordgo.Message{ChannelID: thread.ID, Content: "Et quand sera-t-elle créée ?"})
	h.waitN(2, inThread)
	msgs := h.srv.ChannelMessages(thread.ID)
	var answers []string
	for _, m := range msgs {
		if m.Author.ID == discordtest.AppID {
			answers = append(answers, m.Content)
		}
	}
	if len(answers) != 2 || !strings.Contains(answers[1], "2024 [1]") {
		t.Errorf("bot messages in the thread = %q, want two answers", answers)
	}
	// The follow-up was rewritten with the conversation so far.
	h.checkRewrite("Mezzour", "Et quand sera-t-elle créée ?")
}

// TestMentionInThread checks that a mention inside a thread (one the bot did
// not start) is answered in that thread without first asking Discord for a
// thread in a thread, which it refuses.
func TestMentionInThread(t *testing.T) {
	h := start(t, setup{})
	const threadID = "1500000000000000042"
	h.srv.AddChannel(&discordgo.Channel{
		ID: threadID, GuildID: discordtest.GuildID, ParentID: discordtest.ChannelID,
		Name: "discussion", Type: discordgo.ChannelTypeGuildPublicThread,
	})
	q := h.srv.SendMessage(&discordgo.Message{ChannelID: threadID, Content: "<@" + discordtest.AppID + "> " + askIA})
	h.wait(func(r discordtest.Request) bool {
		m, _ := r.JSON.(map[string]any)
		return r.Method == "PATCH" && strings.HasPrefix(r.Path, "/api/v9/channels/"+threadID+"/messages/") && hasEmbeds(m)
	})
	for _, r := range h.srv.Requests() {
		if strings.HasSuffix(r.Path, "/threads") {
			t.Errorf("%s: a thread was requested for a message already in a thread", r)
		}
	}
	var answers []*discordgo.Message
	for _, m := range h.srv.ChannelMessages(threadID) {
		if m.Author.ID == discordtest.AppID {
			answers = append(answers, m)
		}
	}
	if len(answers) != 1 || answers[0].MessageReference == nil || answers[0].MessageReference.MessageID != q.ID {
		t.Errorf("bot messages in the thread = %+v, want one answer replying to the question", answers)
	}
}

// TestMentionThreadExists: when the question's message has a thread
// already (a replica that died before posting its placeholder started it),
// Discord refuses another (160004), and the answer goes in that thread.
func TestMentionThreadExists(t *testing.T) {
	h := start(t, setup{})
	m := h.srv.SendMessage(&discordgo.Message{Content: "bonjour"}) // no mention: not for the bot
	h.srv.AddChannel(&discordgo.Channel{
		ID: m.ID, GuildID: discordtest.GuildID, ParentID: discordtest.ChannelID,
		Name: "earlier", Type: discordgo.ChannelTypeGuildPublicThread,
	})
	m.Content = "<@" + discordtest.AppID + "> " + askIA
	m.Mentions = []*discordgo.User{h.srv.BotUser()}
	h.srv.Dispatch("MESSAGE_CREATE", m)
	h.wait(func(r discordtest.Request) bool {
		body, _ := r.JSON.(map[string]any)
		return r.Method == "PATCH" && strings.HasPrefix(r.Path, "/api/v9/channels/"+m.ID+"/messages/") && hasEmbeds(body)
	})
	if n := len(h.srv.ChannelMessages(discordtest.ChannelID)); n != 1 {
		t.Errorf("%d messages in the channel, want the question only: the answer belongs in its thread", n)
	}
}

func TestLongAnswerSplit(t *testing.T) {
	var b strings.Builder
	for i := range 40 {
		fmt.Fprintf(&b, "Point %d : l'instance nationale dédiée à l'intelligence artificielle coordonnera la stratégie du Maroc [1]. ", i)
		if i%8 == 7 {
			b.WriteString("\n\n")
		}
	}
	long := strings.TrimSpace(b.String())
	h := start(t, setup{llm: func(w http.ResponseWriter, r *http.Request, req chatRequest) { writeReply(w, r, req, long, 0) }})
	in := h.ask(askIA)
	followUps := h.waitN(2, discordtest.Route("POST", "/api/v9/webhooks/*/"+in.Token))
	h.wait(editOf(in, func(m map[string]any) bool { return strings.HasPrefix(content(m), "Point 0") }))
	msgs := []*discordgo.Message{h.srv.Original(in.Token)}
	for _, r := range followUps {
		var m discordgo.Message
		if err := json.Unmarshal(r.Response, &m); err != nil || r.Status != 200 {
			t.Fatalf("follow-up %s: %s", r, r.Response)
		}
		msgs = append(msgs, &m)
	}
	var parts []string
	for i, m := range msgs {
		if n := utf8.RuneCountInString(m.Content); n > 2000 {
			t.Errorf("message %d has %d characters", i, n)
		}
		if regexp.MustCompile(`^\s*\[\d`).MatchString(m.Content) || regexp.MustCompile(`\[\d*$`).MatchString(m.Content) {
			t.Errorf("message %d cuts a citation: %q…%q", i, m.Content[:20], m.Content[len(m.Content)-20:])
		}
		last := i == len(msgs)-1
		if (len(m.Embeds) > 0) != last || (len(m.Components) > 0) != last {
			t.Errorf("message %d: %d embeds, %d component rows; want sources and buttons on the last message only", i, len(m.Embeds), len(m.Components))
		}
		parts = append(parts, m.Content)
	}
	if got := strings.Join(strings.Fields(strings.Join(parts, " ")), " "); got != strings.Join(strings.Fields(long), " ") {
		t.Errorf("the parts do not add up to the answer:\n%s", got)
	}
}

func TestAdminCommands(t *testing.T) {
	h := start(t, setup{bot: func(c *bot.Config) { c.AdminRoleIDs = []string{"777"} }})
	upload, err := os.ReadFile("testdata/upload.md")
	if err != nil {
		t.Fatal(err)
	}
	url := h.srv.AddAttachment("upload.md", upload)
	ingestCmd := func(member *discordgo.Member) *discordgo.Interaction {
		return h.srv.SendInteraction(&discordgo.Interaction{Member: member, Data: discordgo.ApplicationCommandInteractionData{
			Name:    "ingest",
			Options: []*discordgo.ApplicationCommandInteractionDataOption{{Name: "file", Type: discordgo.ApplicationCommandOptionAttachment, Value: "900"}},
			Resolved: &discordgo.ApplicationCommandInteractionDataResolved{Attachments: map[string]*discordgo.MessageAttachment{
				"900": {ID: "900", Filename: "upload.md", URL: url + "?ex=1&hm=sig", Size: len(upload), ContentType: "text/markdown"},
			}},
		}})
	}

	t.Run("refused to a member", func(t *testing.T) {
		in := ingestCmd(&discordgo.Member{Permissions: discordtest.DefaultPermissions})
		cb := h.wait(callbackOf(in))
		var resp discordgo.InteractionResponse
		if err := cb.Decode(&resp); err != nil {
			t.Fatal(err)
		}
		if resp.Type != discordgo.InteractionResponseChannelMessageWithSource || resp.Data.Flags != discordgo.MessageFlagsEphemeral || !strings.Contains(resp.Data.Content, "🔒") {
			t.Errorf("response = %s, want an ephemeral refusal", cb.Body)
		}
	})
	t.Run("refused to a manager of a guild not served", func(t *testing.T) {
		in := h.srv.SendInteraction(&discordgo.Interaction{
			GuildID: "999", ChannelID: "9990",
			Member: &discordgo.Member{Permissions: discordgo.PermissionAdministrator},
			Data:   discordgo.ApplicationCommandInteractionData{Name: "stats"},
		})
		var resp discordgo.InteractionResponse
		if err := h.wait(callbackOf(in)).Decode(&resp); err != nil {
			t.Fatal(err)
		}
		if resp.Data.Flags != discordgo.MessageFlagsEphemeral || !strings.Contains(resp.Data.Content, "🔒") || len(resp.Data.Embeds) != 0 {
			t.Errorf("response = %+v, want an ephemeral refusal", resp.Data)
		}
	})
	t.Run("file ingested by a manager", func(t *testing.T) {
		in := ingestCmd(&discordgo.Member{Permissions: discordtest.DefaultPermissions | discordgo.PermissionManageGuild})
		h.wait(editOf(in, func(m map[string]any) bool { return strings.HasPrefix(content(m), "✅") }))
		a, err := h.store.ArticleByURL(context.Background(), url)
		if err != nil {
			t.Fatalf("the uploaded article is not in the database: %v", err)
		}
		if a.Title != "Rabat inaugure une bibliothèque numérique ouverte" || a.Publisher != "Le Journal de Test" {
			t.Errorf("stored article = %q by %q", a.Title, a.Publisher)
		}
		var progress []string
		for _, r := range h.srv.Requests() {
			if editOf(in, func(map[string]any) bool { return true })(r) {
				progress = append(progress, content(r.JSON.(map[string]any)))
			}
		}
		if len(progress) < 3 {
			t.Errorf("progress edits = %q, want download, extraction and storage reported", progress)
		}
	})
	t.Run("stats by an admin role", func(t *testing.T) {
		in := h.srv.SendInteraction(&discordgo.Interaction{
			Member: &discordgo.Member{Roles: []string{"777"}},
			Data:   discordgo.ApplicationCommandInteractionData{Name: "stats"},
		})
		cb := h.wait(callbackOf(in))
		var resp discordgo.InteractionResponse
		// The archive, then the last week's questions (none here).
		if err := cb.Decode(&resp); err != nil || len(resp.Data.Embeds) != 2 || resp.Data.Embeds[1].Description != "No questions." {
			t.Fatalf("stats response = %s", cb.Body)
		}
		if f := resp.Data.Embeds[0].Fields[0]; f.Value != "3" {
			t.Errorf("articles = %q, want 3", f.Value)
		}
	})
	t.Run("forget by URL", func(t *testing.T) {
		in := h.srv.SendInteraction(&discordgo.Interaction{
			Member: &discordgo.Member{Permissions: discordgo.PermissionAdministrator},
			Data: discordgo.ApplicationCommandInteractionData{Name: "forget", Options: []*discordgo.ApplicationCommandInteractionDataOption{{
				Name: "article", Type: discordgo.ApplicationCommandOptionString, Value: fixtures[1].URL,
			}}},
		})
		h.wait(callbackOf(in))
		if _, err := h.store.ArticleByURL(context.Background(), fixtures[1].URL); err == nil {
			t.Error("the article is still stored after /forget")
		}
	})
}

func TestVoteStored(t *testing.T) {
	h := start(t, setup{})
	in := h.ask(askIA)
	h.wait(editOf(in, final))
	answer := h.srv.Original(in.Token)
	buttons := answer.Components[0].(*discordgo.ActionsRow).Components
	click := func(b discordgo.MessageComponent) {
		t.Helper()
		c := h.srv.SendInteraction(&discordgo.Interaction{
			Type:    discordgo.InteractionMessageComponent,
			Message: answer,
			Data:    discordgo.MessageComponentInteractionData{CustomID: b.(*discordgo.Button).CustomID, ComponentType: discordgo.ButtonComponent},
		})
		cb := h.wait(callbackOf(c))
		if cb.Status != 204 {
			t.Fatalf("vote callback: %s %s", cb, cb.Response)
		}
	}
	click(buttons[0])
	fb, err := h.store.RecentFeedback(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(fb) != 1 || fb[0].Vote != 1 || fb[0].Question != askIA || fb[0].MemberHash == "" ||
		fb[0].MessageID != answer.ID || fb[0].Answer == "" || len(fb[0].Citations) != 1 {
		t.Fatalf("stored feedback = %+v, want one 👍 with the question, answer and citation", fb)
	}
	if strings.Contains(fb[0].MemberHash, discordtest.UserID) {
		t.Errorf("the vote is stored with the member's Discord ID: %q", fb[0].MemberHash)
	}
	click(buttons[1])
	fb, err = h.store.RecentFeedback(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(fb) != 1 || fb[0].Vote != -1 {
		t.Errorf("after a second click: %+v, want the same row with the vote changed", fb)
	}
}

func TestRateLimit(t *testing.T) {
	h := start(t, setup{bot: func(c *bot.Config) { c.UserPerMinute, c.UserBurst = 1, 1 }})
	first := h.ask(askIA)
	h.wait(callbackOf(first))
	second := h.ask(askIA)
	cb := h.wait(callbackOf(second))
	var resp discordgo.InteractionResponse
	if err := cb.Decode(&resp); err != nil {
		t.Fatal(err)
	}
	if resp.Type != discordgo.InteractionResponseChannelMessageWithSource || resp.Data.Flags != discordgo.MessageFlagsEphemeral ||
		!strings.Contains(resp.Data.Content, "wait 60 seconds") {
		t.Errorf("second question: %s, want an ephemeral note to wait a minute", cb.Body)
	}
	h.wait(editOf(first, final))
}

func TestLLMFailure(t *testing.T) {
	h := start(t, setup{llm: func(w http.ResponseWriter, _ *http.Request, _ chatRequest) {
		http.Error(w, `{"error":{"message":"model overloaded","type":"server_error"}}`, http.StatusInternalServerError)
	}})
	in := h.ask(askIA)
	edit := h.wait(editOf(in, func(m map[string]any) bool { return errorID.MatchString(content(m)) }))
	m := errorID.FindStringSubmatch(content(edit.JSON.(map[string]any)))
	if m == nil {
		t.Fatalf("apology %q has no error id", content(edit.JSON.(map[string]any)))
	}
	logs := h.logs.String()
	if !strings.Contains(logs, `"error_id":"`+m[1]+`"`) || !strings.Contains(logs, "model overloaded") {
		t.Errorf("logs lack the detail under error id %s:\n%s", m[1], logs)
	}
	if strings.Contains(logs, "test-token") {
		t.Error("the bot token appears in the logs")
	}
}

// panicOnce panics on its first question, then answers with the service.
type panicOnce struct {
	svc  *rag.Service
	once sync.Once
}

func (p *panicOnce) Ask(ctx context.Context, q rag.Question) (rag.Answer, error) {
	p.once.Do(func() { panic("boom") })
	return p.svc.Ask(ctx, q)
}

func TestPanicAnswered(t *testing.T) {
	h := start(t, setup{answerer: func(svc *rag.Service) bot.Answerer { return &panicOnce{svc: svc} }})
	in := h.ask(askIA)
	h.wait(editOf(in, func(m map[string]any) bool { return errorID.MatchString(content(m)) }))
	if !strings.Contains(h.logs.String(), "answer panicked") {
		t.Error("the panic is not logged")
	}
	next := h.ask(askIA)
	h.wait(editOf(next, final))
}

func TestDuplicateInteraction(t *testing.T) {
	h := start(t, setup{})
	in := h.ask(askIA)
	h.srv.Dispatch("INTERACTION_CREATE", in) // as a replay after a reconnect would
	h.wait(editOf(in, final))
	time.Sleep(200 * time.Millisecond)
	n := 0
	for _, r := range h.srv.Requests() {
		if callbackOf(in)(r) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d callbacks for one interaction delivered twice, want 1", n)
	}
}

// askTwice asks askIA twice of a bot with one worker: the second question
// is sent once the chat model signals on answering that the first reached
// it, and returned once it is told it is next in line.
func (h *harness) askTwice(answering <-chan struct{}) (first, second *discordgo.Interaction) {
	h.t.Helper()
	first = h.ask(askIA)
	// Interactions are handled concurrently: the second is sent only once
	// the only worker is answering the first, or it could take its place.
	select {
	case <-answering:
	case <-time.After(20 * time.Second):
		h.t.Fatal("the first question never reached the chat model")
	}
	second = h.ask(askIA)
	h.wait(editOf(second, func(m map[string]any) bool { return strings.Contains(content(m), "la 1ᵉ dans la file") }))
	return first, second
}

func TestShutdownWhileAnswering(t *testing.T) {
	release := make(chan struct{})
	answering := make(chan struct{}, 1)
	answer := "L'instance nationale dédiée à l'intelligence artificielle sera créée en 2024 [1]."
	h := start(t, setup{
		bot: func(c *bot.Config) { c.Workers, c.QueueSize = 1, 4 },
		llm: func(w http.ResponseWriter, r *http.Request, req chatRequest) {
			select {
			case answering <- struct{}{}:
			default:
			}
			select {
			case <-release:
				writeReply(w, r, req, answer, 0)
			case <-r.Context().Done():
			}
		},
	})
	first, second := h.askTwice(answering)

	stopped := make(chan error, 1)
	go func() { stopped <- h.shutdown() }()
	// Release the first answer once the bot is stopping (it logs so just
	// before it closes its queue), not after a guessed delay: on a busy
	// machine the answer could end first and the second question be taken.
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(h.logs.String(), `"msg":"shutting down"`); {
		if time.Now().After(deadline) {
			t.Fatal("the bot did not log that it is shutting down")
		}
		time.Sleep(5 * time.Millisecond)
	}
	close(release)
	if err := <-stopped; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if msg := h.srv.Original(first.Token); msg.Content != answer {
		t.Errorf("answer in flight = %q, want it finished before shutdown: %q", msg.Content, answer)
	}
	// The queued question is answered too: the shutdown window had time.
	if msg := h.srv.Original(second.Token); msg.Content != answer {
		t.Errorf("queued question = %q, want it answered within the shutdown window: %q", msg.Content, answer)
	}
}

// TestShutdownDeadline checks the questions that the shutdown window is too
// short for: the answer in flight and the question queued behind it are both
// told the bot restarts, as the cancellation is no failure, and nothing is
// logged as an error.
func TestShutdownDeadline(t *testing.T) {
	answering := make(chan struct{}, 1)
	const window = 2 * time.Second
	h := start(t, setup{
		bot: func(c *bot.Config) { c.Workers, c.QueueSize, c.ShutdownTimeout = 1, 4, window },
		llm: func(w http.ResponseWriter, r *http.Request, req chatRequest) {
			select {
			case answering <- struct{}{}:
			default:
			}
			<-r.Context().Done() // a model too slow for the shutdown window
		},
	})
	first, second := h.askTwice(answering)
	began := time.Now()
	if err := h.shutdown(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	// Closing the gateway takes about a second after the window.
	if took := time.Since(began); took > window+3*time.Second {
		t.Errorf("shutdown took %v, want about the %v window", took, window)
	}
	for name, in := range map[string]*discordgo.Interaction{"answer in flight": first, "queued question": second} {
		if msg := h.srv.Original(in.Token); !strings.Contains(msg.Content, "redémarre") {
			t.Errorf("%s = %q, want a note that the bot restarts", name, msg.Content)
		}
	}
	for _, line := range strings.Split(h.logs.String(), "\n") {
		if strings.Contains(line, `"level":"ERROR"`) {
			t.Errorf("logged as an error: %s", line)
		}
	}
}

func TestSummarize(t *testing.T) {
	h := start(t, setup{})
	in := h.srv.SendInteraction(&discordgo.Interaction{Data: discordgo.ApplicationCommandInteractionData{
		Name: "summarize",
		Options: []*discordgo.ApplicationCommandInteractionDataOption{{
			Name: "article", Type: discordgo.ApplicationCommandOptionString, Value: fixtures[0].URL,
		}},
	}})
	h.wait(editOf(in, final))
	msg := h.srv.Original(in.Token)
	if !strings.HasPrefix(msg.Content, "**Mezzour annonce") || !strings.Contains(msg.Content, "[1]") {
		t.Errorf("summary = %q, want the title and cited bullets", msg.Content)
	}
	if len(msg.Embeds) != 1 || !strings.Contains(msg.Embeds[0].Description, fixtures[0].URL) {
		t.Errorf("summary sources = %+v, want the article", msg.Embeds)
	}
	unknown := h.srv.SendInteraction(&discordgo.Interaction{Data: discordgo.ApplicationCommandInteractionData{
		Name:    "summarize",
		Options: []*discordgo.ApplicationCommandInteractionDataOption{{Name: "article", Type: discordgo.ApplicationCommandOptionString, Value: "999999"}},
	}})
	cb := h.wait(callbackOf(unknown))
	if !strings.Contains(string(cb.Body), "No article matches") {
		t.Errorf("unknown article: %s", cb.Body)
	}
}

func TestPostDigest(t *testing.T) {
	h := start(t, setup{})
	ids, err := h.poster.Post(context.Background(), discordtest.ChannelID, []string{"**Digest** @everyone https://news.example/a", "Part two"})
	if err != nil || len(ids) != 2 {
		t.Fatalf("Post = %v, %v; want two message ids", ids, err)
	}
	for i, id := range ids {
		m := h.srv.Message(id)
		if m == nil || m.Flags&discordgo.MessageFlagsSuppressEmbeds == 0 {
			t.Errorf("part %d = %+v, want a message with link previews suppressed", i, m)
		}
	}
	if _, err := h.poster.Post(context.Background(), discordtest.ChannelID, []string{strings.Repeat("x", 2001)}); err == nil {
		t.Error("Post of a part over 2000 characters succeeded")
	}
}
