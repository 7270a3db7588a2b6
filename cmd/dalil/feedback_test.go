package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dalil-news/dalil/internal/testing/pgtest"
	"github.com/dalil-news/dalil/postgres"
	"github.com/dalil-news/dalil/rag"
)

func TestFeedbackCommand(t *testing.T) {
	ctx := context.Background()
	dbURL := pgtest.NewDatabase(t)
	store, err := postgres.Open(ctx, dbURL, postgres.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string {
		if k == "DATABASE_URL" {
			return dbURL
		}
		return ""
	}
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"feedback"}, getenv, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "no feedback yet\n" {
		t.Errorf("empty table: %q", got)
	}
	votes := []rag.Feedback{
		{MessageID: "m1", UserID: "u1", Question: "Qui ?", Answer: "Elle [1].", Vote: 1,
			Citations: []rag.Citation{{N: 1, Article: rag.Article{ID: 4, Title: "Titre", URL: "https://news.example/a", Publisher: "Le Test"}}}},
		{MessageID: "m2", UserID: "u2", Question: "Quand ?", Answer: "Hier.", Vote: -1},
	}
	for _, v := range votes {
		if err := store.SaveFeedback(ctx, v); err != nil {
			t.Fatal(err)
		}
	}

	out.Reset()
	if err := run(ctx, []string{"feedback", "--json", "--limit", "5"}, getenv, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	var got struct{ Feedback []jsonFeedback }
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v:\n%s", err, out.String())
	}
	type brief struct {
		Message string
		Vote    int
		Cites   int
	}
	var briefs []brief
	members := map[string]bool{}
	for _, f := range got.Feedback {
		briefs = append(briefs, brief{f.MessageID, f.Vote, len(f.Citations)})
		members[f.MemberHash] = true
	}
	if d := cmp.Diff([]brief{{"m2", -1, 0}, {"m1", 1, 1}}, briefs); d != "" {
		t.Errorf("feedback --json, newest first (-want +got):\n%s", d)
	}
	// Members appear as keyed hashes, never as their Discord IDs.
	if len(members) != 2 || members["u1"] || members["u2"] || strings.Contains(out.String(), `"u1"`) {
		t.Errorf("feedback --json members = %v, want two hashes:\n%s", members, out.String())
	}

	out.Reset()
	if err := run(ctx, []string{"feedback", "--limit", "1"}, getenv, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"👎", "Q: Quand ?", "A: Hier.", "1 votes shown"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("feedback output lacks %q:\n%s", want, out.String())
		}
	}
	if err := run(ctx, []string{"feedback", "--limit", "0"}, getenv, &out, &errOut); err == nil || !strings.Contains(err.Error(), "--limit") {
		t.Errorf("--limit 0: %v, want an error naming --limit", err)
	}
}
