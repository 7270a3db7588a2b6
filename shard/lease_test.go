package shard_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/dalil-news/dalil/internal/testing/discordtest"
	"github.com/dalil-news/dalil/postgres"
	"github.com/dalil-news/dalil/shard"
)

// cutOff is a replica's store that loses the database after the claim:
// its renewals fail at once, or hang until their context ends.
type cutOff struct {
	*postgres.Store
	hang    bool
	mu      sync.Mutex
	claimed time.Time
}

func (c *cutOff) ClaimShard(ctx context.Context, owner string, count int, ttl time.Duration) (shard.Lease, bool, error) {
	c.mu.Lock()
	c.claimed = time.Now()
	c.mu.Unlock()
	return c.Store.ClaimShard(ctx, owner, count, ttl)
}

func (c *cutOff) RenewShard(ctx context.Context, owner string, id int, ttl time.Duration) (bool, error) {
	if c.hang {
		<-ctx.Done()
		return false, ctx.Err()
	}
	return false, errors.New("connection refused")
}

// TestLeaseLostBeforeExpiry: a replica that cannot renew closes its
// gateway before its lease can expire and another replica claim the
// shard, whether renewals fail or hang.
func TestLeaseLostBeforeExpiry(t *testing.T) {
	for _, hang := range []bool{false, true} {
		srv := discordtest.New(t, discordtest.WithShards(1, 1))
		st := &cutOff{Store: openStores(t, 1)[0], hang: hang}
		ttl := 3 * time.Second
		r, err := shard.New(srv.Session(t, "token"), st, nil, shard.Config{Auto: true, LeaseTTL: ttl, IdentifyWindow: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		var stopped time.Time
		err = r.Run(context.Background(), func(ctx context.Context) error {
			<-ctx.Done()
			stopped = time.Now()
			return nil
		})
		if !errors.Is(err, shard.ErrLeaseLost) {
			t.Errorf("hang=%v: Run = %v, want the lease lost", hang, err)
		}
		st.mu.Lock()
		late := stopped.Sub(st.claimed.Add(ttl))
		st.mu.Unlock()
		if late >= 0 {
			t.Errorf("hang=%v: the gateway closed %v after the lease could expire", hang, late)
		}
	}
}

// TestDrainKeepsLease: while a stopping replica drains (its gateway open,
// as bot.Run is for SHUTDOWN_TIMEOUT), it keeps its lease, and no standby
// runs the same shard.
func TestDrainKeepsLease(t *testing.T) {
	srv := discordtest.New(t, discordtest.WithShards(1, 1))
	stores := openStores(t, 2)
	cfg := shard.Config{Auto: true, LeaseTTL: time.Second, Retry: 50 * time.Millisecond, IdentifyWindow: time.Millisecond}
	var active atomic.Int32
	var overlap atomic.Bool
	sa, sb := srv.Session(t, "token"), srv.Session(t, "token")
	bot := func(sess *discordgo.Session, drain time.Duration) func(context.Context) error {
		return func(ctx context.Context) error {
			if err := sess.Open(); err != nil {
				return err
			}
			defer discordtest.CloseSession(sess)
			if active.Add(1) > 1 {
				overlap.Store(true)
			}
			<-ctx.Done()
			time.Sleep(drain) // answers in flight, the gateway open
			active.Add(-1)
			return nil
		}
	}
	ra, err := shard.New(sa, stores[0], nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := shard.New(sb, stores[1], nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctxA, stopA := context.WithCancel(context.Background())
	doneA := make(chan error, 1)
	go func() { doneA <- ra.Run(ctxA, bot(sa, 3*time.Second)) }()
	time.Sleep(500 * time.Millisecond)
	ctxB, stopB := context.WithCancel(context.Background())
	doneB := make(chan error, 1)
	go func() { doneB <- rb.Run(ctxB, bot(sb, 0)) }()
	time.Sleep(500 * time.Millisecond)
	stopA() // SIGTERM on replica A
	if err := <-doneA; err != nil {
		t.Errorf("replica A: %v", err)
	}
	stopB()
	<-doneB
	if overlap.Load() {
		t.Error("the standby ran the shard while the stopping replica's gateway was still open")
	}
}
