package eval

import (
	"context"
	"fmt"
	"time"

	"github.com/dalil-news/dalil/rag"
)

// System is what an evaluation questions: dalil's rag.Service.
type System interface {
	Search(ctx context.Context, query string, opt rag.SearchOptions) ([]rag.Passage, error)
	Ask(ctx context.Context, q rag.Question) (rag.Answer, error)
}

// ArticleReader reads a stored article, to check the quotes of its
// citations.
type ArticleReader interface {
	Article(ctx context.Context, id int64) (rag.Article, error)
}

// Config tunes Run.
type Config struct {
	K        int                   // passages retrieved per answerable question
	Mode     string                // the answer mode (rag.Question.Mode)
	Progress func(done, total int) // called after each question; may be nil
}

// Run puts every question to sys: an answerable one is searched (its rank
// among cfg.K passages) and asked; an unanswerable one only asked. Each
// answer's citations are checked against the cited articles' text, read
// from articles; an answerable question's answer also for citing an
// expected article. It returns the scores by kind, sorted by kind, and
// stops at the first error, which names the question.
func Run(ctx context.Context, sys System, articles ArticleReader, qs []Question, cfg Config) ([]*Kind, error) {
	kinds := Kinds{}
	articleText := map[int64]string{}
	for i, q := range qs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		kk := kinds.Of(q.Kind)
		if len(q.ExpectedURLs) > 0 {
			ps, err := sys.Search(ctx, q.Text, rag.SearchOptions{K: cfg.K, Lang: q.Lang})
			if err != nil {
				return nil, fmt.Errorf("eval %s: %w", q.ID, err)
			}
			arts := make([]rag.Article, len(ps))
			for j, p := range ps {
				arts[j] = p.Article
			}
			kk.AddRank(Rank(arts, q.ExpectedURLs))
		}
		start := time.Now()
		ans, err := sys.Ask(ctx, rag.Question{Text: q.Text, Lang: q.Lang, Mode: cfg.Mode})
		if err != nil {
			return nil, fmt.Errorf("eval %s: %w", q.ID, err)
		}
		kk.AddAnswer(ans, time.Since(start), q.Answers)
		if len(q.ExpectedURLs) > 0 {
			kk.AddCitesExpected(ans, q.ExpectedURLs)
		}
		for _, c := range ans.Citations {
			text, ok := articleText[c.Article.ID]
			if !ok {
				art, err := articles.Article(ctx, c.Article.ID)
				if err != nil {
					return nil, fmt.Errorf("eval %s: citation [%d]: %w", q.ID, c.N, err)
				}
				text = art.Text
				articleText[c.Article.ID] = text
			}
			kk.AddCitation(c.Quote, text)
		}
		if cfg.Progress != nil {
			cfg.Progress(i+1, len(qs))
		}
	}
	return kinds.Finish(), nil
}
