package main

import (
	"context"
	"fmt"

	"github.com/dalil-news/dalil/ingest"
	"github.com/dalil-news/dalil/internal/cliflags"
	"github.com/dalil-news/dalil/rag"
)

const summarizeSynopsis = `[--lang fr|en|ar] [--json] ARTICLE

Summarizes a stored article, given by id, URL or "latest": 3 to 5 cited
bullets with a chat model (CHAT_MODEL), else its lead and most central
sentences.`

func cmdSummarize(ctx context.Context, a *app, args []string) error {
	fs := cliflags.New(a.stdout, "summarize", summarizeSynopsis)
	lang := fs.String("lang", "", "language of the summary (default: the article's)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := cliflags.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return cliflags.UsageError(fs, "summarize: give one article: an id, a URL or \"latest\"")
	}
	if err := a.open(ctx); err != nil {
		return err
	}
	art, err := rag.ResolveArticle(ctx, a.store, pos[0], ingest.CanonicalURL)
	if err != nil {
		return err
	}
	sum, err := a.rag.Summarize(ctx, art.ID, *lang)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(a.stdout, struct {
			Article jsonArticle `json:"article"`
			Summary string      `json:"summary"`
			Mode    string      `json:"mode"`
			Parts   int         `json:"parts"`
			Note    string      `json:"note,omitempty"`
		}{toJSONArticle(sum.Article), sum.Text, sum.Mode, sum.Parts, sum.Note})
	}
	fmt.Fprintf(a.stdout, "%s\n\n%s\n\n[1] %s — %s\n", sum.Article.Title, sum.Text, sum.Article.Title, sourceLine(sum.Article))
	if sum.Note != "" {
		fmt.Fprintf(a.stderr, "note: %s\n", sum.Note)
	}
	return nil
}
