package rag

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ArticleFinder reads stored articles. Lookups of missing articles return
// an error wrapping ErrNotFound.
type ArticleFinder interface {
	Article(ctx context.Context, id int64) (Article, error)
	ArticleByURL(ctx context.Context, url string) (Article, error)
	// RecentArticles returns up to limit articles ingested at or after
	// since, newest first, without their text.
	RecentArticles(ctx context.Context, since time.Time, limit int) ([]Article, error)
}

// ResolveArticle finds the article that ref names, as people name one on
// the command line or in Discord: its id, its URL (normalized by canonical
// when it is not nil and accepts the URL) or "latest", the article
// ingested last (returned without its text). Any other ref, and a missing
// article, give an error wrapping ErrNotFound.
func ResolveArticle(ctx context.Context, f ArticleFinder, ref string, canonical func(string) (string, error)) (Article, error) {
	ref = strings.TrimSpace(ref)
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil && id > 0 {
		return f.Article(ctx, id)
	}
	switch {
	case ref == "latest":
		arts, err := f.RecentArticles(ctx, time.Time{}, 1)
		if err != nil {
			return Article{}, err
		}
		if len(arts) == 0 {
			return Article{}, fmt.Errorf("no article stored yet: %w", ErrNotFound)
		}
		return arts[0], nil
	case strings.HasPrefix(ref, "http://") || strings.HasPrefix(ref, "https://"):
		if canonical != nil {
			if u, err := canonical(ref); err == nil {
				ref = u
			}
		}
		return f.ArticleByURL(ctx, ref)
	}
	return Article{}, badReference(ref)
}

// badReference is a reference that is neither an id, a URL nor "latest".
// It is an ErrNotFound, with a message that says what a reference is.
type badReference string

func (r badReference) Error() string {
	return fmt.Sprintf("article %q: want an id, a URL or \"latest\"", string(r))
}

// Is makes errors.Is(err, ErrNotFound) hold.
func (badReference) Is(target error) bool { return target == ErrNotFound }
