package rag_test

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/dalil-news/dalil/rag"
)

// loadArticles reads the summary tests' articles, ingested on 2024-03-14.
func loadArticles(t *testing.T) []rag.Article {
	t.Helper()
	b, err := os.ReadFile("testdata/summarize/articles.json")
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

// chatServer is a local OpenAI-compatible chat completions endpoint that
// answers with reply(the last user message).
func chatServer(t *testing.T, reply func(user string) string) rag.Chat {
	t.Helper()
	_, c := newChat(t, func(r chatRequest) string { return reply(r.Messages[len(r.Messages)-1].Content) })
	return c
}
