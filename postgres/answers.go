package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dalil-news/dalil/rag"
)

// answerColumns are the columns scanAnswer reads, in its order.
const answerColumns = `id, created_at, question, answer, citations, mode, found, latency_ms,
	guild_id, channel_id, thread_id, member_hash, lang`

// SaveAnswer stores an answer the bot gave and returns its ID. It keeps
// the keyed hash of a.UserID, never the ID itself, or no hash ("") when
// a.UserID is empty: the member is unknown to a replica that finished the
// answer for a dead one, since claims keep no member IDs. It keeps the
// citations without the articles' texts; a.ID and a.CreatedAt are
// ignored.
func (s *Store) SaveAnswer(ctx context.Context, a rag.AnswerRecord) (int64, error) {
	if err := checkAnswer(a); err != nil {
		return 0, fmt.Errorf("save answer: %w", err)
	}
	js, err := citationsJSON(a.Citations)
	if err != nil {
		return 0, fmt.Errorf("save answer: %w", err)
	}
	member := "" // not known: see rag.AnswerRecord
	if a.UserID != "" {
		if member, err = s.memberHash(ctx, a.UserID); err != nil {
			return 0, fmt.Errorf("save answer: %w", err)
		}
	}
	ms := min(max(a.Latency.Milliseconds(), 0), math.MaxInt32)
	var id int64
	err = s.pool.QueryRow(ctx, `INSERT INTO answers
		(question, answer, citations, mode, found, latency_ms, guild_id, channel_id, thread_id, member_hash, lang)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		a.Question, a.Answer, js, a.Mode, a.Found, ms, a.GuildID, a.ChannelID, a.ThreadID, member, a.Lang).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("save answer: %w", s.classify(err))
	}
	return id, nil
}

// checkAnswer rejects an answer PostgreSQL would refuse less clearly.
func checkAnswer(a rag.AnswerRecord) error {
	if a.UserID != "" && strings.TrimSpace(a.UserID) == "" {
		return errors.New("the member's ID is blank")
	}
	return checkTexts(textField{"question", a.Question}, textField{"answer", a.Answer}, textField{"mode", a.Mode},
		textField{"guild id", a.GuildID}, textField{"channel id", a.ChannelID}, textField{"thread id", a.ThreadID},
		textField{"user id", a.UserID}, textField{"lang", a.Lang})
}

// Answer returns a stored answer, with the member's keyed hash. The error
// wraps rag.ErrNotFound when there is none: never stored, or purged.
func (s *Store) Answer(ctx context.Context, id int64) (rag.AnswerRecord, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+answerColumns+` FROM answers WHERE id = $1`, id)
	if err != nil {
		return rag.AnswerRecord{}, fmt.Errorf("answer %d: %w", id, s.classify(err))
	}
	got, err := scanAnswers(rows)
	if err != nil {
		return rag.AnswerRecord{}, fmt.Errorf("answer %d: %w", id, s.classify(err))
	}
	if len(got) == 0 {
		return rag.AnswerRecord{}, fmt.Errorf("answer %d: %w", id, rag.ErrNotFound)
	}
	return got[0], nil
}

// ThreadAnswers returns the last n answers of a conversation (the thread
// or DM they were given in, AnswerRecord.ThreadID), oldest first:
// none when the bot has not answered there (or those answers were purged),
// which is how a conversation is told from any other channel.
func (s *Store) ThreadAnswers(ctx context.Context, threadID string, n int) ([]rag.AnswerRecord, error) {
	if threadID == "" || n <= 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT * FROM (
		SELECT `+answerColumns+` FROM answers WHERE thread_id = $1 ORDER BY id DESC LIMIT $2
	) last ORDER BY id`, threadID, n)
	if err != nil {
		return nil, fmt.Errorf("answers in %s: %w", threadID, s.classify(err))
	}
	got, err := scanAnswers(rows)
	if err != nil {
		return nil, fmt.Errorf("answers in %s: %w", threadID, s.classify(err))
	}
	return got, nil
}

// scanAnswers reads rows of answerColumns.
func scanAnswers(rows pgx.Rows) ([]rag.AnswerRecord, error) {
	var out []rag.AnswerRecord
	var a rag.AnswerRecord
	var cites []byte
	var ms int32
	_, err := pgx.ForEachRow(rows, []any{&a.ID, &a.CreatedAt, &a.Question, &a.Answer, &cites, &a.Mode, &a.Found, &ms,
		&a.GuildID, &a.ChannelID, &a.ThreadID, &a.MemberHash, &a.Lang}, func() error {
		a.Latency = time.Duration(ms) * time.Millisecond
		a.Citations = nil
		if err := json.Unmarshal(cites, &a.Citations); err != nil {
			return fmt.Errorf("answer %d: decode citations: %w", a.ID, err)
		}
		out = append(out, a)
		return nil
	})
	return out, err
}

// PurgeAnswers deletes the answers and the votes stored longer ago than
// retention (by the database's clock, which every replica shares) and
// returns how many of each it deleted.
func (s *Store) PurgeAnswers(ctx context.Context, retention time.Duration) (answers, votes int64, err error) {
	if retention <= 0 {
		return 0, 0, fmt.Errorf("purge answers: retention %v must be positive", retention)
	}
	secs := retention.Seconds()
	tag, err := s.pool.Exec(ctx, `DELETE FROM answers WHERE created_at < now() - make_interval(secs => $1)`, secs)
	if err != nil {
		return 0, 0, fmt.Errorf("purge answers older than %v: %w", retention, s.classify(err))
	}
	answers = tag.RowsAffected()
	tag, err = s.pool.Exec(ctx, `DELETE FROM feedback WHERE created_at < now() - make_interval(secs => $1)`, secs)
	if err != nil {
		return answers, 0, fmt.Errorf("purge votes older than %v: %w", retention, s.classify(err))
	}
	return answers, tag.RowsAffected(), nil
}
