package postgres

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestTakeTokens(t *testing.T) {
	s := MustOpen(t, Config{})
	ctx := context.Background()
	take := func(keys []string, perSecond []float64, bursts []int) []time.Duration {
		t.Helper()
		waits, err := s.TakeTokens(ctx, keys, perSecond, bursts)
		if err != nil {
			t.Fatal(err)
		}
		return waits
	}
	hour := 1.0 / 3600
	member, guild := []string{"u:17", "g:5"}, []float64{hour, hour}
	// The member may ask twice, the guild three times an hour.
	for i := range 2 {
		if w := take(member, guild, []int{2, 3}); w[0] != 0 || w[1] != 0 {
			t.Fatalf("question %d: waits %v, want none", i+1, w)
		}
	}
	w := take(member, guild, []int{2, 3})
	if w[0] < 59*time.Minute || w[0] > time.Hour || w[1] != 0 {
		t.Errorf("third question: waits %v, want about an hour for the member, none for the guild", w)
	}
	// A refused question took no token: the guild's last one is still
	// there for another member, and then it is empty.
	if w := take([]string{"u:18", "g:5"}, guild, []int{2, 3}); w[0] != 0 || w[1] != 0 {
		t.Errorf("another member: waits %v, want none (the guild's third token)", w)
	}
	if w := take([]string{"u:19", "g:5"}, guild, []int{2, 3}); w[0] != 0 || w[1] < 59*time.Minute {
		t.Errorf("a third member: waits %v, want the guild's hour", w)
	}
	// A fast bucket refills.
	fast := []float64{20}
	take([]string{"u:fast"}, fast, []int{1})
	time.Sleep(100 * time.Millisecond)
	if w := take([]string{"u:fast"}, fast, []int{1}); w[0] != 0 {
		t.Errorf("after 100 ms at 20 a second: wait %v, want none", w[0])
	}
	// No Discord ID is stored: every key is a keyed hash.
	var n, hashes int
	if err := s.pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE key ~ '^[0-9a-f]{64}$') FROM rate_buckets`).Scan(&n, &hashes); err != nil {
		t.Fatal(err)
	}
	if n != 5 || hashes != n {
		t.Errorf("%d buckets stored, %d of them as hashes; want 5, all", n, hashes)
	}
	if _, err := s.TakeTokens(ctx, member, guild, []int{2}); err == nil {
		t.Error("two keys, one burst: want an error")
	}
	if _, err := s.TakeTokens(ctx, []string{"u:1"}, []float64{0}, []int{1}); err == nil {
		t.Error("a bucket that never refills: want an error")
	}
	if _, err := s.TakeTokens(ctx, []string{"u:1", "u:1"}, []float64{1, 1}, []int{1, 1}); err == nil {
		t.Error("a bucket named twice: want an error")
	}
}

// TestTakeTokensConcurrent: replicas taking the same member's tokens at
// once give out no more than the bucket holds.
func TestTakeTokensConcurrent(t *testing.T) {
	s := MustOpen(t, Config{MaxConns: 8})
	var wg sync.WaitGroup
	var mu sync.Mutex
	granted := 0
	for range 6 {
		wg.Go(func() {
			for range 5 {
				w, err := s.TakeTokens(context.Background(), []string{"g:9", "u:1"}, []float64{0.001, 0.001}, []int{100, 7})
				if err != nil {
					t.Error(err)
					return
				}
				if w[0] == 0 && w[1] == 0 {
					mu.Lock()
					granted++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if granted != 7 {
		t.Errorf("%d of 30 questions granted, want the member's 7", granted)
	}
}

func TestPurgeRateBuckets(t *testing.T) {
	s := MustOpen(t, Config{})
	ctx := context.Background()
	if _, err := s.TakeTokens(ctx, []string{"u:1", "u:2"}, []float64{1, 1}, []int{1, 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `UPDATE rate_buckets SET updated_at = now() - interval '2 days' WHERE key = (SELECT min(key) FROM rate_buckets)`); err != nil {
		t.Fatal(err)
	}
	if n, err := s.PurgeRateBuckets(ctx, 24*time.Hour); err != nil || n != 1 {
		t.Errorf("PurgeRateBuckets = %d, %v; want the idle bucket", n, err)
	}
}
