package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/dalil-news/dalil/internal/testing/logtest"

	"github.com/bwmarrin/discordgo"
	"github.com/jackc/pgx/v5"

	"github.com/dalil-news/dalil/internal/testing/discordtest"
	"github.com/dalil-news/dalil/internal/testing/openaitest"
	"github.com/dalil-news/dalil/internal/testing/pgtest"
	"github.com/dalil-news/dalil/postgres"
)

// Sizes of TestThreeReplicas.
const (
	replicaCount    = 3 // processes, and gateway shards
	replicaGuilds   = 6 // two on each shard
	replicaAsks     = 200
	replicaMentions = 200
	// replicaPace is the time between two questions: about 40 a second.
	replicaPace = 25 * time.Millisecond
)

// followUp is asked, without a mention, in an old thread after the restart.
const followUp = "Et quand sera-t-elle créée ?"

// TestThreeReplicas runs three `dalil serve` processes, built from this
// package, on one database and one fake Discord recommending three
// shards: each claims a shard (DISCORD_SHARD_COUNT=auto), and the members
// of six guilds, two a shard, ask 200 questions by mention and 200 by
// /ask, about 40 a second. Mid-run, once one replica has answered some
// and holds open claims, it is killed with SIGKILL and started again at
// once with the same environment.
//
// What the test expects, question by question, from the fake's records
// and the claims table:
//   - none is answered twice (one edit into an answer with its sources for
//     a mention, one for an /ask's original response), no interaction gets
//     two callbacks, no mention two threads;
//   - every question claimed is finished: answered by the replica that
//     claimed it or, for those the killed replica held, by a survivor that
//     took its claims over (after REPLICA_TIMEOUT, 15 s), or, for an /ask
//     the killed replica had not acknowledged, reported lost in the
//     survivor's log;
//   - every question is claimed, but those of the killed replica's shard
//     sent before the kill that it had received and not yet claimed: they
//     died with it, as they would on Discord, which does not deliver an
//     event twice;
//   - a shard's events go to no one between the kill and the moment a
//     replica holds its shard again (the dead one's lease expires within
//     30 s and the restarted replica, a standby until then, claims it);
//     Discord would drop them, the test holds them back and sends them once
//     the restarted replica is ready, so that they are counted too;
//   - the restarted process, which has nothing in memory, answers a
//     follow-up without a mention in a thread the killed one answered
//     before dying, with the conversation read from the answers table (its
//     chat model gets the earlier question to rewrite the follow-up), and
//     stores a vote on an answer the killed one gave, with its question.
//
// Interactions may be acknowledged within 10 s instead of Discord's 3:
// the test counts answers on a shared two-core machine, not latency (see
// the benchmarks); it logs the acknowledgements' latency, with its other
// figures (-v). Skipped with -short: it builds dalil and runs for about a
// minute.
func TestThreeReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("builds dalil and runs three serve processes for about a minute")
	}
	ctx := context.Background()
	bin := buildDalil(t)
	srv := discordtest.New(t, discordtest.WithShards(replicaCount, 1), discordtest.WithInteractionDeadline(10*time.Second))
	chat := openaitest.Start(t, &openaitest.Server{Chat: func(w http.ResponseWriter, r *http.Request, req chatRequest) {
		switch req.MaxTokens {
		case 120: // a follow-up's rewrite
			writeReply(w, r, req, "date de création de l'instance nationale dédiée à l'intelligence artificielle", 0)
		default: // the answer, streamed over about half a second as a model would, and translations
			writeReply(w, r, req, "L'instance nationale dédiée à l'intelligence artificielle sera créée en 2024 [1].", 40*time.Millisecond)
		}
	}})
	db := pgtest.NewDatabase(t)
	var guilds, channels []string
	for j := uint64(0); len(guilds) < replicaGuilds; j++ {
		g := strconv.FormatUint(1200000000000000001+j<<22, 10)
		if discordtest.ShardOf(g, replicaCount) == len(guilds)%replicaCount {
			ch := strconv.FormatUint(1300000000000000001+uint64(len(guilds))<<22, 10)
			guilds, channels = append(guilds, g), append(channels, ch)
			srv.AddGuild(&discordgo.Guild{ID: g, Name: "guild " + strconv.Itoa(len(guilds))})
			srv.AddChannel(&discordgo.Channel{ID: ch, GuildID: g, Name: "general", Type: discordgo.ChannelTypeGuildText})
		}
	}
	dir := t.TempDir()
	dicts := filepath.Join(dir, "dictionaries")
	if err := os.Mkdir(dicts, 0o755); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"DATABASE_URL=" + db, "DICTIONARIES_DIR=" + dicts, "LOG_FORMAT=json",
		"OPENAI_BASE_URL=" + chat.URL, "CHAT_MODEL=test",
		"DISCORD_TOKEN=test-token", "DISCORD_API_BASE_URL=" + srv.URL(), "DISCORD_SHARD_COUNT=auto",
		"DISCORD_GUILD_IDS=" + strings.Join(guilds, ","), "DISCORD_MESSAGE_CONTENT=true",
		"ADMIN_ADDR=127.0.0.1:0", "SHUTDOWN_TIMEOUT=5s", "WORKERS=8", "QUEUE_SIZE=200",
		"RATE_USER_PER_MINUTE=600", "RATE_USER_BURST=100", "RATE_GUILD_PER_MINUTE=6000", "RATE_GUILD_BURST=1000",
	}
	dalil(t, bin, dir, env, "migrate")
	dalil(t, bin, dir, env, "ingest", "--quiet", "--jsonl", fixturesJSONL(t, dir))

	start := time.Now()
	procs := make([]*serveProc, replicaCount)
	for i := range procs {
		procs[i] = startServe(t, fmt.Sprintf("replica %d", i), bin, dir, env)
	}
	for _, p := range procs {
		p.ready(t, 60*time.Second)
	}
	t.Logf("%d replicas ready on shards %d, %d, %d in %v", replicaCount, procs[0].shard, procs[1].shard, procs[2].shard, time.Since(start).Round(time.Millisecond))
	victim := procs[slices.IndexFunc(procs, func(p *serveProc) bool { return p.shard == 1 })]

	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)

	// The members ask, the mentions and the /asks interleaved, in every
	// guild in turn; once the victim is dead, its shard's questions wait.
	qs := replicaWorkload(guilds, channels)
	var dead atomic.Bool
	sent := make(chan []*replicaQuestion, 1)
	quit, quitted := make(chan struct{}), make(chan struct{})
	t.Cleanup(func() { close(quit); <-quitted }) // if the test fails first
	go func() {
		defer close(quitted)
		var held []*replicaQuestion
		for _, q := range qs {
			if dead.Load() && discordtest.ShardOf(q.guild, replicaCount) == victim.shard {
				held = append(held, q)
				continue
			}
			q.send(srv)
			select {
			case <-quit:
				return
			case <-time.After(replicaPace):
			}
		}
		sent <- held
	}()

	// Killed once it has answered some questions and holds a few open.
	var open, done int
	eventually(t, 90*time.Second, "the victim to hold open claims", func() (bool, string) {
		err := conn.QueryRow(ctx, `SELECT count(*) FILTER (WHERE done_at IS NULL), count(*) FILTER (WHERE done_at IS NOT NULL)
			FROM claims WHERE replica LIKE $1`, victim.replicaPattern()).Scan(&open, &done)
		if err != nil {
			t.Fatal(err)
		}
		return done >= 30 && open >= 3, fmt.Sprintf("%d open, %d done", open, done)
	})
	dead.Store(true)
	victim.kill()
	killedAt := time.Now()
	t.Logf("killed %s (shard %d) with %d claims open and %d done", victim.name, victim.shard, open, done)
	restarted := startServe(t, victim.name+" restarted", bin, dir, env)
	held := <-sent
	for _, q := range qs {
		q.sentBeforeKill = !slices.Contains(held, q) && q.sentAt.Before(killedAt)
	}

	// The survivors finish the victim's claims and answer their own shards'.
	claims := map[string]claimRow{}
	eventually(t, 60*time.Second, "every claim finished and the survivors' questions claimed", func() (bool, string) {
		claims = readClaims(t, conn)
		open, missing := openClaims(claims), 0
		for _, q := range qs {
			if q.sentAt.IsZero() {
				continue // held back
			}
			if _, ok := claims[q.key()]; !ok && discordtest.ShardOf(q.guild, replicaCount) != victim.shard {
				missing++
			}
		}
		return open == 0 && missing == 0, fmt.Sprintf("%d open, %d questions of the survivors' shards unclaimed", open, missing)
	})
	var takenOver, lastTakeover time.Time
	for _, c := range claims {
		if c.takeovers > 0 && (takenOver.IsZero() || c.doneAt.Before(takenOver)) {
			takenOver = c.doneAt
		}
		if c.takeovers > 0 && c.doneAt.After(lastTakeover) {
			lastTakeover = c.doneAt
		}
	}
	if takenOver.IsZero() {
		t.Fatal("no claim of the killed replica was taken over")
	}
	t.Logf("takeover: first claim finished %v after the kill, last %v after",
		takenOver.Sub(killedAt).Round(time.Millisecond), lastTakeover.Sub(killedAt).Round(time.Millisecond))

	// The restarted replica gets the dead one's shard once its lease expires.
	restarted.ready(t, 90*time.Second)
	t.Logf("restarted replica ready on shard %d %v after the kill", restarted.shard, time.Since(killedAt).Round(time.Millisecond))
	if restarted.shard != victim.shard {
		t.Fatalf("the restarted replica runs shard %d, want the dead replica's %d", restarted.shard, victim.shard)
	}
	for _, q := range held {
		q.send(srv)
		time.Sleep(replicaPace)
	}

	// A follow-up in a thread, and a vote on an /ask answer, both answered
	// by the victim before it died, in guilds of its shard.
	before := countReplies(srv.Requests(), qs)
	byVictim := func(kind string) *replicaQuestion {
		for _, q := range qs {
			c, ok := claims[q.key()]
			if q.kind == kind && ok && c.takeovers == 0 && victim.owns(c.replica) && before.finals[q.key()] == 1 {
				return q
			}
		}
		t.Fatalf("no %s answered by the killed replica before it died", kind)
		return nil
	}
	old := byVictim("mention")
	thread := old.msg.ID // the thread started on the mention has its id
	f := srv.SendMessage(&discordgo.Message{ChannelID: thread, Author: &discordgo.User{ID: "1499999999999999991", Username: "curious"}, Content: followUp})
	voted := byVictim("ask")
	answer := srv.Original(voted.in.Token)
	if answer == nil || len(answer.Components) == 0 {
		t.Fatalf("the answer to /ask %s has no vote buttons: %+v", voted.in.ID, answer)
	}
	up := answer.Components[0].(*discordgo.ActionsRow).Components[0].(*discordgo.Button)
	vote := srv.SendInteraction(&discordgo.Interaction{
		Type: discordgo.InteractionMessageComponent, GuildID: voted.guild, ChannelID: answer.ChannelID, Message: answer,
		Member: &discordgo.Member{User: &discordgo.User{ID: "1499999999999999992", Username: "voter"}, Permissions: discordtest.DefaultPermissions},
		Data:   discordgo.MessageComponentInteractionData{CustomID: up.CustomID, ComponentType: discordgo.ButtonComponent},
	})

	// Everything answered: every claim finished, every question not lost
	// with the victim claimed.
	followKey, voteKey := "m:"+f.ID, "i:"+vote.ID
	eventually(t, 60*time.Second, "the last questions answered", func() (bool, string) {
		claims = readClaims(t, conn)
		open, missing := openClaims(claims), 0
		for _, q := range qs {
			if _, ok := claims[q.key()]; !ok && !q.sentBeforeKill {
				missing++
			}
		}
		for _, k := range []string{followKey, voteKey} {
			if _, ok := claims[k]; !ok {
				missing++
			}
		}
		return open == 0 && missing == 0, fmt.Sprintf("%d claims open, %d questions unclaimed", open, missing)
	})

	store, err := postgres.Open(ctx, db, postgres.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	got := countReplies(srv.Requests(), qs)
	if c := claims[followKey]; !restarted.owns(c.replica) || got.finals[followKey] != 1 {
		t.Errorf("follow-up %s: claimed by %s and answered %d times; want answered once by the restarted replica", f.ID, c.replica, got.finals[followKey])
	}
	var rewrites []chatRequest
	for _, r := range chat.ChatRequests() {
		if r.MaxTokens == 120 {
			rewrites = append(rewrites, r)
		}
	}
	if len(rewrites) != 1 {
		t.Errorf("%d rewrites of a follow-up, want 1", len(rewrites))
	} else if all, _ := json.Marshal(rewrites[0].Messages); !strings.Contains(string(all), jsonText(old.question)) || !strings.Contains(string(all), jsonText(followUp)) {
		t.Errorf("the follow-up's rewrite lacks the stored conversation's question: %s", all)
	}
	if conv, err := store.ThreadAnswers(ctx, thread, 5); err != nil || len(conv) != 2 || conv[0].Question != old.question || conv[1].Question != followUp {
		t.Errorf("stored conversation of thread %s = %+v, %v; want the question and the follow-up", thread, conv, err)
	}
	if c := claims[voteKey]; !restarted.owns(c.replica) || got.callbacks[vote.ID] != 1 {
		t.Errorf("vote %s: claimed by %s, %d callbacks; want one by the restarted replica", vote.ID, c.replica, got.callbacks[vote.ID])
	}
	fb, err := store.RecentFeedback(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(fb) != 1 || fb[0].MessageID != answer.ID || fb[0].Vote != 1 || fb[0].Question != voted.question || len(fb[0].Citations) == 0 {
		t.Errorf("stored votes = %+v, want a 👍 on the killed replica's answer %s with its question and sources", fb, answer.ID)
	}

	checkReplicaAnswers(t, qs, claims, got, victim, append(procs, restarted))
	if n := srv.IdentifyBursts(); n != 0 {
		t.Errorf("%d identifies broke the identify rate limit, want none", n)
	}
}

// checkReplicaAnswers checks, question by question, that none was
// answered twice and that every one claimed was answered or, for an
// interaction, reported lost; it logs who did what.
func checkReplicaAnswers(t *testing.T, qs []*replicaQuestion, claims map[string]claimRow, got replies, victim *serveProc, procs []*serveProc) {
	t.Helper()
	lost := map[string]bool{}
	answeredBefore := 0
	for _, p := range procs {
		warnings := map[string]int{}
		for _, l := range strings.Split(p.logs.String(), "\n") {
			var m struct{ Level, Msg, Key string }
			if json.Unmarshal([]byte(l), &m) != nil {
				continue
			}
			switch {
			case m.Msg == "claimed work lost with its replica":
				lost[m.Key] = true
			case m.Msg == "claim taken over: the dead replica had answered already":
				answeredBefore++
			case m.Level == "ERROR":
				t.Errorf("%s logged an error: %s", p.name, l)
			}
			if m.Level == "WARN" {
				warnings[m.Msg]++
			}
		}
		t.Logf("%s warned: %v", p.name, warnings)
	}
	handled := map[string]int{}
	var takenOver, resumed, lostAsks, diedUnclaimed int
	for _, q := range qs {
		c, claimed := claims[q.key()]
		n := got.finals[q.key()]
		who := "nobody"
		for _, p := range procs {
			if claimed && p.owns(c.replica) {
				who = p.name
			}
		}
		switch {
		case n > 1:
			t.Errorf("%s %s: answered %d times", q.kind, q.key(), n)
		case !claimed && n > 0:
			t.Errorf("%s %s: answered without a claim", q.kind, q.key())
		case !claimed && !(q.sentBeforeKill && discordtest.ShardOf(q.guild, replicaCount) == victim.shard):
			t.Errorf("%s %s: never claimed, though a replica held its shard", q.kind, q.key())
		case !claimed:
			diedUnclaimed++
		case n == 0 && !(q.kind == "ask" && lost[q.key()] && c.takeovers > 0):
			t.Errorf("%s %s: claimed by %s (%d takeovers), neither answered nor reported lost", q.kind, q.key(), who, c.takeovers)
		case n == 0:
			lostAsks++
		}
		if claimed && c.takeovers > 0 {
			takenOver++
			if n == 1 {
				resumed++
			}
			handled[victim.name]++ // claimed first by the victim, the only replica that died
		} else if claimed {
			handled[who]++
		}
		if q.kind == "ask" && got.callbacks[q.in.ID] > 1 {
			t.Errorf("/ask %s: %d callbacks, want at most 1", q.in.ID, got.callbacks[q.in.ID])
		}
		if q.kind == "mention" && got.threads[q.key()] > 1 {
			t.Errorf("mention %s: %d threads started, want at most 1", q.msg.ID, got.threads[q.key()])
		}
	}
	for _, p := range procs {
		t.Logf("%s (shard %d): claimed %d questions", p.name, p.shard, handled[p.name])
	}
	t.Logf("killed replica's claims taken over: %d (%d answered by the survivors, %d found answered already, %d /ask reported lost); questions it received but had not claimed, lost with it: %d",
		takenOver, resumed-answeredBefore, answeredBefore, lostAsks, diedUnclaimed)
	var acks []time.Duration
	late := 0
	for _, q := range qs {
		if at, ok := got.acked[q.key()]; ok {
			acks = append(acks, at.Sub(q.sentAt))
			if at.Sub(q.sentAt) > 3*time.Second {
				late++
			}
		}
	}
	slices.Sort(acks)
	if len(acks) > 0 {
		t.Logf("/ask acknowledged in p50 %v, p99 %v, max %v; %d after Discord's 3 s", acks[len(acks)/2].Round(time.Millisecond),
			acks[len(acks)*99/100].Round(time.Millisecond), acks[len(acks)-1].Round(time.Millisecond), late)
	}
}

// replicaQuestion is one question of TestThreeReplicas: a mention or an /ask.
type replicaQuestion struct {
	kind     string // "mention" or "ask"
	guild    string
	channel  string
	user     string
	question string
	msg      *discordgo.Message     // the mention, once sent
	in       *discordgo.Interaction // the /ask, once sent
	sentAt   time.Time
	// sentBeforeKill: sent to a live replica before the victim was killed.
	sentBeforeKill bool
}

// key is the question's claim key.
func (q *replicaQuestion) key() string {
	if q.kind == "mention" {
		return "m:" + q.msg.ID
	}
	return "i:" + q.in.ID
}

// send has the fake Discord deliver the question.
func (q *replicaQuestion) send(srv *discordtest.Server) {
	q.sentAt = time.Now()
	author := &discordgo.User{ID: q.user, Username: "member-" + q.user[len(q.user)-3:]}
	if q.kind == "mention" {
		q.msg = srv.SendMessage(&discordgo.Message{ChannelID: q.channel, GuildID: q.guild, Author: author,
			Content: "<@" + discordtest.AppID + "> " + q.question})
		return
	}
	q.in = srv.SendInteraction(&discordgo.Interaction{ChannelID: q.channel, GuildID: q.guild,
		Member: &discordgo.Member{User: author, Permissions: discordtest.DefaultPermissions},
		Data: discordgo.ApplicationCommandInteractionData{Name: "ask", Options: []*discordgo.ApplicationCommandInteractionDataOption{{
			Name: "question", Type: discordgo.ApplicationCommandOptionString, Value: q.question,
		}}},
	})
}

// replicaWorkload is TestThreeReplicas' questions: mentions and /asks
// alternating, each in the next guild, from 50 members.
func replicaWorkload(guilds, channels []string) []*replicaQuestion {
	questions := []string{askIA, "Quand l'instance nationale dédiée à l'intelligence artificielle sera-t-elle créée ?"}
	var qs []*replicaQuestion
	for i := range replicaAsks + replicaMentions {
		kind := "mention"
		if i%2 == 1 || i/2 >= replicaMentions {
			kind = "ask"
		}
		g := i % len(guilds)
		qs = append(qs, &replicaQuestion{kind: kind, guild: guilds[g], channel: channels[g],
			user: strconv.Itoa(1400000000000000100 + i%50), question: questions[i/2%len(questions)]})
	}
	return qs
}

// replies is what the fake Discord recorded of the answers, by claim key.
type replies struct {
	finals    map[string]int       // edits into an answer with its sources
	callbacks map[string]int       // interaction callbacks, by interaction id
	acked     map[string]time.Time // when an /ask's callback came
	threads   map[string]int       // threads started on a mention
}

// countReplies counts the replies to qs in the requests the fake
// recorded: a mention's placeholder is the message posted in the thread
// started on it (the thread has its id) or in reply to it.
func countReplies(reqs []discordtest.Request, qs []*replicaQuestion) replies {
	r := replies{finals: map[string]int{}, callbacks: map[string]int{}, acked: map[string]time.Time{}, threads: map[string]int{}}
	byToken := map[string]string{}
	for _, q := range qs {
		if q.in != nil {
			byToken[q.in.Token] = q.key()
		}
	}
	asked := map[string]string{} // placeholder message id → claim key of its question
	for _, req := range reqs {
		m, _ := req.JSON.(map[string]any)
		seg := strings.Split(req.Path, "/") // "", "api", "v9", ...
		switch {
		case discordtest.Route("POST", "/api/v9/interactions/*/*/callback")(req):
			r.callbacks[seg[4]]++
			if req.Status == 204 {
				r.acked["i:"+seg[4]] = req.Time
			}
		case discordtest.Route("PATCH", "/api/v9/webhooks/*/*/messages/@original")(req) && req.Status == 200 && hasEmbeds(m):
			r.finals[byToken[seg[5]]]++
		case discordtest.Route("POST", "/api/v9/channels/*/messages/*/threads")(req) && req.Status == 201:
			r.threads["m:"+seg[6]]++
		case discordtest.Route("POST", "/api/v9/channels/*/messages")(req) && req.Status == 200:
			var posted struct{ ID string }
			json.Unmarshal(req.Response, &posted)
			q := seg[4]
			if ref, ok := m["message_reference"].(map[string]any); ok {
				q, _ = ref["message_id"].(string)
			}
			asked[posted.ID] = "m:" + q
		case discordtest.Route("PATCH", "/api/v9/channels/*/messages/*")(req) && req.Status == 200 && hasEmbeds(m):
			r.finals[asked[seg[6]]]++
		}
	}
	return r
}

// claimRow is a row of the claims table.
type claimRow struct {
	replica   string
	takeovers int
	doneAt    time.Time // zero while open
}

// readClaims returns the claims table by key.
func readClaims(t *testing.T, conn *pgx.Conn) map[string]claimRow {
	t.Helper()
	rows, err := conn.Query(context.Background(), "SELECT key, replica, takeovers, done_at FROM claims")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]claimRow{}
	for rows.Next() {
		var (
			key  string
			c    claimRow
			done *time.Time
		)
		if err := rows.Scan(&key, &c.replica, &c.takeovers, &done); err != nil {
			t.Fatal(err)
		}
		if done != nil {
			c.doneAt = *done
		}
		out[key] = c
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// eventually polls cond until it holds, failing the test after timeout
// with cond's last description of where things stand.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s: %s", timeout, what, state)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// jsonText is s as it appears inside a JSON string.
func jsonText(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// buildDalil builds this package's binary into a temporary directory.
func buildDalil(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command, to build dalil: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "dalil")
	out, err := exec.Command(gobin, "build", "-buildvcs=false", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// dalil runs the dalil binary to completion in dir with env.
func dalil(t *testing.T, bin, dir string, env []string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env, cmd.Dir = env, dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("dalil %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// fixturesJSONL writes the fixtures as a JSONL archive in dir.
func fixturesJSONL(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	for _, a := range fixtures {
		line, err := json.Marshal(map[string]string{"title": a.Title, "url": a.URL, "publisher": a.Publisher,
			"published": a.Published.Format(time.DateOnly), "lang": a.Lang, "text": a.Text})
		if err != nil {
			t.Fatal(err)
		}
		b.Write(append(line, '\n'))
	}
	path := filepath.Join(dir, "fixtures.jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// serveProc is a `dalil serve` process.
type serveProc struct {
	name   string
	cmd    *exec.Cmd
	logs   *logtest.Buffer // its standard output and error
	exited chan struct{}   // closed once it has exited, err then set
	err    error
	killed bool
	admin  string // its admin server, once ready
	shard  int    // its gateway shard, once ready
}

// startServe starts `dalil serve` in dir with env; a cleanup stops it
// with SIGTERM and shows its logs when the test failed.
func startServe(t *testing.T, name, bin, dir string, env []string) *serveProc {
	t.Helper()
	p := &serveProc{name: name, cmd: exec.Command(bin, "serve"), logs: &logtest.Buffer{}, exited: make(chan struct{})}
	p.cmd.Env, p.cmd.Dir, p.cmd.Stdout, p.cmd.Stderr = env, dir, p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		if err := p.stop(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if t.Failed() {
			t.Logf("%s (pid %d) logs:\n%s", name, p.cmd.Process.Pid, p.logs)
		}
	})
	return p
}

// ready waits until the process serves its admin server, answers /readyz
// with every check ok and has claimed a shard.
func (p *serveProc) ready(t *testing.T, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	p.admin, _ = waitLogLine(t, p.logs, timeout, map[string]string{"msg": "serving"})["admin"].(string)
	for {
		select {
		case <-p.exited:
			t.Fatalf("%s exited: %v\n%s", p.name, p.err, p.logs)
		default:
		}
		resp, err := http.Get("http://" + p.admin + "/readyz")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 && string(body) == "database: ok\ngateway: ok\n" {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready after %v", p.name, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
	shard, _ := waitLogLine(t, p.logs, time.Second, map[string]string{"msg": "claimed a gateway shard"})["shard"].(float64)
	p.shard = int(shard)
}

// replicaPattern matches, in SQL LIKE, the replica id of the process
// (host-pid-random, see replica.NewID).
func (p *serveProc) replicaPattern() string { return fmt.Sprintf("%%-%d-%%", p.cmd.Process.Pid) }

// owns reports whether replica is the id of the process.
func (p *serveProc) owns(replica string) bool {
	return strings.Contains(replica, fmt.Sprintf("-%d-", p.cmd.Process.Pid))
}

// kill kills the process with SIGKILL and waits until it is gone.
func (p *serveProc) kill() {
	p.killed = true
	p.cmd.Process.Kill()
	<-p.exited
}

// stop stops the process with SIGTERM, unless it was killed, and returns
// an error if it does not exit cleanly within 30 s or had exited before.
func (p *serveProc) stop() error {
	if p.killed {
		return nil
	}
	select {
	case <-p.exited:
		return fmt.Errorf("exited before the test ended: %v", p.err)
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
		if p.err != nil {
			return fmt.Errorf("after SIGTERM: %v", p.err)
		}
		return nil
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("still running 30 s after SIGTERM: killed")
	}
}

// openClaims counts the claims not finished.
func openClaims(claims map[string]claimRow) int {
	n := 0
	for _, c := range claims {
		if c.doneAt.IsZero() {
			n++
		}
	}
	return n
}
