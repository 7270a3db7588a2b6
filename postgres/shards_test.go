package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/dalil-news/dalil/internal/testing/pgtest"
	"github.com/dalil-news/dalil/shard"
)

// TestClaimShardConcurrently: replicas claiming at once, each on its own
// pool, get different shards; the one too many gets none.
func TestClaimShardConcurrently(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	const count, replicas = 3, 4
	stores := make([]*Store, replicas)
	for i := range stores {
		stores[i] = mustOpenURL(t, url)
	}
	var wg sync.WaitGroup
	leases := make([]shard.Lease, replicas)
	oks := make([]bool, replicas)
	errs := make([]error, replicas)
	for i, s := range stores {
		wg.Go(func() {
			leases[i], oks[i], errs[i] = s.ClaimShard(ctx, fmt.Sprintf("replica-%d", i), count, time.Minute)
		})
	}
	wg.Wait()
	var ids []int
	for i := range replicas {
		if errs[i] != nil {
			t.Fatalf("replica %d: %v", i, errs[i])
		}
		if oks[i] {
			if leases[i].Count != count {
				t.Errorf("replica %d: lease %+v, want count %d", i, leases[i], count)
			}
			ids = append(ids, leases[i].ID)
		}
	}
	slices.Sort(ids)
	if want := []int{0, 1, 2}; !slices.Equal(ids, want) {
		t.Errorf("claimed shards %v, want %v (one each, the fourth replica none)", ids, want)
	}
}

func TestShardLeases(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t, Config{})
	claim := func(owner string, count int, ttl time.Duration) (shard.Lease, bool) {
		t.Helper()
		l, ok, err := s.ClaimShard(ctx, owner, count, ttl)
		if err != nil {
			t.Fatal(err)
		}
		return l, ok
	}
	renew := func(owner string, id int) bool {
		t.Helper()
		held, err := s.RenewShard(ctx, owner, id, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return held
	}

	if l, ok := claim("a", 2, time.Minute); !ok || l != (shard.Lease{ID: 0, Count: 2}) {
		t.Fatalf("a's claim = %+v, %v; want shard 0 of 2", l, ok)
	}
	// b asks for 5 shards: the live lease's count wins.
	if l, ok := claim("b", 5, 300*time.Millisecond); !ok || l != (shard.Lease{ID: 1, Count: 2}) {
		t.Fatalf("b's claim = %+v, %v; want shard 1 of 2 (the fleet's count)", l, ok)
	}
	if _, ok := claim("c", 2, time.Minute); ok {
		t.Fatal("c claimed a shard while both were leased")
	}
	if !renew("a", 0) || renew("c", 1) {
		t.Error("renewal: a must hold shard 0, c must hold nothing")
	}

	t.Run("an expired lease is taken over", func(t *testing.T) {
		time.Sleep(400 * time.Millisecond) // b's lease expires
		if l, ok := claim("c", 2, time.Minute); !ok || l.ID != 1 {
			t.Fatalf("c's claim after b's lease expired = %+v, %v; want shard 1", l, ok)
		}
		if renew("b", 1) {
			t.Error("b renewed a lease c has taken over")
		}
	})

	t.Run("release frees the shard", func(t *testing.T) {
		if _, ok := claim("d", 2, time.Minute); ok {
			t.Fatal("d claimed a shard while both were leased")
		}
		if err := s.ReleaseShard(ctx, "b", 0); err != nil { // not b's: nothing happens
			t.Fatal(err)
		}
		if err := s.ReleaseShard(ctx, "a", 0); err != nil {
			t.Fatal(err)
		}
		if l, ok := claim("d", 2, time.Minute); !ok || l.ID != 0 {
			t.Fatalf("d's claim after a released = %+v, %v; want shard 0", l, ok)
		}
	})

	t.Run("a new count once every lease ended", func(t *testing.T) {
		for _, l := range []struct {
			owner string
			id    int
		}{{"c", 1}, {"d", 0}} {
			if err := s.ReleaseShard(ctx, l.owner, l.id); err != nil {
				t.Fatal(err)
			}
		}
		if l, ok := claim("e", 4, time.Minute); !ok || l != (shard.Lease{ID: 0, Count: 4}) {
			t.Fatalf("e's claim on an empty table = %+v, %v; want shard 0 of 4", l, ok)
		}
	})
}

func TestLockIdentify(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	a, b := mustOpenURL(t, url), mustOpenURL(t, url)
	release, err := a.LockIdentify(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 600*time.Millisecond)
	defer cancel()
	if _, err := b.LockIdentify(short, 0); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second replica took a held bucket: err %v, want a deadline", err)
	}
	other, err := b.LockIdentify(ctx, 1)
	if err != nil {
		t.Fatalf("another bucket: %v", err)
	}
	other()
	got := make(chan error, 1)
	go func() {
		r, err := b.LockIdentify(ctx, 0)
		if err == nil {
			r()
		}
		got <- err
	}()
	time.Sleep(300 * time.Millisecond)
	release()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the waiting replica did not get the bucket after its release")
	}
}
