package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/dalil-news/dalil/rag"
)

// maxStoredText bounds each text stored with a vote or an answer.
const maxStoredText = 64 << 10

// SaveFeedback stores a vote under the keyed hash of f.UserID, never the
// ID itself. A member votes once per message: voting again replaces the
// earlier vote, with the question, answer and citations given now, and
// sets f's time to now.
func (s *Store) SaveFeedback(ctx context.Context, f rag.Feedback) error {
	if err := checkFeedback(f); err != nil {
		return fmt.Errorf("save feedback on message %q: %w", f.MessageID, err)
	}
	js, err := citationsJSON(f.Citations)
	if err != nil {
		return fmt.Errorf("save feedback on message %s: %w", f.MessageID, err)
	}
	member, err := s.memberHash(ctx, f.UserID)
	if err != nil {
		return fmt.Errorf("save feedback on message %s: %w", f.MessageID, err)
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO feedback
		(guild_id, channel_id, message_id, member_hash, question, answer, citations, vote, answer_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULLIF($9, 0))
		ON CONFLICT (message_id, member_hash) DO UPDATE SET
			vote = EXCLUDED.vote, question = EXCLUDED.question, answer = EXCLUDED.answer,
			citations = EXCLUDED.citations, guild_id = EXCLUDED.guild_id,
			channel_id = EXCLUDED.channel_id, answer_id = EXCLUDED.answer_id, created_at = now()`,
		f.GuildID, f.ChannelID, f.MessageID, member, f.Question, f.Answer, js, f.Vote, f.AnswerID)
	if err != nil {
		return fmt.Errorf("save feedback on message %s: %w", f.MessageID, s.classify(err))
	}
	return nil
}

// citationsJSON encodes citations for storage, without the articles' texts.
func citationsJSON(cs []rag.Citation) (string, error) {
	cites := make([]rag.Citation, len(cs))
	for i, c := range cs {
		c.Article.Text = ""
		cites[i] = c
	}
	js, err := json.Marshal(cites)
	if err != nil {
		return "", fmt.Errorf("encode citations: %w", err)
	}
	return string(js), nil
}

// textField is a text to store, named for errors.
type textField struct{ name, v string }

// checkTexts rejects a text PostgreSQL would refuse less clearly, or one
// longer than maxStoredText, naming it.
func checkTexts(fields ...textField) error {
	for _, fl := range fields {
		if err := checkText(fl.v); err != nil {
			return fmt.Errorf("%s: %w", fl.name, err)
		}
		if len(fl.v) > maxStoredText {
			return fmt.Errorf("%s: longer than %d bytes", fl.name, maxStoredText)
		}
	}
	return nil
}

// checkFeedback rejects a vote PostgreSQL would refuse less clearly.
func checkFeedback(f rag.Feedback) error {
	if f.Vote != 1 && f.Vote != -1 {
		return fmt.Errorf("vote %d is neither 1 nor -1", f.Vote)
	}
	if strings.TrimSpace(f.MessageID) == "" || strings.TrimSpace(f.UserID) == "" {
		return errors.New("message and user IDs are required")
	}
	return checkTexts(textField{"guild id", f.GuildID}, textField{"channel id", f.ChannelID},
		textField{"message id", f.MessageID}, textField{"user id", f.UserID},
		textField{"question", f.Question}, textField{"answer", f.Answer})
}

// RecentFeedback returns up to limit votes, the most recently cast first,
// with the voters' keyed hashes (MemberHash).
func (s *Store) RecentFeedback(ctx context.Context, limit int) ([]rag.Feedback, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("recent feedback: limit %d must be positive", limit)
	}
	rows, err := s.pool.Query(ctx, `SELECT id, created_at, guild_id, channel_id, message_id, coalesce(answer_id, 0), member_hash,
		question, answer, citations, vote FROM feedback ORDER BY created_at DESC, id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("recent feedback: %w", err)
	}
	var out []rag.Feedback
	var f rag.Feedback
	var cites []byte
	var vote int16
	_, err = pgx.ForEachRow(rows, []any{&f.ID, &f.CreatedAt, &f.GuildID, &f.ChannelID, &f.MessageID, &f.AnswerID, &f.MemberHash,
		&f.Question, &f.Answer, &cites, &vote}, func() error {
		f.Vote = int(vote)
		f.Citations = nil
		if err := json.Unmarshal(cites, &f.Citations); err != nil {
			return fmt.Errorf("feedback %d: decode citations: %w", f.ID, err)
		}
		out = append(out, f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("recent feedback: %w", err)
	}
	return out, nil
}
