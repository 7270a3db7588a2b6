package bot

import (
	"context"
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dalil-news/dalil/rag"
)

// metrics are the bot's Prometheus collectors.
type metrics struct {
	questions *prometheus.CounterVec   // by source and outcome
	latency   *prometheus.HistogramVec // by source
	tokens    *prometheus.CounterVec   // by kind: prompt, completion
	errors    *prometheus.CounterVec   // by kind
	ingests   *prometheus.CounterVec   // by status
	votes     *prometheus.CounterVec   // by vote
	takeovers *prometheus.CounterVec   // by kind and outcome
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		questions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dalil_questions_total",
			Help: "Questions received, by source (slash, mention) and outcome (answered, not_found, error, rate_limited, queue_full, stopping).",
		}, []string{"source", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "dalil_answer_seconds",
			Help:    "Time from a question to its answer, queueing included.",
			Buckets: []float64{0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120},
		}, []string{"source"}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dalil_llm_tokens_total",
			Help: "Chat model tokens used for answers, by kind (prompt, completion).",
		}, []string{"kind"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dalil_errors_total",
			Help: "Failures, by kind (upstream, timeout, database, embedder, discord, panic, internal, claims, rate_limits).",
		}, []string{"kind"}),
		ingests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dalil_ingests_total",
			Help: "Articles ingested from Discord, by status (created, updated, unchanged, duplicate, failed).",
		}, []string{"status"}),
		votes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dalil_feedback_votes_total",
			Help: "Feedback votes on answers, by vote (up, down).",
		}, []string{"vote"}),
		takeovers: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dalil_takeovers_total",
			Help: "Claims taken over from dead replicas, by kind (mention, interaction) and outcome (resumed; answered: by the dead replica before it died; lost).",
		}, []string{"kind", "outcome"}),
	}
	for _, c := range []prometheus.Collector{m.questions, m.latency, m.tokens, m.errors, m.ingests, m.votes, m.takeovers} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register bot metrics: %w", err)
		}
	}
	return m, nil
}

// errorKind classifies a failure for metrics and logs.
func errorKind(err error) string {
	var sqlErr interface{ SQLState() string }
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, rag.ErrUnavailable):
		return "upstream"
	case errors.Is(err, rag.ErrEmbedderMismatch):
		return "embedder"
	case errors.As(err, &sqlErr):
		return "database"
	}
	return "internal"
}
