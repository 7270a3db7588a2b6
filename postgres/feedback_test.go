package postgres

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/dalil-news/dalil/rag"
)

func TestFeedback(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t, Config{})
	cite := rag.Citation{N: 1, ChunkID: 7, Quote: "Le ministre a annoncé.", Article: rag.Article{
		ID: 3, Title: "Annonce", URL: "https://example.com/a", Publisher: "Le Test",
		Published: time.Date(2023, 10, 24, 0, 0, 0, 0, time.UTC), Lang: "fr", Text: "not stored",
	}}
	first := rag.Feedback{GuildID: "g", ChannelID: "c", MessageID: "m1", AnswerID: 42, UserID: "u1", Question: "Quoi ?", Answer: "Ceci [1].", Citations: []rag.Citation{cite}, Vote: 1}
	other := rag.Feedback{MessageID: "m1", UserID: "u2", Question: "Quoi ?", Answer: "Ceci [1].", Vote: -1}
	for _, f := range []rag.Feedback{first, other} {
		if err := s.SaveFeedback(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	// u1 changes their mind: one row, the new vote, now the most recent.
	changed := first
	changed.Vote = -1
	if err := s.SaveFeedback(ctx, changed); err != nil {
		t.Fatal(err)
	}
	got, err := s.RecentFeedback(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	stored := cite
	stored.Article.Text = ""
	hash := func(userID string) string {
		h, err := s.memberHash(ctx, userID)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	// The members' IDs are stored and read back as keyed hashes only.
	want := []rag.Feedback{
		{GuildID: "g", ChannelID: "c", MessageID: "m1", AnswerID: 42, MemberHash: hash("u1"), Question: "Quoi ?", Answer: "Ceci [1].", Citations: []rag.Citation{stored}, Vote: -1},
		{MessageID: "m1", MemberHash: hash("u2"), Question: "Quoi ?", Answer: "Ceci [1].", Citations: []rag.Citation{}, Vote: -1},
	}
	opts := cmp.Options{cmpopts.IgnoreFields(rag.Feedback{}, "ID", "CreatedAt"), cmpopts.EquateEmpty()}
	if d := cmp.Diff(want, got, opts); d != "" {
		t.Errorf("RecentFeedback (-want +got):\n%s", d)
	}
	for _, f := range got {
		if f.ID == 0 || time.Since(f.CreatedAt) > time.Minute {
			t.Errorf("feedback %+v: want an id and a recent time", f)
		}
	}
	one, err := s.RecentFeedback(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(one) != 1 || one[0].MemberHash != hash("u1") {
		t.Errorf("RecentFeedback(1) = %+v, want u1's changed vote", one)
	}
}

func TestFeedbackRejects(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t, Config{})
	ok := rag.Feedback{MessageID: "m", UserID: "u", Vote: 1}
	tests := []struct {
		name string
		edit func(*rag.Feedback)
		want string
	}{
		{"zero vote", func(f *rag.Feedback) { f.Vote = 0 }, "neither 1 nor -1"},
		{"vote 2", func(f *rag.Feedback) { f.Vote = 2 }, "neither 1 nor -1"},
		{"no message", func(f *rag.Feedback) { f.MessageID = " " }, "required"},
		{"no user", func(f *rag.Feedback) { f.UserID = "" }, "required"},
		{"NUL in question", func(f *rag.Feedback) { f.Question = "a\x00b" }, "question: contains a NUL byte"},
		{"invalid UTF-8", func(f *rag.Feedback) { f.Answer = "\xff" }, "answer: invalid UTF-8"},
		{"huge answer", func(f *rag.Feedback) { f.Answer = strings.Repeat("a", maxStoredText+1) }, "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := ok
			tt.edit(&f)
			err := s.SaveFeedback(ctx, f)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("SaveFeedback = %v, want an error containing %q", err, tt.want)
			}
		})
	}
	if _, err := s.RecentFeedback(ctx, 0); err == nil {
		t.Error("RecentFeedback(0) succeeded, want an error")
	}
	got, err := s.RecentFeedback(ctx, 5)
	if err != nil || len(got) != 0 {
		t.Errorf("RecentFeedback after rejected votes = %v, %v; want none", got, err)
	}
}
