package rag_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/robfig/cron/v3"

	"github.com/dalil-news/dalil/embeddings"
	goldenfile "github.com/dalil-news/dalil/internal/testing/golden"
	"github.com/dalil-news/dalil/rag"
)

func parseSchedule(spec string) (rag.Schedule, error) { return cron.ParseStandard(spec) }

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestCronSpec(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{in: "", want: "0 8 * * *"},
		{in: "08:00", want: "0 8 * * *"},
		{in: "7h30", want: "30 7 * * *"},
		{in: " 0  8 * * 1-5 ", want: "0 8 * * 1-5"},
		{in: "@daily", want: "@daily"},
		{in: "25:00", err: "want a time of day"},
		{in: "CRON_TZ=Europe/Paris 0 8 * * *", err: "time zone separately"},
		{in: "tomorrow", err: "want a time of day"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := rag.CronSpec(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("CronSpec(%q) = %q, %v; want error with %q", tt.in, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("CronSpec(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

// TestLatestDue checks the schedule across time zones and DST changes:
// Casablanca leaves UTC+1 for UTC+0 during Ramadan (2024-03-10 to
// 2024-04-14), Paris springs forward on 2024-03-31, New York on 2024-03-10
// (02:30 does not exist that day).
func TestLatestDue(t *testing.T) {
	tests := []struct {
		name, spec, tz string
		after, now     string
		want           string // "" when nothing is due
	}{
		{"casablanca before ramadan", "0 8 * * *", "Africa/Casablanca", "2024-03-08T12:00:00Z", "2024-03-09T09:00:00Z", "2024-03-09T07:00:00Z"},
		{"casablanca during ramadan", "0 8 * * *", "Africa/Casablanca", "2024-03-19T12:00:00Z", "2024-03-20T09:00:00Z", "2024-03-20T08:00:00Z"},
		{"casablanca not yet", "0 8 * * *", "Africa/Casablanca", "2024-03-20T08:00:00Z", "2024-03-21T07:59:00Z", ""},
		{"paris winter", "0 8 * * *", "Europe/Paris", "2024-03-29T12:00:00Z", "2024-03-30T12:00:00Z", "2024-03-30T07:00:00Z"},
		{"paris spring forward", "0 8 * * *", "Europe/Paris", "2024-03-30T12:00:00Z", "2024-03-31T12:00:00Z", "2024-03-31T06:00:00Z"},
		{"new york missing hour", "30 2 * * *", "America/New_York", "2024-03-09T12:00:00Z", "2024-03-10T12:00:00Z", ""},
		{"new york fall back fires once", "30 1 * * *", "America/New_York", "2024-11-03T04:00:00Z", "2024-11-03T12:00:00Z", "2024-11-03T05:30:00Z"},
		{"new york repeated hour after the first", "30 1 * * *", "America/New_York", "2024-11-03T05:30:00Z", "2024-11-03T12:00:00Z", ""},
		{"tokyo weekdays on saturday", "0 8 * * 1-5", "Asia/Tokyo", "2024-03-10T00:00:00Z", "2024-03-16T03:00:00Z", "2024-03-14T23:00:00Z"},
		{"latest of several missed", "0 8 * * *", "UTC", "2024-03-01T09:00:00Z", "2024-03-05T09:00:00Z", "2024-03-05T08:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sched, err := parseSchedule(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			after, _ := time.Parse(time.RFC3339, tt.after)
			now, _ := time.Parse(time.RFC3339, tt.now)
			due, ok := rag.LatestDue(sched, mustLoc(t, tt.tz), after, now)
			got := ""
			if ok {
				got = due.UTC().Format(time.RFC3339)
			}
			if got != tt.want {
				t.Errorf("LatestDue = %q, want %q", got, tt.want)
			}
		})
	}
}

func loadArticles(t *testing.T) []rag.Article {
	t.Helper()
	b, err := os.ReadFile("testdata/digest/articles.json")
	if err != nil {
		t.Fatal(err)
	}
	var arts []rag.Article
	if err := json.Unmarshal(b, &arts); err != nil {
		t.Fatal(err)
	}
	for i := range arts {
		arts[i].ID = int64(i + 1)
		arts[i].IngestedAt = time.Date(2024, 3, 14, 9, 0, 0, 0, time.UTC)
	}
	return arts
}

func TestGroupStories(t *testing.T) {
	arts := loadArticles(t)
	emb := embeddings.NewOffline(embeddings.OfflineConfig{})
	svc := rag.NewService(nil, emb, nil, rag.Config{})
	d, err := svc.ComposeDigest(context.Background(), arts, rag.DigestOptions{Lang: "en", Day: time.Date(2024, 3, 14, 8, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	var got [][]string
	for _, st := range d.Stories {
		var pubs []string
		for _, a := range st.Articles {
			pubs = append(pubs, a.Publisher)
		}
		got = append(got, append([]string{st.Title}, pubs...))
	}
	// Two-publisher stories first (the more recent first), then singles,
	// most recent first; each story's lead is its earliest article.
	want := [][]string{
		{"Morocco unveils national AI strategy to train 100,000 young people by 2030", "Example News", "Daily Herald"},
		{"Rainfall 30% below average this winter, drought feared", "Example News", "Example Wire"},
		{"City council approves the 2024 budget after a long debate", "Daily Herald"},
		{"Football: national team wins friendly against Ghana", "Example Wire"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stories (-want +got):\n%s", diff)
	}
}

func TestSameStory(t *testing.T) {
	tests := []struct {
		cos, title float64
		want       bool
	}{
		{0.90, 0, true},
		{0.70, 0.59, true},
		{0.70, 0.10, false},
		{0.20, 0.80, false},
	}
	for _, tt := range tests {
		if got := rag.SameStory(tt.cos, tt.title); got != tt.want {
			t.Errorf("SameStory(%v, %v) = %v, want %v", tt.cos, tt.title, got, tt.want)
		}
	}
}

// golden compares got with testdata/digest/name.golden (-update rewrites it).
func golden(t *testing.T, name string, got string) {
	t.Helper()
	goldenfile.Assert(t, filepath.Join("testdata", "digest", name+".golden"), []byte(got))
}

// joinParts shows messages as the dry run prints them.
func joinParts(parts []string) string {
	var b strings.Builder
	for i, p := range parts {
		b.WriteString("----- message " + string(rune('1'+i)) + " -----\n" + p + "\n")
	}
	return b.String()
}

// chatServer is a local OpenAI-compatible chat completions endpoint that
// answers with reply(the last user message).
func chatServer(t *testing.T, reply func(user string) string) rag.Chat {
	t.Helper()
	_, c := newChat(t, func(r chatRequest) string { return reply(r.Messages[len(r.Messages)-1].Content) })
	return c
}

func TestDigestGolden(t *testing.T) {
	arts := loadArticles(t)
	emb := embeddings.NewOffline(embeddings.OfflineConfig{})
	day := time.Date(2024, 3, 14, 8, 0, 0, 0, mustLoc(t, "Africa/Casablanca"))
	intro := func(string) string {
		return "Morocco presented an AI strategy to train 100,000 young people by 2030 [1]. Winter rainfall was 30% below average [2][9]. Nothing else matters."
	}
	tests := []struct {
		name string
		chat rag.Chat
		opt  rag.DigestOptions
		arts []rag.Article
	}{
		{"extractive_en", nil, rag.DigestOptions{Lang: "en", Day: day}, arts},
		{"llm_fr", chatServer(t, intro), rag.DigestOptions{Lang: "fr", Day: day}, arts},
		{"capped_small_messages", nil, rag.DigestOptions{Lang: "en", Day: day, MaxStories: 3, MessageLimit: 300}, arts},
		{"empty_note_ar", nil, rag.DigestOptions{Lang: "ar", Day: day, EmptyNote: true}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := rag.NewService(nil, emb, tt.chat, rag.Config{})
			d, err := svc.ComposeDigest(context.Background(), tt.arts, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			limit := tt.opt.MessageLimit
			if limit == 0 {
				limit = 2000
			}
			for i, p := range d.Parts {
				if n := utf8.RuneCountInString(p); n > limit {
					t.Errorf("message %d has %d characters, over %d", i+1, n, limit)
				}
			}
			golden(t, tt.name, joinParts(d.Parts))
		})
	}
}

func TestDigestNothingNew(t *testing.T) {
	svc := rag.NewService(nil, embeddings.NewOffline(embeddings.OfflineConfig{}), nil, rag.Config{})
	d, err := svc.ComposeDigest(context.Background(), nil, rag.DigestOptions{Day: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Parts) != 0 {
		t.Errorf("parts = %q, want none", d.Parts)
	}
}

func TestSplitMessages(t *testing.T) {
	long := strings.Repeat("word ", 30) // 150 characters
	tests := []struct {
		name   string
		blocks []string
		limit  int
		want   []string
	}{
		{"packed", []string{"a", "b", "c"}, 10, []string{"a\n\nb\n\nc"}},
		{"split between blocks", []string{"aaaa", "bbbb", "cccc"}, 10, []string{"aaaa\n\nbbbb", "cccc"}},
		{"block split at lines", []string{"l1\nline2\nline3"}, 8, []string{"l1\nline2", "line3"}},
		{"long line split at spaces", []string{long}, 60, []string{
			strings.TrimSpace(strings.Repeat("word ", 12)), strings.TrimSpace(strings.Repeat("word ", 12)), strings.TrimSpace(strings.Repeat("word ", 6)),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rag.SplitMessages(tt.blocks, tt.limit)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("SplitMessages (-want +got):\n%s", diff)
			}
		})
	}
}
