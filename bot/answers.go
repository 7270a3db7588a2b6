package bot

import (
	"context"
	"strconv"
	"time"

	"github.com/dalil-news/dalil/prompts"
	"github.com/dalil-news/dalil/rag"
)

// answersPurgeEvery is the time between two purges of old answers and votes.
const answersPurgeEvery = time.Hour

// saveAnswer stores an answer and returns the reference its vote buttons
// carry, the stored answer's ID: "" for no buttons, without a
// FeedbackStore or when the answer could not be stored. A failure is
// logged and counted, and the member still gets the answer.
func (b *Bot) saveAnswer(ctx context.Context, j *askJob, ans rag.Answer) string {
	if b.deps.Answers == nil {
		return ""
	}
	id, err := b.deps.Answers.SaveAnswer(ctx, rag.AnswerRecord{
		Question: j.question, Answer: ans.Text, Citations: ans.Citations, Mode: ans.Mode, Found: ans.Found,
		Latency: time.Since(j.start), GuildID: j.guildID, ChannelID: j.asked, ThreadID: j.conv,
		UserID: j.userID, Lang: j.lang,
	})
	if err != nil {
		b.storeFailed(ctx, "save an answer (given without vote buttons)", err, "source", j.source,
			"user", j.userID, "guild", j.guildID, "channel", j.channel)
		return ""
	}
	if b.deps.Feedback == nil {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

// conversation returns the last turns of the conversation in a channel
// and whether it is one: a thread or DM the bot has answered in.
// When the store fails, which is logged and counted, it is none.
func (b *Bot) conversation(channelID string) ([]prompts.Message, bool) {
	if b.deps.Answers == nil {
		return nil, false
	}
	ctx, cancel := context.WithTimeout(b.work, 5*time.Second)
	defer cancel()
	recs, err := b.deps.Answers.ThreadAnswers(ctx, channelID, (b.cfg.HistoryTurns+1)/2)
	if err != nil {
		b.storeFailed(ctx, "read a conversation", err, "channel", channelID)
		return nil, false
	}
	return history(recs, b.cfg.HistoryTurns), len(recs) > 0
}

// history turns answers, oldest first, into the last turns messages of
// a conversation.
func history(recs []rag.AnswerRecord, turns int) []prompts.Message {
	var h []prompts.Message
	for _, r := range recs {
		h = append(h, prompts.Message{Role: prompts.RoleUser, Content: r.Question},
			prompts.Message{Role: prompts.RoleAssistant, Content: r.Answer})
	}
	return h[max(0, len(h)-turns):]
}

// purgeOld deletes the answers and votes older than
// Config.AnswersRetention, and the shared rate limits' buckets idle long
// enough to be full again (Deps.RateLimits), now and every
// answersPurgeEvery until ctx ends.
func (b *Bot) purgeOld(ctx context.Context) {
	old := b.deps.Answers != nil && b.cfg.AnswersRetention > 0
	if !old && b.deps.RateLimits == nil {
		return
	}
	t := time.NewTicker(answersPurgeEvery)
	defer t.Stop()
	for {
		if old {
			answers, votes, err := b.deps.Answers.PurgeAnswers(ctx, b.cfg.AnswersRetention)
			switch {
			case err != nil && ctx.Err() == nil:
				b.storeFailed(ctx, "purge old answers", err)
			case answers+votes > 0:
				b.log.Info("purged old answers and votes", "answers", answers, "votes", votes, "retention", b.cfg.AnswersRetention)
			}
		}
		if rl := b.deps.RateLimits; rl != nil {
			if _, err := rl.PurgeRateBuckets(ctx, b.limiter.refillTime()); err != nil && ctx.Err() == nil {
				b.log.Warn("cannot purge the shared rate limits' idle buckets", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// storeFailed logs and counts a failure of the answer store.
func (b *Bot) storeFailed(ctx context.Context, what string, err error, args ...any) {
	kind := errorKind(err)
	b.metrics.errors.WithLabelValues(kind).Inc()
	b.log.ErrorContext(ctx, what+" failed", append([]any{"kind", kind, "err", err}, args...)...)
}
