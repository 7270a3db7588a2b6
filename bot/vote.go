package bot

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/dalil-news/dalil/phrases"
	"github.com/dalil-news/dalil/rag"
)

// votePrefix starts the custom IDs of the vote buttons: "vote:up:REF" or
// "vote:down:REF", REF being the stored answer's ID (see AnswerStore).
const votePrefix = "vote:"

func voteID(vote int, ref string) string {
	if vote > 0 {
		return votePrefix + "up:" + ref
	}
	return votePrefix + "down:" + ref
}

// parseVoteID returns the vote (+1 or -1) and the reference of a button's
// custom ID; ok is false for anything else.
func parseVoteID(id string) (vote int, ref string, ok bool) {
	rest, found := strings.CutPrefix(id, votePrefix)
	if !found {
		return 0, "", false
	}
	dir, ref, found := strings.Cut(rest, ":")
	if !found || ref == "" || len(ref) > 64 {
		return 0, "", false
	}
	switch dir {
	case "up":
		return 1, ref, true
	case "down":
		return -1, ref, true
	}
	return 0, "", false
}

// handleVote stores a 👍/👎 click with the question, the answer and its
// citations, read from the AnswerStore by the button's reference.
func (b *Bot) handleVote(ctx context.Context, r *request, customID string) {
	vote, ref, ok := parseVoteID(customID)
	if !ok || b.deps.Feedback == nil || r.i.Message == nil {
		return
	}
	rec := b.votedAnswer(ctx, ref, r.i.Message)
	err := b.deps.Feedback.SaveFeedback(ctx, rag.Feedback{
		GuildID:   r.i.GuildID,
		ChannelID: r.i.ChannelID,
		MessageID: r.i.Message.ID,
		AnswerID:  rec.ID,
		UserID:    r.userID(),
		Question:  rec.Question,
		Answer:    rec.Answer,
		Citations: rec.Citations,
		Vote:      vote,
	})
	if err != nil {
		b.adminFailed(ctx, r, "save feedback", err)
		return
	}
	label, thanks := "up", phrases.VoteUp
	if vote < 0 {
		label, thanks = "down", phrases.VoteDown
	}
	b.metrics.votes.WithLabelValues(label).Inc()
	b.report(ctx, r.respond(ctx, phrases.Text(r.lang, thanks), true))
}

// votedAnswer returns the answer a vote button refers to, from the
// AnswerStore. An answer no longer there (purged after the retention, or
// given before answers were stored, whose buttons carry another kind of
// reference) is rebuilt from the message the buttons sit on: its text,
// and the titles of its sources.
func (b *Bot) votedAnswer(ctx context.Context, ref string, m *discordgo.Message) rag.AnswerRecord {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil && b.deps.Answers != nil {
		a, err := b.deps.Answers.Answer(ctx, id)
		if err == nil {
			return a
		}
		if !errors.Is(err, rag.ErrNotFound) {
			b.storeFailed(ctx, "read a voted answer (vote stored with the message's text)", err, "answer", id)
		}
	}
	rec := rag.AnswerRecord{Answer: m.Content}
	for _, e := range m.Embeds {
		for n, line := range strings.Split(e.Description, "\n") {
			if line != "" {
				rec.Citations = append(rec.Citations, rag.Citation{N: n + 1, Article: rag.Article{Title: line}})
			}
		}
	}
	return rec
}
