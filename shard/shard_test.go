package shard_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/dalil-news/dalil/internal/testing/discordtest"
	"github.com/dalil-news/dalil/internal/testing/pgtest"
	"github.com/dalil-news/dalil/postgres"
	"github.com/dalil-news/dalil/shard"
)

func TestConfigCheck(t *testing.T) {
	tests := []struct {
		cfg     shard.Config
		wantErr string
	}{
		{shard.Config{}, ""},
		{shard.Config{Auto: true}, ""},
		{shard.Config{ID: 2, Count: 3}, ""},
		{shard.Config{ID: 3, Count: 3}, "not below the count"},
		{shard.Config{ID: -1, Count: 3}, "negative"},
		{shard.Config{ID: 1}, "without a count"},
		{shard.Config{Auto: true, Count: 2}, "set neither"},
	}
	for _, tt := range tests {
		err := tt.cfg.Check()
		if (tt.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("%+v.Check() = %v, want %q", tt.cfg, err, tt.wantErr)
		}
	}
}

// openStores opens n stores (one per replica) on one fresh, migrated database.
func openStores(t *testing.T, n int) []*postgres.Store {
	t.Helper()
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	stores := make([]*postgres.Store, n)
	for i := range stores {
		s, err := postgres.Open(ctx, url, postgres.Config{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		stores[i] = s
	}
	return stores
}

// replica is one running Runner over a session of the fake.
type replica struct {
	events chan *discordgo.InteractionCreate
	stop   context.CancelFunc
	done   chan error
}

// startReplica runs a Runner whose bot only opens the session and keeps
// it open until its context ends.
func startReplica(t *testing.T, srv *discordtest.Server, store shard.Store, cfg shard.Config) *replica {
	t.Helper()
	sess := srv.Session(t, "token")
	sess.Identify.Intents = discordgo.IntentsGuilds
	r := &replica{events: make(chan *discordgo.InteractionCreate, 16), done: make(chan error, 1)}
	sess.AddHandler(func(_ *discordgo.Session, e *discordgo.InteractionCreate) { r.events <- e })
	runner, err := shard.New(sess, store, nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	r.stop = stop
	go func() {
		r.done <- runner.Run(ctx, func(ctx context.Context) error {
			if err := sess.Open(); err != nil {
				return err
			}
			<-ctx.Done()
			return discordtest.CloseSession(sess)
		})
	}()
	t.Cleanup(func() { r.shutdown(t) })
	return r
}

// shutdown stops the replica (once) and returns Run's error.
func (r *replica) shutdown(t *testing.T) error {
	r.stop()
	select {
	case err, ok := <-r.done:
		if ok {
			close(r.done)
			return err
		}
		return nil
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return 15 s after its context ended")
		return nil
	}
}

// receiver sends an interaction in a guild of shard id among count and
// returns the one replica that received it.
func receiver(t *testing.T, srv *discordtest.Server, id, count int, replicas ...*replica) *replica {
	t.Helper()
	g := guildOnShard(t, id, count)
	in := srv.SendInteraction(&discordgo.Interaction{ChannelID: g + "7", GuildID: g})
	var got *replica
	for _, r := range replicas {
		select {
		case e := <-r.events:
			if e.ID != in.ID || got != nil {
				t.Fatalf("shard %d's interaction %s: a replica received %s, or two received it", id, in.ID, e.ID)
			}
			got = r
		case <-time.After(time.Second):
		}
	}
	if got == nil {
		t.Fatalf("no replica received shard %d's interaction", id)
	}
	return got
}

// guildOnShard returns a guild id on shard id of count.
func guildOnShard(t *testing.T, id, count int) string {
	t.Helper()
	for j := uint64(0); j < 1000; j++ {
		g := strconv.FormatUint(1200000000000000001+j<<22, 10)
		if discordtest.ShardOf(g, count) == id {
			return g
		}
	}
	t.Fatalf("no guild on shard %d of %d", id, count)
	return ""
}

func waitIdentifies(t *testing.T, srv *discordtest.Server, n int) []discordgo.Identify {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.WaitHandshakes(ctx, n); err != nil {
		t.Fatal(err)
	}
	return srv.Identifies()
}

// TestAutomatic: two replicas claim the two shards Discord recommends,
// identify one after the other in the one bucket, and each receives its
// guilds' events; a standby takes over the shard a stopping replica
// releases.
func TestAutomatic(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.WithShards(2, 1))
	stores := openStores(t, 3)
	cfg := shard.Config{Auto: true, LeaseTTL: 3 * time.Second, Retry: 100 * time.Millisecond}
	a := startReplica(t, srv, stores[0], cfg)
	b := startReplica(t, srv, stores[1], cfg)
	ids := waitIdentifies(t, srv, 2)
	shards := map[[2]int]bool{}
	for _, id := range ids {
		if id.Shard != nil {
			shards[*id.Shard] = true
		}
	}
	if !shards[[2]int{0, 2}] || !shards[[2]int{1, 2}] {
		t.Fatalf("IDENTIFY payloads %+v, want shards [0 2] and [1 2]", ids)
	}
	if n := srv.IdentifyBursts(); n != 0 {
		t.Errorf("%d identifies within 5 s in one bucket, want none", n)
	}
	first := receiver(t, srv, 0, 2, a, b)
	second := receiver(t, srv, 1, 2, a, b)
	if first == second {
		t.Fatal("one replica received the events of both shards")
	}

	// A third replica finds both shards leased and waits; when shard 0's
	// replica stops, it releases the shard and the standby claims it.
	c := startReplica(t, srv, stores[2], cfg)
	time.Sleep(300 * time.Millisecond)
	if n := len(srv.Identifies()); n != 2 {
		t.Fatalf("%d IDENTIFY payloads while both shards are leased, want 2", n)
	}
	if err := first.shutdown(t); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if ids := waitIdentifies(t, srv, 3); ids[2].Shard == nil || *ids[2].Shard != [2]int{0, 2} {
		t.Fatalf("the standby identified as %v, want the released shard [0 2]", ids[2].Shard)
	}
	if receiver(t, srv, 0, 2, c, second) != c {
		t.Error("shard 0's events do not reach the standby that took it over")
	}
}

// TestLeaseLost: a replica whose lease another replica took stops its bot.
func TestLeaseLost(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := discordtest.New(t, discordtest.WithShards(1, 1))
	stores := openStores(t, 1)
	r := startReplica(t, srv, stores[0], shard.Config{Auto: true, Owner: "replica", LeaseTTL: 600 * time.Millisecond, IdentifyWindow: time.Millisecond})
	waitIdentifies(t, srv, 1)
	// An operator (or a replica after a network partition) takes the shard.
	if err := stores[0].ReleaseShard(ctx, "replica", 0); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := stores[0].ClaimShard(ctx, "intruder", 1, time.Minute); err != nil || !ok {
		t.Fatalf("intruder's claim: %v, %v", ok, err)
	}
	select {
	case err := <-r.done:
		close(r.done)
		if !errors.Is(err, shard.ErrLeaseLost) {
			t.Errorf("Run = %v, want ErrLeaseLost", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the replica kept running on a shard it no longer leases")
	}
}

func TestFixed(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.WithShards(2, 1))
	stores := openStores(t, 1)
	startReplica(t, srv, stores[0], shard.Config{ID: 1, Count: 2})
	if ids := waitIdentifies(t, srv, 1); ids[0].Shard == nil || *ids[0].Shard != [2]int{1, 2} {
		t.Errorf("IDENTIFY shard %v, want [1 2]", ids[0].Shard)
	}
}

func TestUnsharded(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	startReplica(t, srv, nil, shard.Config{})
	if ids := waitIdentifies(t, srv, 1); ids[0].Shard != nil {
		t.Errorf("IDENTIFY shard %v, want none", ids[0].Shard)
	}
}
