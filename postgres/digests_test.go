package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/robfig/cron/v3"

	"github.com/dalil-news/dalil/embeddings"
	"github.com/dalil-news/dalil/internal/testing/pgtest"
	"github.com/dalil-news/dalil/postgres"
	"github.com/dalil-news/dalil/rag"
)

// fakePoster records what it posts, like a Discord channel would.
type fakePoster struct {
	mu    sync.Mutex
	posts [][]string
	delay time.Duration
}

func (p *fakePoster) Post(ctx context.Context, channelID string, parts []string) ([]string, error) {
	time.Sleep(p.delay)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.posts = append(p.posts, parts)
	ids := make([]string, len(parts))
	for i := range parts {
		ids[i] = fmt.Sprintf("%s-%d-%d", channelID, len(p.posts), i+1)
	}
	return ids, nil
}

func (p *fakePoster) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.posts)
}

// reconcilingPoster can tell whether a pending digest reached the channel.
type reconcilingPoster struct {
	*fakePoster
	found bool
}

func (p reconcilingPoster) FindPosted(ctx context.Context, rec rag.DigestRecord) ([]string, bool, error) {
	if p.found {
		return []string{"found-1"}, true, nil
	}
	return nil, false, nil
}

// crashingStore fails to record the end of a digest, as if the process
// died between posting and recording.
type crashingStore struct{ *postgres.Store }

func (crashingStore) FinishDigest(context.Context, rag.DigestRecord) error {
	return errors.New("crashed before recording")
}

// digestEnv is a database with articles ingested now and a channel whose
// digest fell due a minute ago (in real time: ingestion times come from
// the database).
type digestEnv struct {
	url string
	due time.Time
	emb rag.Embedder
}

func newDigestEnv(t *testing.T, ch rag.DigestChannel, articles int) *digestEnv {
	t.Helper()
	ctx := context.Background()
	e := &digestEnv{url: pgtest.NewDatabase(t), emb: embeddings.NewOffline(embeddings.OfflineConfig{})}
	store := e.open(t)
	if err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := store.EnsureEmbedder(ctx, e.emb.Name(), e.emb.Dimensions()); err != nil {
		t.Fatal(err)
	}
	svc := rag.NewService(store, e.emb, nil, rag.Config{})
	for i := 0; i < articles; i++ {
		_, err := svc.Ingest(ctx, rag.Article{
			Title: fmt.Sprintf("Story number %d about topic %d", i, i*7), URL: fmt.Sprintf("https://example.com/%d", i),
			Publisher: "Example", Lang: "en", Text: fmt.Sprintf("This is the text of story %d, written for the digest tests, about subject %d.", i, i*31),
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// Due at the next whole minute, two minutes after the articles.
	e.due = time.Now().UTC().Add(2 * time.Minute).Truncate(time.Minute)
	ch.Schedule = fmt.Sprintf("%02d:%02d", e.due.Hour(), e.due.Minute())
	ch.TimeZone = "UTC"
	ch.Enabled = true
	if _, err := store.SetDigestChannel(ctx, ch); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *digestEnv) open(t *testing.T) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), e.url, postgres.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// scheduler returns a scheduler on its own connection pool (a replica)
// whose clock reads due+late.
func (e *digestEnv) scheduler(t *testing.T, store rag.DigestStore, svcStore *postgres.Store, poster rag.Poster, late time.Duration) *rag.Scheduler {
	t.Helper()
	svc := rag.NewService(svcStore, e.emb, nil, rag.Config{})
	s, err := rag.NewScheduler(svc, store, poster, nil, rag.SchedulerConfig{
		ParseSchedule: func(spec string) (rag.Schedule, error) { return cron.ParseStandard(spec) },
		Now:           func() time.Time { return e.due.Add(late) },
		Grace:         3 * time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func record(t *testing.T, s *postgres.Store, channel string, period time.Time) rag.DigestRecord {
	t.Helper()
	rec, ok, err := s.DigestRecord(context.Background(), channel, period)
	if err != nil || !ok {
		t.Fatalf("digest record of %s at %v: ok %v err %v", channel, period, ok, err)
	}
	return rec
}

func TestSchedulersRacingPostOnce(t *testing.T) {
	e := newDigestEnv(t, rag.DigestChannel{ChannelID: "c1"}, 3)
	ctx := context.Background()
	posters := []*fakePoster{{delay: 50 * time.Millisecond}, {delay: 50 * time.Millisecond}}
	var wg sync.WaitGroup
	for _, p := range posters {
		store := e.open(t)
		s := e.scheduler(t, store, store, p, time.Minute)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				if err := s.RunDue(ctx); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if got := posters[0].count() + posters[1].count(); got != 1 {
		t.Fatalf("%d digests posted by two racing schedulers, want 1", got)
	}
	rec := record(t, e.open(t), "c1", e.due)
	if rec.Status != rag.DigestPosted || len(rec.MessageIDs) != len(rec.Parts) || len(rec.Parts) == 0 {
		t.Errorf("record: status %s, %d ids for %d parts", rec.Status, len(rec.MessageIDs), len(rec.Parts))
	}
	if !strings.Contains(strings.Join(rec.Parts, "\n"), "https://example.com/2") {
		t.Errorf("digest parts miss the articles: %q", rec.Parts)
	}
}

func TestCrashAfterPostingDoesNotPostTwice(t *testing.T) {
	tests := []struct {
		name       string
		reconciler *bool
		wantStatus rag.DigestStatus
		wantPosts  int
	}{
		{"no reconciler: unknown, never reposted", nil, rag.DigestUnknown, 1},
		{"reconciler finds it: posted", boolPtr(true), rag.DigestPosted, 1},
		{"reconciler sure it is absent: posted again", boolPtr(false), rag.DigestPosted, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newDigestEnv(t, rag.DigestChannel{ChannelID: "c1"}, 2)
			ctx := context.Background()
			store := e.open(t)
			channel := &fakePoster{}
			// First run: posts, then "dies" before recording.
			s := e.scheduler(t, crashingStore{store}, store, channel, time.Minute)
			if err := s.RunDue(ctx); err == nil || !strings.Contains(err.Error(), "crashed") {
				t.Fatalf("first run: %v, want the crash", err)
			}
			if rec := record(t, store, "c1", e.due); rec.Status != rag.DigestPending {
				t.Fatalf("after the crash: status %s, want pending", rec.Status)
			}
			// Restart: reconcile, then run the schedule a few times.
			var poster rag.Poster = channel
			if tt.reconciler != nil {
				poster = reconcilingPoster{channel, *tt.reconciler}
			}
			restarted := e.scheduler(t, e.open(t), store, poster, 2*time.Minute)
			if err := restarted.Reconcile(ctx); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 3; i++ {
				if err := restarted.RunDue(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if got := channel.count(); got != tt.wantPosts {
				t.Errorf("%d posts, want %d", got, tt.wantPosts)
			}
			if rec := record(t, store, "c1", e.due); rec.Status != tt.wantStatus {
				t.Errorf("status %s, want %s (note %q)", rec.Status, tt.wantStatus, rec.Note)
			}
		})
	}
}

func boolPtr(b bool) *bool { return &b }

func TestMissedDigestWindow(t *testing.T) {
	tests := []struct {
		name       string
		late       time.Duration
		wantStatus rag.DigestStatus
		wantPosts  int
	}{
		{"within grace: posted at start", 2*time.Hour + 59*time.Minute, rag.DigestPosted, 1},
		{"beyond grace: skipped", 3*time.Hour + time.Minute, rag.DigestSkipped, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newDigestEnv(t, rag.DigestChannel{ChannelID: "c1"}, 1)
			store := e.open(t)
			p := &fakePoster{}
			s := e.scheduler(t, store, store, p, tt.late)
			for i := 0; i < 2; i++ {
				if err := s.RunDue(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			if got := p.count(); got != tt.wantPosts {
				t.Errorf("%d posts, want %d", got, tt.wantPosts)
			}
			if rec := record(t, store, "c1", e.due); rec.Status != tt.wantStatus {
				t.Errorf("status %s, want %s", rec.Status, tt.wantStatus)
			}
		})
	}
}

func TestNothingNew(t *testing.T) {
	tests := []struct {
		name      string
		note      bool
		wantPosts [][]string
		status    rag.DigestStatus
	}{
		{"posts nothing", false, nil, rag.DigestEmpty},
		{"posts a note", true, [][]string{{"**Daily digest — %s** · Nothing new since the last digest."}}, rag.DigestPosted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newDigestEnv(t, rag.DigestChannel{ChannelID: "c1", EmptyNote: tt.note}, 0)
			store := e.open(t)
			p := &fakePoster{}
			if err := e.scheduler(t, store, store, p, time.Minute).RunDue(context.Background()); err != nil {
				t.Fatal(err)
			}
			for _, post := range tt.wantPosts {
				post[0] = fmt.Sprintf(post[0], e.due.Format("Monday 2 January 2006"))
			}
			if diff := cmp.Diff(tt.wantPosts, p.posts); diff != "" {
				t.Errorf("posts (-want +got):\n%s", diff)
			}
			if rec := record(t, store, "c1", e.due); rec.Status != tt.status {
				t.Errorf("status %s, want %s", rec.Status, tt.status)
			}
		})
	}
}

func TestBeginDigestUniquePeriod(t *testing.T) {
	e := newDigestEnv(t, rag.DigestChannel{ChannelID: "c1"}, 0)
	store := e.open(t)
	ctx := context.Background()
	rec := rag.DigestRecord{ChannelID: "c1", Period: e.due, Status: rag.DigestPending, Parts: []string{"x"}}
	if err := store.BeginDigest(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if err := store.BeginDigest(ctx, rec); !errors.Is(err, rag.ErrDigestExists) {
		t.Fatalf("second BeginDigest: %v, want ErrDigestExists", err)
	}
	rec.Status = rag.DigestFailed
	if err := store.FinishDigest(ctx, rec); err != nil {
		t.Fatal(err)
	}
	rec.Status = rag.DigestPending
	if err := store.BeginDigest(ctx, rec); err != nil {
		t.Fatalf("retry after a failure: %v", err)
	}
	if got := record(t, store, "c1", e.due); got.Attempts != 2 || got.Status != rag.DigestPending {
		t.Errorf("after retry: attempts %d status %s", got.Attempts, got.Status)
	}
	rec.Status = rag.DigestPosted
	if err := store.FinishDigest(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if err := store.FinishDigest(ctx, rec); err == nil {
		t.Error("a posted digest was finished twice")
	}
}
