package postgres

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/dalil-news/dalil/replica"
)

// silence makes a replica's last heartbeat ago old.
func silence(tb testing.TB, s *Store, id string, ago time.Duration) {
	tb.Helper()
	_, err := s.pool.Exec(context.Background(), `INSERT INTO replicas (id, heartbeat_at) VALUES ($1, now() - make_interval(secs => $2))
		ON CONFLICT (id) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at`, id, ago.Seconds())
	if err != nil {
		tb.Fatal(err)
	}
}

// claimRow reads a claim's holder, payload and whether it is done.
func claimRow(tb testing.TB, s *Store, key string) (holder, payload string, done bool) {
	tb.Helper()
	err := s.pool.QueryRow(context.Background(), "SELECT replica, payload::text, done_at IS NOT NULL FROM claims WHERE key = $1", key).
		Scan(&holder, &payload, &done)
	if err != nil {
		tb.Fatalf("claim %s: %v", key, err)
	}
	return holder, payload, done
}

func mustClaim(tb testing.TB, s *Store, key, replicaID, payload string) {
	tb.Helper()
	won, err := s.Claim(context.Background(), key, replicaID, "mention", []byte(payload))
	if err != nil || !won {
		tb.Fatalf("Claim(%s, %s) = %v, %v; want won", key, replicaID, won, err)
	}
}

func TestClaim(t *testing.T) {
	s := MustOpen(t, Config{})
	ctx := context.Background()
	mustClaim(t, s, "m:1", "a", `{"question": "où ?"}`)
	for _, r := range []string{"a", "b"} {
		if won, err := s.Claim(ctx, "m:1", r, "mention", nil); err != nil || won {
			t.Errorf("second Claim by %s = %v, %v; want lost", r, won, err)
		}
	}
	if err := s.UpdateClaim(ctx, "m:1", "a", []byte(`{"question": "où ?", "placeholder": "9"}`)); err != nil {
		t.Fatal(err)
	}
	if holder, payload, done := claimRow(t, s, "m:1"); holder != "a" || payload != `{"question": "où ?", "placeholder": "9"}` || done {
		t.Errorf("open claim = %s %s done=%v; want a's, updated, open", holder, payload, done)
	}
	if err := s.UpdateClaim(ctx, "m:1", "b", []byte(`{"other": true}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishClaim(ctx, "m:1", "b"); err != nil {
		t.Fatal(err)
	}
	if _, payload, done := claimRow(t, s, "m:1"); done || payload != `{"question": "où ?", "placeholder": "9"}` {
		t.Errorf("another replica changed a's claim: %s done=%v", payload, done)
	}
	if err := s.FinishClaim(ctx, "m:1", "a"); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishClaim(ctx, "m:1", "a"); err != nil {
		t.Errorf("finishing twice: %v", err)
	}
	if err := s.UpdateClaim(ctx, "m:1", "a", []byte(`{"late": true}`)); err != nil {
		t.Fatal(err)
	}
	if _, payload, done := claimRow(t, s, "m:1"); payload != "{}" || !done {
		t.Errorf("finished claim = %s done=%v; want done with its payload dropped", payload, done)
	}
	// Finished, the key stays claimed: a late redelivery is not handled.
	if won, err := s.Claim(ctx, "m:1", "b", "mention", nil); err != nil || won {
		t.Errorf("Claim of a finished key = %v, %v; want lost", won, err)
	}
	if err := s.FinishClaim(ctx, "m:unknown", "a"); err != nil {
		t.Errorf("finishing an unknown claim: %v", err)
	}
}

// TestClaimConcurrent races replicas for the same keys: each key is won
// by exactly one.
func TestClaimConcurrent(t *testing.T) {
	s := MustOpen(t, Config{MaxConns: 8})
	const replicas, keys = 6, 40
	wins := make([][]string, replicas)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for r := range replicas {
		wg.Go(func() {
			<-start
			for k := range keys {
				key := fmt.Sprintf("i:%d", k)
				won, err := s.Claim(context.Background(), key, fmt.Sprint("r", r), "interaction", nil)
				if err != nil {
					t.Error(err)
					return
				}
				if won {
					wins[r] = append(wins[r], key)
				}
			}
		})
	}
	close(start)
	wg.Wait()
	count := map[string]int{}
	for _, w := range wins {
		for _, k := range w {
			count[k]++
		}
	}
	for k := range keys {
		if n := count[fmt.Sprintf("i:%d", k)]; n != 1 {
			t.Errorf("key i:%d won %d times, want once", k, n)
		}
	}
}

func TestTakeOver(t *testing.T) {
	s := MustOpen(t, Config{})
	ctx := context.Background()
	const deadAfter = 15 * time.Second
	silence(t, s, "dead", time.Minute)
	silence(t, s, "alive", time.Second)
	mustClaim(t, s, "m:1", "dead", `{"n": 1}`)
	mustClaim(t, s, "m:2", "dead", `{"n": 2}`)
	mustClaim(t, s, "m:3", "dead", `{"n": 3}`)
	if err := s.FinishClaim(ctx, "m:3", "dead"); err != nil {
		t.Fatal(err)
	}
	mustClaim(t, s, "m:4", "alive", `{"n": 4}`)
	// A replica that never beat: dead once its claim is as old as deadAfter.
	mustClaim(t, s, "m:5", "mute", `{"n": 5}`)
	mustClaim(t, s, "m:6", "mute", `{"n": 6}`)
	if _, err := s.pool.Exec(ctx, "UPDATE claims SET claimed_at = now() - interval '1 minute' WHERE key = 'm:6'"); err != nil {
		t.Fatal(err)
	}
	// The survivor's own claims are never taken back from it.
	silence(t, s, "survivor", 0)
	mustClaim(t, s, "m:7", "survivor", `{"n": 7}`)

	got, err := s.TakeOver(ctx, "survivor", deadAfter, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []replica.Claim{
		{Key: "m:6", Kind: "mention", Payload: []byte(`{"n": 6}`), From: "mute", Takeovers: 1},
		{Key: "m:1", Kind: "mention", Payload: []byte(`{"n": 1}`), From: "dead", Takeovers: 1},
		{Key: "m:2", Kind: "mention", Payload: []byte(`{"n": 2}`), From: "dead", Takeovers: 1},
	}
	if d := cmp.Diff(want, got, cmpopts.IgnoreFields(replica.Claim{}, "ClaimedAt")); d != "" {
		t.Errorf("TakeOver (-want +got):\n%s", d)
	}
	if holder, _, _ := claimRow(t, s, "m:1"); holder != "survivor" {
		t.Errorf("m:1 is held by %s after the takeover, want survivor", holder)
	}
	if again, err := s.TakeOver(ctx, "other", deadAfter, 10); err != nil || len(again) != 0 {
		t.Errorf("TakeOver by another live replica = %+v, %v; want nothing (the claims are the live survivor's now)", again, err)
	}

	// limit bounds one takeover; the rest waits for the next.
	for i := range 5 {
		mustClaim(t, s, fmt.Sprint("i:", i), "dead", "{}")
	}
	first, err := s.TakeOver(ctx, "next", deadAfter, 3)
	if err != nil || len(first) != 3 {
		t.Fatalf("TakeOver with limit 3 = %d claims, %v", len(first), err)
	}
}

// TestTakeOverConcurrent races two survivors for a dead replica's claims,
// one at a time so that both go for the same oldest claim each round:
// each claim goes to exactly one of them.
func TestTakeOverConcurrent(t *testing.T) {
	s := MustOpen(t, Config{MaxConns: 4})
	ctx := context.Background()
	const n = 100
	silence(t, s, "dead", time.Minute)
	for i := range n {
		mustClaim(t, s, fmt.Sprint("i:", i), "dead", "{}")
	}
	left := func() int {
		var c int
		if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM claims WHERE replica = 'dead'").Scan(&c); err != nil {
			t.Error(err)
		}
		return c
	}
	got := make([][]string, 2)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for r := range got {
		wg.Go(func() {
			<-start
			for {
				cs, err := s.TakeOver(ctx, fmt.Sprint("survivor", r), 15*time.Second, 1)
				if err != nil {
					t.Error(err)
					return
				}
				for _, c := range cs {
					got[r] = append(got[r], c.Key)
				}
				// Empty when the other survivor took the claim first.
				if len(cs) == 0 && left() == 0 {
					return
				}
			}
		})
	}
	close(start)
	wg.Wait()
	all := append(slices.Clone(got[0]), got[1]...)
	slices.Sort(all)
	if len(all) != n || len(slices.Compact(all)) != n {
		t.Errorf("survivors took %d and %d claims, %d distinct; want %d in all, none twice", len(got[0]), len(got[1]), len(slices.Compact(all)), n)
	}
}

// TestTakeOverWaitsForConcurrent holds a takeover's update open while
// another survivor tries: the second waits for the row, re-checks it as
// committed, and takes nothing.
func TestTakeOverWaitsForConcurrent(t *testing.T) {
	s := MustOpen(t, Config{})
	ctx := context.Background()
	silence(t, s, "dead", time.Minute)
	mustClaim(t, s, "i:1", "dead", "{}")
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	// The first survivor's takeover, not yet committed.
	if _, err := tx.Exec(ctx, "UPDATE claims SET replica = 'first', takeovers = takeovers + 1 WHERE replica = 'dead'"); err != nil {
		t.Fatal(err)
	}
	type result struct {
		cs  []replica.Claim
		err error
	}
	second := make(chan result, 1)
	go func() {
		cs, err := s.TakeOver(ctx, "second", 15*time.Second, 10)
		second <- result{cs, err}
	}()
	select {
	case r := <-second:
		t.Fatalf("the second takeover returned %+v, %v while the first held the row", r.cs, r.err)
	case <-time.After(200 * time.Millisecond):
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if r := <-second; r.err != nil || len(r.cs) != 0 {
		t.Errorf("second takeover = %+v, %v; want nothing", r.cs, r.err)
	}
	if holder, _, _ := claimRow(t, s, "i:1"); holder != "first" {
		t.Errorf("i:1 held by %s, want first", holder)
	}
}

func TestPurgeClaims(t *testing.T) {
	s := MustOpen(t, Config{})
	ctx := context.Background()
	silence(t, s, "gone", 2*time.Hour)
	silence(t, s, "gone-busy", 2*time.Hour)
	silence(t, s, "alive", 0)
	mustClaim(t, s, "m:old", "gone", "{}")
	mustClaim(t, s, "m:recent", "alive", "{}")
	mustClaim(t, s, "m:open", "gone-busy", "{}")
	for k, holder := range map[string]string{"m:old": "gone", "m:recent": "alive"} {
		if err := s.FinishClaim(ctx, k, holder); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.pool.Exec(ctx, "UPDATE claims SET done_at = now() - interval '2 hours' WHERE key = 'm:old'"); err != nil {
		t.Fatal(err)
	}
	n, err := s.PurgeClaims(ctx, time.Hour)
	if err != nil || n != 1 {
		t.Fatalf("PurgeClaims = %d, %v; want the one finished two hours ago", n, err)
	}
	var keys, replicas []string
	for sql, dst := range map[string]*[]string{"SELECT key FROM claims ORDER BY key": &keys, "SELECT id FROM replicas ORDER BY id": &replicas} {
		rows, err := s.pool.Query(ctx, sql)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			*dst = append(*dst, v)
		}
	}
	if d := cmp.Diff([]string{"m:open", "m:recent"}, keys); d != "" {
		t.Errorf("claims left (-want +got):\n%s", d)
	}
	// A silent replica with an open claim stays, for its claim's takeover.
	if d := cmp.Diff([]string{"alive", "gone-busy"}, replicas); d != "" {
		t.Errorf("replicas left (-want +got):\n%s", d)
	}
}

// BenchmarkClaim measures what claiming costs an event: a won claim (an
// insert) and a lost one (the conflict), one round trip each, with a
// mention's payload, and the claim finished after the work.
func BenchmarkClaim(b *testing.B) {
	s := MustOpen(b, Config{})
	ctx := context.Background()
	payload := []byte(`{"message_id":"1300000000000000001","channel_id":"1300000000000000002","guild_id":"1300000000000000003","question":"Qu'a annoncé la ministre sur l'intelligence artificielle ?","mentioned":true}`)
	// -count reruns the sub-benchmarks on the same database: keys are
	// unique to each run.
	run := 0
	key := func(kind string, i int) string { return fmt.Sprintf("m:%s-%d-%d", kind, run, i) }
	b.Run("won", func(b *testing.B) {
		run++
		for i := 0; b.Loop(); i++ {
			if won, err := s.Claim(ctx, key("won", i), "bench", "mention", payload); err != nil || !won {
				b.Fatal(won, err)
			}
		}
	})
	b.Run("lost", func(b *testing.B) {
		run++
		mustClaim(b, s, key("lost", 0), "other", "{}")
		for b.Loop() {
			if won, err := s.Claim(ctx, key("lost", 0), "bench", "mention", payload); err != nil || won {
				b.Fatal(won, err)
			}
		}
	})
	b.Run("won+finished", func(b *testing.B) {
		run++
		for i := 0; b.Loop(); i++ {
			if won, err := s.Claim(ctx, key("done", i), "bench", "mention", payload); err != nil || !won {
				b.Fatal(won, err)
			}
			if err := s.FinishClaim(ctx, key("done", i), "bench"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
