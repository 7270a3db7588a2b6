package bot

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/google/go-cmp/cmp"

	"github.com/dalil-news/dalil/rag"
)

func TestLimiter(t *testing.T) {
	now := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	l := newLimiter(Config{UserPerMinute: 6, UserBurst: 2, GuildPerMinute: 60, GuildBurst: 3})
	l.now = func() time.Time { return now }
	type call struct {
		user, guild string
		advance     time.Duration
		ok          bool
		wait        time.Duration
	}
	calls := []call{
		{"alice", "g1", 0, true, 0},
		{"alice", "g1", 0, true, 0},
		{"alice", "g1", 0, false, 10 * time.Second}, // alice's burst of 2 is spent; 6/min = one per 10 s
		{"bob", "g1", 0, true, 0},                   // the guild's 3rd token
		{"carol", "g1", 0, false, time.Second},      // the guild's burst is spent; 60/min = one per second
		{"carol", "", 0, true, 0},                   // a DM has no guild bucket
		{"alice", "g1", 10 * time.Second, true, 0},  // refilled
		{"dave", "g2", 0, true, 0},
	}
	for i, c := range calls {
		now = now.Add(c.advance)
		ok, wait := l.allow(c.user, c.guild)
		if ok != c.ok || wait.Round(time.Millisecond) != c.wait {
			t.Errorf("call %d (%s in %q): allow = %v, %v; want %v, %v", i, c.user, c.guild, ok, wait, c.ok, c.wait)
		}
	}
}

func TestLimiterRefusalTakesNoToken(t *testing.T) {
	now := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	l := newLimiter(Config{UserPerMinute: 60, UserBurst: 1, GuildPerMinute: 1, GuildBurst: 1})
	l.now = func() time.Time { return now }
	if ok, _ := l.allow("bob", "g"); !ok {
		t.Fatal("first call refused")
	}
	// The guild is empty: erin is refused, and her own bucket stays full.
	if ok, _ := l.allow("erin", "g"); ok {
		t.Fatal("call in an empty guild allowed")
	}
	if ok, _ := l.allow("erin", ""); !ok {
		t.Error("erin's refused call took her token")
	}
}

func TestPool(t *testing.T) {
	p := newPool(1, 2)
	ctx := context.Background()
	release := make(chan struct{})
	started := make(chan int, 4)
	var mu sync.Mutex
	var dropped []int
	mk := func(n int) job {
		return job{
			run: func(context.Context) {
				started <- n
				<-release
			},
			drop: func() {
				mu.Lock()
				dropped = append(dropped, n)
				mu.Unlock()
			},
		}
	}
	go p.run(ctx)
	<-p.ran
	var places []int
	place, err := p.submit(mk(1))
	if err != nil {
		t.Fatal(err)
	}
	places = append(places, place)
	<-started // job 1 runs, the only worker is busy
	for n := 2; n <= 3; n++ {
		place, err := p.submit(mk(n))
		if err != nil {
			t.Fatal(err)
		}
		places = append(places, place)
	}
	if _, err := p.submit(mk(4)); err != errQueueFull {
		t.Errorf("submit to a full queue: %v, want errQueueFull", err)
	}
	if d := cmp.Diff([]int{0, 1, 2}, places); d != "" {
		t.Errorf("places in line (-want +got):\n%s", d)
	}
	p.close()
	if _, err := p.submit(mk(5)); err != errStopping {
		t.Errorf("submit after close: %v, want errStopping", err)
	}
	close(release)
	p.wait()
	if d := cmp.Diff([]int{2, 3}, dropped); d != "" {
		t.Errorf("queued jobs dropped at close (-want +got):\n%s", d)
	}
}

func TestIsAdmin(t *testing.T) {
	tests := []struct {
		name string
		m    *discordgo.Member
		want bool
	}{
		{"no member (DM)", nil, false},
		{"plain member", &discordgo.Member{Permissions: discordgo.PermissionSendMessages}, false},
		{"manage server", &discordgo.Member{Permissions: discordgo.PermissionManageGuild}, true},
		{"administrator", &discordgo.Member{Permissions: discordgo.PermissionAdministrator}, true},
		{"admin role", &discordgo.Member{Roles: []string{"r1", "admins"}}, true},
		{"other role", &discordgo.Member{Roles: []string{"r1"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isAdmin(tt.m, []string{"admins"}); got != tt.want {
				t.Errorf("isAdmin = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestConversations(t *testing.T) {
	c := newConversations(2, 4)
	if _, ok := c.history("t1"); ok {
		t.Fatal("unknown thread is a conversation")
	}
	c.start("t1")
	c.add("t1", "q1", "a1")
	c.add("t1", "q2", "a2")
	c.add("t1", "q3", "a3")
	got, ok := c.history("t1")
	want := []rag.Message{{Role: "user", Content: "q2"}, {Role: "assistant", Content: "a2"}, {Role: "user", Content: "q3"}, {Role: "assistant", Content: "a3"}}
	if d := cmp.Diff(want, got); !ok || d != "" {
		t.Errorf("history keeps the last turns (-want +got):\n%s", d)
	}
	c.start("t2")
	c.start("t3") // evicts t1, the least recently used
	if _, ok := c.history("t1"); ok {
		t.Error("t1 still remembered beyond the bound")
	}
}

func TestSeenSet(t *testing.T) {
	now := time.Unix(0, 0)
	s := newSeenSet(time.Minute)
	s.now = func() time.Time { return now }
	got := []bool{s.first("a"), s.first("a"), s.first("b")}
	now = now.Add(2 * time.Minute)
	got = append(got, s.first("a"))
	if d := cmp.Diff([]bool{true, false, true, true}, got); d != "" {
		t.Errorf("first (-want +got):\n%s", d)
	}
}

func TestErrorKind(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{context.DeadlineExceeded, "timeout"},
		{rag.ErrUnavailable, "upstream"},
		{rag.ErrEmbedderMismatch, "embedder"},
		{sqlError{}, "database"},
		{context.Canceled, "internal"},
	}
	for _, tt := range tests {
		if got := errorKind(tt.err); got != tt.want {
			t.Errorf("errorKind(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

// sqlError has the method of pgconn.PgError that errorKind looks for.
type sqlError struct{}

func (sqlError) Error() string    { return "connection refused" }
func (sqlError) SQLState() string { return "08006" }
