package insights

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/dalil-news/dalil/eval"
	"github.com/dalil-news/dalil/nlp"
)

// The kinds of the questions Export writes, by the votes they come from.
const (
	// KindFeedback: a 👍 on an answer from the archive; the question's
	// expected_urls are the answer's cited URLs.
	KindFeedback = "feedback"
	// KindFeedbackNone: a 👍 on "the archive does not say"; no
	// expected_urls: "not found" is the right answer.
	KindFeedbackNone = "feedback-none"
	// KindFeedbackDown (ExportOptions.Down): a 👎 on an answer from the
	// archive, taken as "should have been not found"; no expected_urls.
	// Review these: a 👎 may instead mean that the archive does answer
	// but the bot cited the wrong articles (then put the right URLs in
	// expected_urls and change the kind).
	KindFeedbackDown = "feedback-down"
)

// maxExported bounds the voted answers one export reads.
const maxExported = 50000

// ExportOptions tunes Export.
type ExportOptions struct {
	// Down also writes the answers from the archive given more 👎 than 👍,
	// as KindFeedbackDown.
	Down bool
}

// ExportSummary counts what Export wrote and what it skipped, and why.
type ExportSummary struct {
	Found    int `json:"found"`     // KindFeedback questions written
	NotFound int `json:"not_found"` // KindFeedbackNone questions written
	Down     int `json:"down"`      // KindFeedbackDown questions written
	// SkippedDown counts the answers given more 👎 than 👍 left out:
	// all of them without ExportOptions.Down; with it, those that said
	// "not found" (which answer would have been right is not known).
	SkippedDown int `json:"skipped_down"`
	// SkippedTied counts the answers given as many 👍 as 👎.
	SkippedTied int `json:"skipped_tied"`
	// SkippedUnknown counts the answers whose question is unknown (the
	// answer was purged before the vote) or that cite no URL although
	// found.
	SkippedUnknown int `json:"skipped_unknown"`
	// SkippedDuplicate counts the answers to a question already written
	// (compared folded, spacing aside): the most recently voted is kept.
	SkippedDuplicate int `json:"skipped_duplicate"`
}

// Written is the number of questions written.
func (s ExportSummary) Written() int { return s.Found + s.NotFound + s.Down }

// Export turns the answers voted on in p into evaluation questions, in the
// format of eval.ReadQuestions, the most recently voted first. An answer's
// votes decide by majority: more 👍 than 👎 makes it right — an answer
// from the archive gives a KindFeedback question whose expected_urls are
// its cited URLs, a "not found" one a KindFeedbackNone question without
// any; more 👎 is written only with opts.Down (see KindFeedbackDown); a
// tie is skipped. The question's ID is "feedback-" and the stored answer's
// ID (or "feedback-m" and the message's when it is unknown), so that
// exports of overlapping periods agree; its language is the question's;
// no gold answers are known. p.From may be zero: every stored vote.
func (s *Service) Export(ctx context.Context, p Period, opts ExportOptions) ([]eval.Question, ExportSummary, error) {
	vs, err := s.votedAnswers(ctx, p, false, maxExported)
	if err != nil {
		return nil, ExportSummary{}, fmt.Errorf("export votes: %w", err)
	}
	qs, sum := exportVoted(vs, opts)
	return qs, sum, nil
}

// exportVoted is Export on answers already read.
func exportVoted(vs []VotedAnswer, opts ExportOptions) ([]eval.Question, ExportSummary) {
	var sum ExportSummary
	qs := []eval.Question{}
	seen := map[string]bool{}
	for _, v := range vs {
		q := eval.Question{Lang: v.Lang, Text: strings.TrimSpace(v.Question), ExpectedURLs: []string{}, Answers: []string{}}
		// The latest voted answer to a question decides it, even when it
		// is skipped: an older 👍 must not stand for a question members
		// now vote 👎.
		key := nlp.Fold(nlp.Collapse(q.Text))
		if q.Text != "" && seen[key] {
			sum.SkippedDuplicate++
			continue
		}
		seen[key] = true
		switch {
		case v.Up == v.Down:
			sum.SkippedTied++
			continue
		case v.Down > v.Up && (!opts.Down || !v.Found):
			sum.SkippedDown++
			continue
		case q.Text == "":
			sum.SkippedUnknown++
			continue
		case v.Down > v.Up:
			q.Kind = KindFeedbackDown
		case v.Found:
			q.Kind = KindFeedback
			for _, c := range v.Citations {
				if c.URL != "" && !slices.Contains(q.ExpectedURLs, c.URL) {
					q.ExpectedURLs = append(q.ExpectedURLs, c.URL)
				}
			}
			if len(q.ExpectedURLs) == 0 {
				sum.SkippedUnknown++
				continue
			}
		default:
			q.Kind = KindFeedbackNone
		}
		q.ID = "feedback-" + strconv.FormatInt(v.AnswerID, 10)
		if v.AnswerID == 0 {
			q.ID = "feedback-m" + v.MessageID
		}
		switch q.Kind {
		case KindFeedback:
			sum.Found++
		case KindFeedbackNone:
			sum.NotFound++
		default:
			sum.Down++
		}
		qs = append(qs, q)
	}
	return qs, sum
}

// WriteJSONL writes questions one JSON object a line, as
// eval.ReadQuestions reads them.
func WriteJSONL(w io.Writer, qs []eval.Question) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, q := range qs {
		if err := enc.Encode(q); err != nil {
			return fmt.Errorf("write question %s: %w", q.ID, err)
		}
	}
	return nil
}

// String sums up an export for people: what was written by kind, and what
// was skipped, by reason.
func (s ExportSummary) String() string {
	return fmt.Sprintf("%d questions (%d %s, %d %s, %d %s); skipped %d more 👎 than 👍, %d tied, %d without question or cited URL, %d duplicate",
		s.Written(), s.Found, KindFeedback, s.NotFound, KindFeedbackNone, s.Down, KindFeedbackDown,
		s.SkippedDown, s.SkippedTied, s.SkippedUnknown, s.SkippedDuplicate)
}
