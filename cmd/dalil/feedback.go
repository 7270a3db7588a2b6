package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dalil-news/dalil/nlp"
)

const feedbackSynopsis = `[--limit N] [--json]

Lists the most recent 👍/👎 votes members gave the bot's answers in Discord,
newest first, with the question, the answer and its sources, for review.`

// jsonFeedback is a vote as 'dalil feedback --json' prints it.
type jsonFeedback struct {
	Time      string         `json:"time"`
	Vote      int            `json:"vote"`
	GuildID   string         `json:"guild_id"`
	ChannelID string         `json:"channel_id"`
	MessageID string         `json:"message_id"`
	UserID    string         `json:"user_id"`
	Question  string         `json:"question"`
	Answer    string         `json:"answer"`
	Citations []jsonCitation `json:"citations"`
}

type jsonCitation struct {
	N       int         `json:"n"`
	Article jsonArticle `json:"article"`
}

func cmdFeedback(ctx context.Context, a *app, args []string) error {
	fs := newFlags(a, "feedback", feedbackSynopsis)
	limit := fs.Int("limit", 20, "number of votes to list")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("feedback: unexpected arguments %q", pos)
	}
	if *limit <= 0 || *limit > 10000 {
		return errors.New("feedback: --limit must be between 1 and 10000")
	}
	if err := a.openStore(ctx); err != nil {
		return err
	}
	votes, err := a.store.RecentFeedback(ctx, *limit)
	if err != nil {
		return err
	}
	if *asJSON {
		out := struct {
			Feedback []jsonFeedback `json:"feedback"`
		}{Feedback: []jsonFeedback{}}
		for _, v := range votes {
			jf := jsonFeedback{
				Time: v.CreatedAt.UTC().Format(time.RFC3339), Vote: v.Vote, GuildID: v.GuildID, ChannelID: v.ChannelID,
				MessageID: v.MessageID, UserID: v.UserID, Question: v.Question, Answer: v.Answer, Citations: []jsonCitation{},
			}
			for _, c := range v.Citations {
				jf.Citations = append(jf.Citations, jsonCitation{N: c.N, Article: toJSONArticle(c.Article)})
			}
			out.Feedback = append(out.Feedback, jf)
		}
		return writeJSON(a.stdout, out)
	}
	if len(votes) == 0 {
		fmt.Fprintln(a.stdout, "no feedback yet")
		return nil
	}
	for i, v := range votes {
		if i > 0 {
			fmt.Fprintln(a.stdout)
		}
		mark := "👍"
		if v.Vote < 0 {
			mark = "👎"
		}
		fmt.Fprintf(a.stdout, "%s %s  user %s  message %s\n", mark, v.CreatedAt.In(a.cfg.TimeZone).Format("2006-01-02 15:04"), v.UserID, v.MessageID)
		fmt.Fprintf(a.stdout, "  Q: %s\n  A: %s\n", nlp.OneLine(v.Question, 200), nlp.OneLine(v.Answer, 300))
		for _, c := range v.Citations {
			fmt.Fprintf(a.stdout, "  [%d] %s — %s\n", c.N, nlp.OneLine(c.Article.Title, 100), sourceLine(c.Article))
		}
	}
	fmt.Fprintf(a.stdout, "\n%d votes shown (--limit %d)\n", len(votes), *limit)
	return nil
}
