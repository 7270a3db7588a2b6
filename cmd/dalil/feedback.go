package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dalil-news/dalil/insights"
	"github.com/dalil-news/dalil/internal/cliflags"
	"github.com/dalil-news/dalil/internal/config"
)

const feedbackSynopsis = `[--limit N] [--json] | export --jsonl [--since D] [--down]

Lists the most recent 👍/👎 votes members gave the bot's answers in Discord,
newest first, with the question, the answer and its sources, for review.
'export --jsonl' writes the voted questions as 'dalil eval --questions'
reads them, one per answer, decided by its votes' majority: more 👍 on an
answer from the archive: kind "feedback", expected_urls its cited URLs;
more 👍 on "not found": kind "feedback-none", no expected_urls; more 👎 on
an answer from the archive, with --down only: kind "feedback-down", no
expected_urls (it should have been "not found"; review these). Other
answers are skipped, as the summary on stderr counts.`

// jsonFeedback is a vote as 'dalil feedback --json' prints it.
type jsonFeedback struct {
	Time       string         `json:"time"`
	Vote       int            `json:"vote"`
	GuildID    string         `json:"guild_id"`
	ChannelID  string         `json:"channel_id"`
	MessageID  string         `json:"message_id"`
	MemberHash string         `json:"member_hash"`
	Question   string         `json:"question"`
	Answer     string         `json:"answer"`
	Citations  []jsonCitation `json:"citations"`
}

type jsonCitation struct {
	N       int         `json:"n"`
	Article jsonArticle `json:"article"`
}

func cmdFeedback(ctx context.Context, a *app, args []string) error {
	fs := cliflags.New(a.stdout, "feedback", feedbackSynopsis)
	limit := fs.Int("limit", 20, "number of votes to list")
	asJSON := fs.Bool("json", false, "print JSON")
	jsonl := fs.Bool("jsonl", false, "export: write JSON lines, the evaluation format (required)")
	since := fs.String("since", "", "export: only votes cast over this period up to now, e.g. 30d (default: all stored)")
	down := fs.Bool("down", false, "export: also answers from the archive given more 👎 than 👍")
	pos, err := cliflags.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 1 && pos[0] == "export" {
		return feedbackExport(ctx, a, *jsonl, *since, insights.ExportOptions{Down: *down})
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
				MessageID: v.MessageID, MemberHash: v.MemberHash, Question: v.Question, Answer: v.Answer, Citations: []jsonCitation{},
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
	if err := insights.WriteVotes(a.stdout, votes, a.cfg.TimeZone); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "\n%d votes shown (--limit %d)\n", len(votes), *limit)
	return nil
}

// feedbackExport writes the voted questions as evaluation questions.
func feedbackExport(ctx context.Context, a *app, jsonl bool, since string, opts insights.ExportOptions) error {
	if !jsonl {
		return errors.New("feedback export: give --jsonl (evaluation questions, one a line)")
	}
	p := insights.Period{To: time.Now()}
	if since != "" {
		d, err := config.ParseDays(since)
		if err != nil {
			return fmt.Errorf("feedback export: --since %w", err)
		}
		p = insights.Last(d, p.To)
	}
	if err := a.openStore(ctx); err != nil {
		return err
	}
	qs, sum, err := a.insights().Export(ctx, p, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "exported %s\n", sum)
	return insights.WriteJSONL(a.stdout, qs)
}
