package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dalil-news/dalil/insights"
	"github.com/dalil-news/dalil/rag"
)

var _ insights.Store = (*Store)(nil)

// AnswerCounts implements insights.Store: two aggregates over the answers
// of the period (by day, and over the whole period) and one over its votes.
func (s *Store) AnswerCounts(ctx context.Context, p insights.Period, loc *time.Location) (insights.Counts, error) {
	var c insights.Counts
	rows, err := s.pool.Query(ctx, `SELECT to_char(created_at AT TIME ZONE $3, 'YYYY-MM-DD') AS day,
			count(*), count(*) FILTER (WHERE found)
		FROM answers WHERE created_at >= $1 AND created_at < $2
		GROUP BY day ORDER BY day`, p.From, p.To, loc.String())
	if err != nil {
		return c, fmt.Errorf("count answers by day: %w", s.classify(err))
	}
	var d insights.Day
	_, err = pgx.ForEachRow(rows, []any{&d.Date, &d.Asked, &d.Answered}, func() error {
		d.NotFound = d.Asked - d.Answered
		c.Days = append(c.Days, d)
		return nil
	})
	if err != nil {
		return c, fmt.Errorf("count answers by day: %w", s.classify(err))
	}
	err = s.pool.QueryRow(ctx, `SELECT count(DISTINCT member_hash),
			coalesce(percentile_disc(0.5) WITHIN GROUP (ORDER BY latency_ms), 0),
			coalesce(percentile_disc(0.95) WITHIN GROUP (ORDER BY latency_ms), 0),
			(SELECT count(*) FROM feedback WHERE vote > 0 AND created_at >= $1 AND created_at < $2),
			(SELECT count(*) FROM feedback WHERE vote < 0 AND created_at >= $1 AND created_at < $2)
		FROM answers WHERE created_at >= $1 AND created_at < $2`, p.From, p.To).
		Scan(&c.Members, &c.LatencyP50ms, &c.LatencyP95ms, &c.VotesUp, &c.VotesDown)
	if err != nil {
		return c, fmt.Errorf("count answers and votes: %w", s.classify(err))
	}
	return c, nil
}

// UnansweredQuestions implements insights.Store: the "not found" answers
// grouped by their lower-cased question with white space collapsed.
func (s *Store) UnansweredQuestions(ctx context.Context, p insights.Period, limit int) ([]insights.Question, error) {
	rows, err := s.pool.Query(ctx, `SELECT (array_agg(left(question, 1000) ORDER BY created_at DESC, id DESC))[1],
			count(*), coalesce(array_agg(DISTINCT lang ORDER BY lang) FILTER (WHERE lang <> ''), '{}'), max(created_at)
		FROM answers WHERE NOT found AND created_at >= $1 AND created_at < $2
		GROUP BY lower(regexp_replace(btrim(question), '\s+', ' ', 'g'))
		ORDER BY count(*) DESC, max(created_at) DESC LIMIT $3`, p.From, p.To, limit)
	if err != nil {
		return nil, fmt.Errorf("unanswered questions: %w", s.classify(err))
	}
	var out []insights.Question
	var q insights.Question
	_, err = pgx.ForEachRow(rows, []any{&q.Text, &q.Count, &q.Langs, &q.LastAsked}, func() error {
		out = append(out, q)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("unanswered questions: %w", s.classify(err))
	}
	return out, nil
}

// CitedArticles implements insights.Store: the answers' citations, counted
// once per answer and URL.
func (s *Store) CitedArticles(ctx context.Context, p insights.Period, limit int) ([]insights.CitedArticle, error) {
	rows, err := s.pool.Query(ctx, `SELECT (array_agg(c.cite->'article' ORDER BY a.id DESC))[1], count(DISTINCT a.id) AS n
		FROM answers a CROSS JOIN LATERAL jsonb_array_elements(a.citations) AS c(cite)
		WHERE a.created_at >= $1 AND a.created_at < $2 AND coalesce(c.cite->'article'->>'url', '') <> ''
		GROUP BY c.cite->'article'->>'url' ORDER BY n DESC, c.cite->'article'->>'url' LIMIT $3`, p.From, p.To, limit)
	if err != nil {
		return nil, fmt.Errorf("cited articles: %w", s.classify(err))
	}
	var out []insights.CitedArticle
	var article []byte
	var n int
	_, err = pgx.ForEachRow(rows, []any{&article, &n}, func() error {
		var a rag.Article
		if err := json.Unmarshal(article, &a); err != nil {
			return fmt.Errorf("decode a citation: %w", err)
		}
		out = append(out, insights.CitedArticle{Source: insights.SourceOf(rag.Citation{Article: a}), Answers: n})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cited articles: %w", s.classify(err))
	}
	return out, nil
}

// VotedAnswers implements insights.Store: the votes of the period grouped
// by message, with the question, answer and citations of the latest vote
// and the language, mode and "found" of the answer it names.
func (s *Store) VotedAnswers(ctx context.Context, p insights.Period, down bool, limit int) ([]insights.VotedAnswer, error) {
	rows, err := s.pool.Query(ctx, `WITH v AS (
			SELECT message_id,
				coalesce((array_agg(answer_id ORDER BY created_at DESC, id DESC) FILTER (WHERE answer_id IS NOT NULL))[1], 0) AS answer_id,
				max(created_at) AS last_vote,
				count(*) FILTER (WHERE vote > 0) AS up, count(*) FILTER (WHERE vote < 0) AS down,
				(array_agg(question ORDER BY created_at DESC, id DESC))[1] AS question,
				(array_agg(answer ORDER BY created_at DESC, id DESC))[1] AS answer,
				(array_agg(citations ORDER BY created_at DESC, id DESC))[1] AS citations
			FROM feedback WHERE created_at >= $1 AND created_at < $2
			GROUP BY message_id
			HAVING NOT $3 OR count(*) FILTER (WHERE vote < 0) > 0
			ORDER BY last_vote DESC, message_id LIMIT $4)
		SELECT v.message_id, v.answer_id, v.last_vote, v.up, v.down, v.question, v.answer, v.citations,
			coalesce(a.lang, ''), coalesce(a.found, jsonb_array_length(v.citations) > 0), coalesce(a.mode, '')
		FROM v LEFT JOIN answers a ON a.id = v.answer_id
		ORDER BY v.last_vote DESC, v.message_id`, p.From, p.To, down, limit)
	if err != nil {
		return nil, fmt.Errorf("voted answers: %w", s.classify(err))
	}
	var out []insights.VotedAnswer
	var v insights.VotedAnswer
	var cites []byte
	_, err = pgx.ForEachRow(rows, []any{&v.MessageID, &v.AnswerID, &v.LastVote, &v.Up, &v.Down, &v.Question, &v.Answer, &cites,
		&v.Lang, &v.Found, &v.Mode}, func() error {
		var cs []rag.Citation
		if err := json.Unmarshal(cites, &cs); err != nil {
			return fmt.Errorf("message %s: decode citations: %w", v.MessageID, err)
		}
		v.Citations = make([]insights.Source, len(cs))
		for i, c := range cs {
			v.Citations[i] = insights.SourceOf(c)
		}
		out = append(out, v)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("voted answers: %w", s.classify(err))
	}
	return out, nil
}
