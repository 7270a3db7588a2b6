package rag_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dalil-news/dalil/rag"
)

// finder is an in-memory rag.ArticleFinder.
type finder []rag.Article

func (f finder) Article(_ context.Context, id int64) (rag.Article, error) {
	for _, a := range f {
		if a.ID == id {
			return a, nil
		}
	}
	return rag.Article{}, rag.ErrNotFound
}

func (f finder) ArticleByURL(_ context.Context, url string) (rag.Article, error) {
	for _, a := range f {
		if a.URL == url {
			return a, nil
		}
	}
	return rag.Article{}, rag.ErrNotFound
}

func (f finder) RecentArticles(_ context.Context, _ time.Time, limit int) ([]rag.Article, error) {
	return f[max(0, len(f)-limit):], nil
}

func TestResolveArticle(t *testing.T) {
	arts := finder{{ID: 1, URL: "https://a.example/one"}, {ID: 2, URL: "https://a.example/two"}}
	canonical := func(u string) (string, error) { return strings.TrimSuffix(u, "?utm_source=x"), nil }
	tests := []struct {
		name   string
		f      finder
		ref    string
		wantID int64 // 0: want an error wrapping rag.ErrNotFound
	}{
		{"id", arts, " 1 ", 1},
		{"latest", arts, "latest", 2},
		{"url", arts, "https://a.example/two", 2},
		{"canonical url", arts, "https://a.example/one?utm_source=x", 1},
		{"missing id", arts, "9", 0},
		{"zero id", arts, "0", 0},
		{"missing url", arts, "https://a.example/three", 0},
		{"neither id nor url", arts, "foo", 0},
		{"empty", arts, "", 0},
		{"latest of none", nil, "latest", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := rag.ResolveArticle(context.Background(), tt.f, tt.ref, canonical)
			switch {
			case tt.wantID == 0 && !errors.Is(err, rag.ErrNotFound):
				t.Errorf("ResolveArticle(%q) = %+v, %v; want rag.ErrNotFound", tt.ref, a, err)
			case tt.wantID != 0 && (err != nil || a.ID != tt.wantID):
				t.Errorf("ResolveArticle(%q) = article %d, %v; want article %d", tt.ref, a.ID, err, tt.wantID)
			}
		})
	}
}
