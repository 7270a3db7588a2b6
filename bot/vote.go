package bot

import (
	"context"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/dalil-news/dalil/internal/lru"
	"github.com/dalil-news/dalil/phrases"
	"github.com/dalil-news/dalil/rag"
)

// votePrefix starts the custom IDs of the vote buttons: "vote:up:REF" or
// "vote:down:REF", REF naming the answer in the bot's memory.
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
// citations. After a restart the answer is no longer in memory; the vote
// is then stored with the text and sources read from the message itself.
func (b *Bot) handleVote(ctx context.Context, r *request, customID string) {
	vote, ref, ok := parseVoteID(customID)
	if !ok || b.deps.Feedback == nil || r.i.Message == nil {
		return
	}
	rec, known := b.votes.Get(ref)
	if !known {
		rec = recordFromMessage(r.i.Message)
	}
	err := b.deps.Feedback.SaveFeedback(ctx, rag.Feedback{
		GuildID:   r.i.GuildID,
		ChannelID: r.i.ChannelID,
		MessageID: r.i.Message.ID,
		UserID:    r.userID(),
		Question:  rec.question,
		Answer:    rec.answer,
		Citations: rec.citations,
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

// answerRecord is what a vote is stored with.
type answerRecord struct {
	question  string
	answer    string
	citations []rag.Citation
}

// answerCache keeps recent answers by the reference their vote buttons carry.
type answerCache = lru.Cache[answerRecord]

func newAnswerCache(max int) *answerCache { return lru.New[answerRecord](max) }

// recordFromMessage rebuilds what is known of an answer from the message
// its buttons sit on: the text, and the source titles and links.
func recordFromMessage(m *discordgo.Message) answerRecord {
	rec := answerRecord{answer: m.Content}
	for _, e := range m.Embeds {
		for n, line := range strings.Split(e.Description, "\n") {
			if line != "" {
				rec.citations = append(rec.citations, rag.Citation{N: n + 1, Article: rag.Article{Title: line}})
			}
		}
	}
	return rec
}
