package postgres

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/dalil-news/dalil/internal/testing/pgtest"
	"github.com/dalil-news/dalil/rag"
)

// mustSaveAnswer saves a and returns its ID.
func mustSaveAnswer(t *testing.T, s *Store, a rag.AnswerRecord) int64 {
	t.Helper()
	id, err := s.SaveAnswer(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestAnswers(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t, Config{})
	cite := rag.Citation{N: 1, ChunkID: 7, Quote: "La ministre a annoncé.", Article: rag.Article{
		ID: 3, Title: "Annonce", URL: "https://example.com/a", Publisher: "Le Test",
		Published: time.Date(2023, 10, 24, 0, 0, 0, 0, time.UTC), Lang: "fr", Text: "not stored",
	}}
	first := rag.AnswerRecord{
		Question: "Qu'a annoncé la ministre ?", Answer: "Une instance [1].", Citations: []rag.Citation{cite},
		Mode: rag.ModeLLM, Found: true, Latency: 1234 * time.Millisecond,
		GuildID: "g", ChannelID: "c", ThreadID: "t1", UserID: "1400000000000000001", Lang: "fr",
	}
	second := rag.AnswerRecord{
		Question: "Et quand ?", Answer: "Les archives ne le disent pas.", Mode: rag.ModeExtractive,
		GuildID: "g", ChannelID: "t1", ThreadID: "t1", UserID: "1400000000000000002", Lang: "fr",
	}
	slash := rag.AnswerRecord{Question: "Quoi ?", Answer: "Ceci.", ChannelID: "c", UserID: "1400000000000000001"}
	other := rag.AnswerRecord{Question: "Autre ?", Answer: "Cela.", ThreadID: "t2", UserID: "1400000000000000001"}
	var ids []int64
	for _, a := range []rag.AnswerRecord{first, second, slash, other} {
		ids = append(ids, mustSaveAnswer(t, s, a))
	}

	got, err := s.Answer(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	want := first
	want.ID, want.UserID = ids[0], ""
	want.Citations = []rag.Citation{cite}
	want.Citations[0].Article.Text = ""
	if d := cmp.Diff(want, got, cmpopts.IgnoreFields(rag.AnswerRecord{}, "CreatedAt", "MemberHash")); d != "" {
		t.Errorf("Answer (-want +got):\n%s", d)
	}
	if time.Since(got.CreatedAt) > time.Minute {
		t.Errorf("CreatedAt = %v, want now", got.CreatedAt)
	}
	if !regexp.MustCompile(memberHashPattern).MatchString(got.MemberHash) || strings.Contains(got.MemberHash, first.UserID) {
		t.Errorf("MemberHash = %q, want a hex HMAC, not the ID", got.MemberHash)
	}
	again, err := s.Answer(ctx, ids[3])
	if err != nil {
		t.Fatal(err)
	}
	if again.MemberHash != got.MemberHash {
		t.Errorf("one member's answers have hashes %q and %q, want the same", got.MemberHash, again.MemberHash)
	}
	if _, err := s.Answer(ctx, ids[3]+100); !errors.Is(err, rag.ErrNotFound) {
		t.Errorf("Answer of a missing id: %v, want rag.ErrNotFound", err)
	}

	threads := []struct {
		thread string
		n      int
		want   []int64
	}{
		{"t1", 5, []int64{ids[0], ids[1]}},
		{"t1", 1, []int64{ids[1]}},
		{"t2", 5, []int64{ids[3]}},
		{"c", 5, nil}, // asked there with /ask, which starts no conversation
		{"", 5, nil},
		{"t1", 0, nil},
	}
	for _, tt := range threads {
		got, err := s.ThreadAnswers(ctx, tt.thread, tt.n)
		if err != nil {
			t.Fatal(err)
		}
		var gotIDs []int64
		for _, a := range got {
			gotIDs = append(gotIDs, a.ID)
		}
		if d := cmp.Diff(tt.want, gotIDs); d != "" {
			t.Errorf("ThreadAnswers(%q, %d) ids (-want +got):\n%s", tt.thread, tt.n, d)
		}
	}
}

// TestAnswerWithoutMember: an answer a replica finished for a dead one,
// whose claim does not keep the member, is stored without a member hash,
// and its thread is a conversation like any other.
func TestAnswerWithoutMember(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t, Config{})
	id := mustSaveAnswer(t, s, rag.AnswerRecord{Question: "Repris ?", Answer: "Oui [1].", ThreadID: "t"})
	got, err := s.Answer(ctx, id)
	if err != nil || got.MemberHash != "" || got.Question != "Repris ?" {
		t.Errorf("Answer = %+v, %v; want it without a member hash", got, err)
	}
	if conv, err := s.ThreadAnswers(ctx, "t", 5); err != nil || len(conv) != 1 || conv[0].ID != id {
		t.Errorf("ThreadAnswers = %+v, %v; want the answer", conv, err)
	}
}

func TestSaveAnswerRejects(t *testing.T) {
	s := MustOpen(t, Config{})
	tests := []struct {
		name string
		edit func(*rag.AnswerRecord)
		want string
	}{
		{"blank member", func(a *rag.AnswerRecord) { a.UserID = " " }, "member's ID is blank"},
		{"NUL in question", func(a *rag.AnswerRecord) { a.Question = "a\x00b" }, "question: contains a NUL byte"},
		{"invalid UTF-8", func(a *rag.AnswerRecord) { a.Answer = "\xff" }, "answer: invalid UTF-8"},
		{"huge answer", func(a *rag.AnswerRecord) { a.Answer = strings.Repeat("a", maxStoredText+1) }, "answer: longer than"},
		{"huge thread id", func(a *rag.AnswerRecord) { a.ThreadID = strings.Repeat("1", maxStoredText+1) }, "thread id: longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := rag.AnswerRecord{Question: "q", Answer: "a", UserID: "u"}
			tt.edit(&a)
			_, err := s.SaveAnswer(context.Background(), a)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("SaveAnswer error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestPurgeAnswers(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t, Config{})
	old := mustSaveAnswer(t, s, rag.AnswerRecord{Question: "old", Answer: "a", ThreadID: "t", UserID: "u"})
	recent := mustSaveAnswer(t, s, rag.AnswerRecord{Question: "recent", Answer: "a", ThreadID: "t", UserID: "u"})
	for _, m := range []string{"m-old", "m-recent"} {
		if err := s.SaveFeedback(ctx, rag.Feedback{MessageID: m, UserID: "u", Vote: 1}); err != nil {
			t.Fatal(err)
		}
	}
	// Ten days old, by the database's clock.
	if _, err := s.pool.Exec(ctx, `UPDATE answers SET created_at = now() - interval '10 days' WHERE id = $1`, old); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `UPDATE feedback SET created_at = now() - interval '10 days' WHERE message_id = 'm-old'`); err != nil {
		t.Fatal(err)
	}

	answers, votes, err := s.PurgeAnswers(ctx, 7*24*time.Hour)
	if err != nil || answers != 1 || votes != 1 {
		t.Fatalf("PurgeAnswers = %d answers, %d votes, %v; want 1, 1", answers, votes, err)
	}
	if _, err := s.Answer(ctx, old); !errors.Is(err, rag.ErrNotFound) {
		t.Errorf("the old answer after the purge: %v, want rag.ErrNotFound", err)
	}
	if left, err := s.ThreadAnswers(ctx, "t", 10); err != nil || len(left) != 1 || left[0].ID != recent {
		t.Errorf("the thread after the purge = %+v, %v; want the recent answer only", left, err)
	}
	if fb, err := s.RecentFeedback(ctx, 10); err != nil || len(fb) != 1 || fb[0].MessageID != "m-recent" {
		t.Errorf("votes after the purge = %+v, %v; want the recent one only", fb, err)
	}
	if answers, votes, err := s.PurgeAnswers(ctx, 7*24*time.Hour); err != nil || answers+votes != 0 {
		t.Errorf("second PurgeAnswers = %d, %d, %v; want nothing left to purge", answers, votes, err)
	}
	if _, _, err := s.PurgeAnswers(ctx, 0); err == nil {
		t.Error("PurgeAnswers(0) succeeded, want an error: 0 is no retention")
	}
}

// TestMemberHashKey checks that stores sharing a database hash members
// alike without configuration, even when they need the key at the same
// moment, and that a configured key is used instead.
func TestMemberHashKey(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	open := func(cfg Config) *Store { return mustOpenAt(t, url, cfg) }
	const member = "1400000000000000001"
	stores := []*Store{open(Config{}), open(Config{}), open(Config{})}
	hashes := make([]string, len(stores))
	errs := make([]error, len(stores))
	var wg sync.WaitGroup
	for i, s := range stores {
		wg.Go(func() {
			id, err := s.SaveAnswer(ctx, rag.AnswerRecord{Question: "q", Answer: "a", UserID: member})
			if err == nil {
				var a rag.AnswerRecord
				a, err = s.Answer(ctx, id)
				hashes[i] = a.MemberHash
			}
			errs[i] = err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	for i, h := range hashes {
		if h == "" || h != hashes[0] {
			t.Errorf("store %d hashed the member as %q, store 0 as %q: want the same", i, h, hashes[0])
		}
	}
	var keys int
	if err := stores[0].pool.QueryRow(ctx, `SELECT count(*) FROM secrets`).Scan(&keys); err != nil || keys != 1 {
		t.Errorf("secrets rows = %d, %v; want the one key", keys, err)
	}

	key := strings.Repeat("k", MinMemberHashKey)
	configured := open(Config{MemberHashKey: key})
	got, err := configured.memberHash(ctx, member)
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(member))
	if want := hex.EncodeToString(mac.Sum(nil)); got != want || got == hashes[0] {
		t.Errorf("hash with MemberHashKey = %s, want HMAC-SHA256 with that key, %s", got, want)
	}
	if _, err := Open(ctx, url, Config{MemberHashKey: "short"}); err == nil || !strings.Contains(err.Error(), "MemberHashKey") {
		t.Errorf("Open with a short key: %v, want an error naming MemberHashKey", err)
	}
}

// TestVotesHashedOnUpgrade migrates a database that has votes stored with
// members' Discord IDs (before migration 0008): afterwards only hashes
// remain, and a member voting again on the same message still replaces
// the earlier vote, also when an older replica stored an ID meanwhile.
func TestVotesHashedOnUpgrade(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, pgtest.NewDatabase(t), Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	migs, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	var before []migration
	for _, m := range migs {
		if m.version < 8 {
			before = append(before, m)
		}
	}
	if _, err := s.migrate(ctx, before); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO feedback (message_id, user_id, question, vote) VALUES
		('m1', '1400000000000000001', 'q1', 1), ('m1', '1400000000000000002', 'q1', -1), ('m2', '1400000000000000001', 'q2', 1)`); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	fb, err := s.RecentFeedback(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	byMember := map[string]int{}
	for _, f := range fb {
		if !regexp.MustCompile(memberHashPattern).MatchString(f.MemberHash) {
			t.Errorf("vote on %s kept %q, want a hash", f.MessageID, f.MemberHash)
		}
		byMember[f.MemberHash]++
	}
	if len(fb) != 3 || len(byMember) != 2 {
		t.Fatalf("votes after the upgrade = %+v, want 3 by 2 members", fb)
	}
	// The first member changes their vote on m1: still one vote each.
	if err := s.SaveFeedback(ctx, rag.Feedback{MessageID: "m1", UserID: "1400000000000000001", Question: "q1", Vote: -1}); err != nil {
		t.Fatal(err)
	}
	if fb, err = s.RecentFeedback(ctx, 10); err != nil || len(fb) != 3 || fb[0].MessageID != "m1" || fb[0].Vote != -1 {
		t.Errorf("votes after voting again = %+v, %v; want 3, the changed one first", fb, err)
	}
	// A replica of an older dalil, still running, stores an ID on m1: the
	// vote cast since under the hash wins, and the rest is unchanged.
	if _, err := s.pool.Exec(ctx, `INSERT INTO feedback (message_id, member_hash, question, vote)
		VALUES ('m1', '1400000000000000001', 'q1', 1)`); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if again, err := s.RecentFeedback(ctx, 10); err != nil || !cmp.Equal(fb, again) {
		t.Errorf("votes after hashing the older replica's = %+v, %v; want them unchanged", again, err)
	}
}
