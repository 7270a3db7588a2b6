package bot

import (
	"context"
	"errors"
	"time"

	"github.com/dalil-news/dalil/nlp"
	"github.com/dalil-news/dalil/phrases"
	"github.com/dalil-news/dalil/rag"
)

// handleSummarize answers /summarize article (id, URL or "latest"): a
// deferred response, then the summary from a worker, with the article as
// its source.
func (b *Bot) handleSummarize(ctx context.Context, r *request, ref string) {
	if ok, no := b.allow(ctx, r.userID(), r.i.GuildID); !ok {
		b.metrics.questions.WithLabelValues("summarize", "rate_limited").Inc()
		b.report(ctx, r.respond(ctx, no.text(r.lang), true))
		return
	}
	a, err := rag.ResolveArticle(ctx, b.deps.Articles, ref, b.deps.CanonicalURL)
	if err != nil {
		if errors.Is(err, rag.ErrNotFound) {
			b.report(ctx, r.respond(ctx, phrases.Text(r.lang, phrases.UnknownArticle, escapeMarkdown(nlp.Truncate(ref, 200))), true))
		} else {
			b.adminFailed(ctx, r, "find the article to summarize", err)
		}
		return
	}
	start := time.Now()
	if err := r.deferReply(ctx, false); err != nil {
		b.report(ctx, err)
		return
	}
	b.enqueue(ctx, &askJob{
		source: "summarize", question: "/summarize " + ref, uiLang: r.lang,
		userID: r.userID(), guildID: r.i.GuildID, channel: r.i.ChannelID, reply: r, start: start, claim: r.claim,
		do: func(ctx context.Context, _ func(string)) (rag.Answer, error) {
			sum, err := b.deps.Summarizer.Summarize(ctx, a.ID, "")
			if err != nil {
				return rag.Answer{}, err
			}
			return rag.Answer{
				Found:     true,
				Text:      "**" + escapeMarkdown(nlp.Truncate(sum.Article.Title, 250)) + "**\n\n" + sum.Text,
				Citations: []rag.Citation{{N: 1, Article: sum.Article}},
				Mode:      sum.Mode,
				Note:      sum.Note,
				Usage:     sum.Usage,
			}, nil
		},
	})
}
