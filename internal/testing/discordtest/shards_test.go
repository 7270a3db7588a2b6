package discordtest

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// guildOnShard returns a guild id whose shard among count is shard.
func guildOnShard(t *testing.T, shard, count int) string {
	t.Helper()
	for j := uint64(0); j < 1000; j++ {
		id := strconv.FormatUint(1200000000000000001+j<<22, 10)
		if ShardOf(id, count) == shard {
			return id
		}
	}
	t.Fatalf("no guild found on shard %d of %d", shard, count)
	return ""
}

// shardSession opens a session identifying as shard id of count (count 0:
// unsharded) and returns the channel of the interactions it receives.
func shardSession(t *testing.T, srv *Server, id, count int) <-chan *discordgo.InteractionCreate {
	t.Helper()
	sess := srv.Session(t, "secret")
	sess.Identify.Intents = testIntents
	sess.ShardID, sess.ShardCount = id, count
	got := make(chan *discordgo.InteractionCreate, 16)
	sess.AddHandler(func(_ *discordgo.Session, e *discordgo.InteractionCreate) { got <- e })
	if err := sess.Open(); err != nil {
		t.Fatalf("open shard %d of %d: %v", id, count, err)
	}
	return got
}

func TestShards(t *testing.T) {
	t.Parallel()
	const count = 3
	srv := New(t, WithShards(count, 1))
	sess := srv.Session(t, "secret")
	gb, err := sess.GatewayBot()
	if err != nil {
		t.Fatal(err)
	}
	if gb.Shards != count || gb.SessionStartLimit.MaxConcurrency != 1 {
		t.Errorf("GET /gateway/bot = %d shards, max_concurrency %d; want %d and 1", gb.Shards, gb.SessionStartLimit.MaxConcurrency, count)
	}
	var shards [count]<-chan *discordgo.InteractionCreate
	for i := range count {
		shards[i] = shardSession(t, srv, i, count)
	}
	all := shardSession(t, srv, 0, 0)
	for i, id := range srv.Identifies() {
		if i < count && (id.Shard == nil || *id.Shard != [2]int{i, count}) {
			t.Errorf("IDENTIFY %d: shard %v, want [%d %d]", i, id.Shard, i, count)
		}
	}
	// Four identifies in the one bucket of max_concurrency 1, at once.
	if got := srv.IdentifyBursts(); got != count {
		t.Errorf("IdentifyBursts = %d, want %d", got, count)
	}

	cases := []struct {
		name    string
		guildID string // "" with a DM channel
		shard   int
	}{
		{"guild on shard 0", guildOnShard(t, 0, count), 0},
		{"guild on shard 1", guildOnShard(t, 1, count), 1},
		{"guild on shard 2", guildOnShard(t, 2, count), 2},
		{"direct message", "", 0},
	}
	for _, c := range cases {
		channel := "1399999999999999999"
		if c.guildID != "" {
			channel = c.guildID + "9"
		}
		in := srv.SendInteraction(&discordgo.Interaction{ChannelID: channel, GuildID: c.guildID})
		if got := receive(t, shards[c.shard]); got.ID != in.ID {
			t.Errorf("%s: shard %d got interaction %s, want %s", c.name, c.shard, got.ID, in.ID)
		}
		if got := receive(t, all); got.ID != in.ID {
			t.Errorf("%s: the unsharded session got %s, want %s", c.name, got.ID, in.ID)
		}
	}
	time.Sleep(100 * time.Millisecond) // anything misrouted has arrived by now
	for i, ch := range shards {
		if len(ch) > 0 {
			t.Errorf("shard %d received %d interactions of other shards", i, len(ch))
		}
	}
}

func TestIdentifyBuckets(t *testing.T) {
	t.Parallel()
	srv := New(t, WithShards(2, 2))
	shardSession(t, srv, 0, 2)
	shardSession(t, srv, 1, 2)
	if got := srv.IdentifyBursts(); got != 0 {
		t.Errorf("IdentifyBursts = %d for two shards in two buckets, want 0", got)
	}
}

func TestInvalidShard(t *testing.T) {
	t.Parallel()
	srv := New(t, WithShards(2, 1))
	sess := srv.Session(t, "secret")
	sess.ShardID, sess.ShardCount = -1, 2 // discordgo checks only id < count
	if err := sess.Open(); err == nil {
		t.Fatal("Open with shard [-1, 2] succeeded, want the gateway to close with 4010")
	}
	if n := len(srv.Identifies()); n != 0 {
		t.Errorf("the fake started %d sessions for an invalid shard", n)
	}
}

func TestLocalAttachments(t *testing.T) {
	t.Parallel()
	srv := New(t, WithLocalAttachments())
	u := srv.AddAttachment("a.txt", []byte("hello"))
	if want := srv.URL() + "/attachments/"; !strings.HasPrefix(u, want) {
		t.Fatalf("attachment URL %q, want one under %s", u, want)
	}
	resp, err := srv.Client().Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET %s: %d", u, resp.StatusCode)
	}
}
