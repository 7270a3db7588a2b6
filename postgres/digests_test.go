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

	"github.com/dalil-news/dalil/digest"
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

// Render writes a digest as the fake channel shows it: one message
// listing each story's title and links, or a note on a day with nothing
// new. The bot's own rendering is tested in package bot.
func (p *fakePoster) Render(d digest.Digest) []string {
	if len(d.Stories) == 0 {
		if d.EmptyNote {
			return []string{"nothing new on " + d.Day.Format("Monday 2 January 2006")}
		}
		return nil
	}
	var b strings.Builder
	for _, st := range d.Stories {
		fmt.Fprintf(&b, "[%d] %s", st.N, st.Title)
		for _, a := range st.Articles {
			b.WriteString(" " + a.URL)
		}
		b.WriteString("\n")
	}
	return []string{b.String()}
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

func (p reconcilingPoster) FindPosted(ctx context.Context, rec digest.Record) ([]string, bool, error) {
	if p.found {
		return []string{"found-1"}, true, nil
	}
	return nil, false, nil
}

// crashingStore fails to record the end of a digest, as if the process
// died between posting and recording.
type crashingStore struct{ *postgres.Store }

func (crashingStore) FinishDigest(context.Context, digest.Record) error {
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

func newDigestEnv(t *testing.T, ch digest.Channel, articles int) *digestEnv {
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
func (e *digestEnv) scheduler(t *testing.T, store digest.Store, poster digest.Poster, late time.Duration) *digest.Scheduler {
	t.Helper()
	comp := digest.NewComposer(e.emb, nil, digest.ComposerConfig{})
	s, err := digest.NewScheduler(comp, store, poster, nil, digest.SchedulerConfig{
		ParseSchedule: func(spec string) (digest.Schedule, error) { return cron.ParseStandard(spec) },
		Now:           func() time.Time { return e.due.Add(late) },
		Grace:         3 * time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func record(t *testing.T, s *postgres.Store, channel string, period time.Time) digest.Record {
	t.Helper()
	rec, ok, err := s.DigestRecord(context.Background(), channel, period)
	if err != nil || !ok {
		t.Fatalf("digest record of %s at %v: ok %v err %v", channel, period, ok, err)
	}
	return rec
}

func TestSchedulersRacingPostOnce(t *testing.T) {
	e := newDigestEnv(t, digest.Channel{ChannelID: "c1"}, 3)
	ctx := context.Background()
	posters := []*fakePoster{{delay: 50 * time.Millisecond}, {delay: 50 * time.Millisecond}}
	var wg sync.WaitGroup
	for _, p := range posters {
		store := e.open(t)
		s := e.scheduler(t, store, p, time.Minute)
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
	if rec.Status != digest.Posted || len(rec.MessageIDs) != len(rec.Parts) || len(rec.Parts) == 0 {
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
		wantStatus digest.Status
		wantPosts  int
	}{
		{"no reconciler: unknown, never reposted", nil, digest.Unknown, 1},
		{"reconciler finds it: posted", boolPtr(true), digest.Posted, 1},
		{"reconciler sure it is absent: posted again", boolPtr(false), digest.Posted, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newDigestEnv(t, digest.Channel{ChannelID: "c1"}, 2)
			ctx := context.Background()
			store := e.open(t)
			channel := &fakePoster{}
			// First run: posts, then "dies" before recording.
			s := e.scheduler(t, crashingStore{store}, channel, time.Minute)
			if err := s.RunDue(ctx); err == nil || !strings.Contains(err.Error(), "crashed") {
				t.Fatalf("first run: %v, want the crash", err)
			}
			if rec := record(t, store, "c1", e.due); rec.Status != digest.Pending {
				t.Fatalf("after the crash: status %s, want pending", rec.Status)
			}
			// Restart: reconcile, then run the schedule a few times.
			var poster digest.Poster = channel
			if tt.reconciler != nil {
				poster = reconcilingPoster{channel, *tt.reconciler}
			}
			restarted := e.scheduler(t, e.open(t), poster, 2*time.Minute)
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
		wantStatus digest.Status
		wantPosts  int
	}{
		{"within grace: posted at start", 2*time.Hour + 59*time.Minute, digest.Posted, 1},
		{"beyond grace: skipped", 3*time.Hour + time.Minute, digest.Skipped, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newDigestEnv(t, digest.Channel{ChannelID: "c1"}, 1)
			store := e.open(t)
			p := &fakePoster{}
			s := e.scheduler(t, store, p, tt.late)
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
		status    digest.Status
	}{
		{"posts nothing", false, nil, digest.Empty},
		{"posts a note", true, [][]string{{"nothing new on %s"}}, digest.Posted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newDigestEnv(t, digest.Channel{ChannelID: "c1", EmptyNote: tt.note}, 0)
			store := e.open(t)
			p := &fakePoster{}
			if err := e.scheduler(t, store, p, time.Minute).RunDue(context.Background()); err != nil {
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
	e := newDigestEnv(t, digest.Channel{ChannelID: "c1"}, 0)
	store := e.open(t)
	ctx := context.Background()
	rec := digest.Record{ChannelID: "c1", Period: e.due, Status: digest.Pending, Parts: []string{"x"}}
	if err := store.BeginDigest(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if err := store.BeginDigest(ctx, rec); !errors.Is(err, digest.ErrExists) {
		t.Fatalf("second BeginDigest: %v, want ErrExists", err)
	}
	rec.Status = digest.Failed
	if err := store.FinishDigest(ctx, rec); err != nil {
		t.Fatal(err)
	}
	rec.Status = digest.Pending
	if err := store.BeginDigest(ctx, rec); err != nil {
		t.Fatalf("retry after a failure: %v", err)
	}
	if got := record(t, store, "c1", e.due); got.Attempts != 2 || got.Status != digest.Pending {
		t.Errorf("after retry: attempts %d status %s", got.Attempts, got.Status)
	}
	rec.Status = digest.Posted
	if err := store.FinishDigest(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if err := store.FinishDigest(ctx, rec); err == nil {
		t.Error("a posted digest was finished twice")
	}
}
