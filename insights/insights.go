// Package insights reports what members asked the bot and how it
// answered, for the people who run the community and the newsroom: the
// questions of each day, answered or "not found", the latency, the
// questions the archive could not answer grouped by topic (an editor's
// to-do list), the articles answers cite most, and the answers members
// disliked. It also turns members' votes into evaluation questions
// (Export), so that real questions become cases for `dalil eval`.
//
// Everything is read from the answers and votes the bot stores (Store;
// *postgres.Store is one), in which members appear only as keyed hashes:
// a report counts distinct members but names none. Answers and votes older
// than ANSWERS_RETENTION are purged, so no report reaches further back
// (Report.RetentionSeconds says how far that is).
//
// Near-duplicate questions are merged by their content words: each
// question becomes the set of its words without stop words, folded (case,
// accents, Arabic letter variants) and stemmed (nlp), and a question joins
// the first topic, most asked first, whose question's set overlaps its
// own by a Jaccard index of at least Config.MergeAt (0.5: "Combien coûte
// le tramway à Rabat ?" and "Quel est le prix du tramway à Rabat ?" share
// tramway and Rabat out of four words). Questions in different languages
// merge only when they share that many words (names of people and places
// often are the same): no translation or embedding is looked up, which a
// report should not have to pay for.
package insights

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dalil-news/dalil/nlp"
	"github.com/dalil-news/dalil/rag"
)

// Period is a span of time: From inclusive, To exclusive.
type Period struct {
	From time.Time
	To   time.Time
}

// Last is the period of d up to now.
func Last(d time.Duration, now time.Time) Period { return Period{From: now.Add(-d), To: now} }

// maxReportDays bounds the days of one report.
const maxReportDays = 3 * 366

// Report is what members asked over a period and how the bot answered.
// Its slices are never nil, so that its JSON has [] for none.
type Report struct {
	// From and To bound the period (To exclusive), in TimeZone.
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// TimeZone is the IANA name of the zone of Days (DALIL_TIMEZONE).
	TimeZone string `json:"time_zone"`
	// RetentionSeconds is how long answers and votes are kept
	// (ANSWERS_RETENTION): nothing older is counted; 0 keeps them forever.
	RetentionSeconds int64 `json:"retention_seconds"`

	// Asked counts the questions the bot answered in the period, Answered
	// those answered from the archive, NotFound those it said the archive
	// does not answer (Asked = Answered + NotFound). Questions that failed
	// or were refused (rate limits) are not stored, so not counted.
	Asked    int `json:"asked"`
	Answered int `json:"answered"`
	NotFound int `json:"not_found"`
	// Members counts the distinct members who asked (by keyed hash).
	Members int `json:"members"`
	// LatencyP50ms and LatencyP95ms are the median and 95th percentile
	// (nearest rank) of the time from question to answer, in
	// milliseconds, queueing included; 0 without questions.
	LatencyP50ms int64 `json:"latency_p50_ms"`
	LatencyP95ms int64 `json:"latency_p95_ms"`
	// VotesUp and VotesDown count the 👍 and 👎 cast in the period.
	VotesUp   int `json:"votes_up"`
	VotesDown int `json:"votes_down"`

	// Days has every day of the period in TimeZone, oldest first, days
	// without questions included.
	Days []Day `json:"days"`
	// Unanswered are the topics of the questions answered "not found",
	// near-duplicates merged, most asked first (at most Config.Topics).
	Unanswered []Topic `json:"unanswered"`
	// TopArticles are the articles cited by the most answers, most cited
	// first (at most Config.Articles).
	TopArticles []CitedArticle `json:"top_articles"`
	// Disliked are the answers given a 👎 in the period, the most recently
	// voted first (at most Config.Disliked), for review.
	Disliked []VotedAnswer `json:"disliked"`
}

// AnsweredShare is the share of the questions answered from the archive,
// between 0 and 1; 0 without questions.
func (r Report) AnsweredShare() float64 {
	if r.Asked == 0 {
		return 0
	}
	return float64(r.Answered) / float64(r.Asked)
}

// Day counts one day's questions.
type Day struct {
	Date     string `json:"date"` // YYYY-MM-DD in the report's time zone
	Asked    int    `json:"asked"`
	Answered int    `json:"answered"`
	NotFound int    `json:"not_found"`
}

// Topic is a question the archive could not answer, with its
// near-duplicates merged in.
type Topic struct {
	// Question is the phrasing asked most (the latest on a tie), on one
	// line and cut to maxQuestionRunes.
	Question string `json:"question"`
	// Count is how many times the topic was asked, in all its phrasings.
	Count int `json:"count"`
	// Langs are the languages it was asked in, sorted (unknown ones left
	// out).
	Langs []string `json:"langs"`
	// Variants are the other phrasings merged in, most asked first (at
	// most maxVariants), each as Question is.
	Variants []string `json:"variants"`
	// LastAsked is when it was last asked.
	LastAsked time.Time `json:"last_asked"`
}

// Source is a cited article as reports show it.
type Source struct {
	N         int    `json:"n,omitempty"` // the citation's number in its answer; 0 in TopArticles
	Title     string `json:"title"`
	URL       string `json:"url"`
	Publisher string `json:"publisher"`
	Published string `json:"published"` // YYYY-MM-DD; "" when unknown
	Lang      string `json:"lang"`
}

// CitedArticle is an article with the number of answers that cite it.
type CitedArticle struct {
	Source
	Answers int `json:"answers"`
}

// VotedAnswer is an answer members voted on, with its votes counted.
type VotedAnswer struct {
	// MessageID is the Discord message carrying the vote buttons.
	MessageID string `json:"message_id"`
	// AnswerID is the stored answer's ID; 0 when it is unknown (purged
	// before the vote, or voted on before votes named their answer).
	AnswerID int64     `json:"answer_id,omitempty"`
	LastVote time.Time `json:"last_vote"`
	Up       int       `json:"up"`
	Down     int       `json:"down"`
	Question string    `json:"question"` // "" when the answer was purged before the vote
	Answer   string    `json:"answer"`
	// Citations are the answer's sources, in its order.
	Citations []Source `json:"citations"`
	// Lang is the language of the question, which the member asked in
	// (detected from the question when the answer is unknown; "" when
	// unclear).
	Lang string `json:"lang"`
	// Found is whether the answer came from the archive (for an unknown
	// answer: whether it cites any source).
	Found bool   `json:"found"`
	Mode  string `json:"mode"` // "llm" or "extractive"; "" when unknown
}

// Counts are the store's figures of a period's answers and votes.
type Counts struct {
	Days                       []Day // days with answers only, oldest first
	Members                    int
	LatencyP50ms, LatencyP95ms int64
	VotesUp, VotesDown         int
}

// Question is one text answered "not found", as the store counts it.
type Question struct {
	Text      string
	Count     int
	Langs     []string // sorted, unknown left out
	LastAsked time.Time
}

// Store reads the stored answers and votes of a period; *postgres.Store is
// one. Every method reads only the rows created in p (votes by the time
// they were cast). Errors say what was being read.
type Store interface {
	// AnswerCounts counts the answers given in p by day in loc (days
	// without answers left out), with the distinct members, the latency
	// percentiles (nearest rank, milliseconds) and the votes cast.
	AnswerCounts(ctx context.Context, p Period, loc *time.Location) (Counts, error)
	// UnansweredQuestions returns the questions answered "not found" in
	// p, a text counted once whatever its case and spacing (the latest
	// spelling kept), most asked first then latest first, at most limit.
	// Texts may be cut to 1,000 characters.
	UnansweredQuestions(ctx context.Context, p Period, limit int) ([]Question, error)
	// CitedArticles returns the articles (by URL) cited by the answers
	// given in p, the most cited first, at most limit, with the title,
	// publisher, date and language of their latest citation.
	CitedArticles(ctx context.Context, p Period, limit int) ([]CitedArticle, error)
	// VotedAnswers returns the answers voted on in p, one per message
	// carrying vote buttons, the most recently voted first, at most limit;
	// with down, only those given at least one 👎.
	VotedAnswers(ctx context.Context, p Period, down bool, limit int) ([]VotedAnswer, error)
}

// Config tunes a Service. Zero fields take the defaults noted.
type Config struct {
	// Location is the time zone of the report's days (default UTC); its
	// name must be an IANA name, which the store passes to PostgreSQL.
	Location *time.Location
	// Retention is ANSWERS_RETENTION, reported with each report (0: forever).
	Retention time.Duration
	// Topics, Articles and Disliked bound those lists of a report
	// (defaults 10, 10 and 20).
	Topics, Articles, Disliked int
	// Questions bounds the distinct unanswered questions read to group
	// into topics (default 1,000): the most asked ones.
	Questions int
	// MergeAt is the least Jaccard index of two questions' content words
	// for them to be one topic (default 0.5).
	MergeAt float64
}

// Service makes reports and exports from a Store.
type Service struct {
	store Store
	cfg   Config
}

// New returns a Service reading store.
func New(store Store, cfg Config) *Service {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&cfg.Topics, 10)
	def(&cfg.Articles, 10)
	def(&cfg.Disliked, 20)
	def(&cfg.Questions, 1000)
	if cfg.MergeAt <= 0 || cfg.MergeAt > 1 {
		cfg.MergeAt = 0.5
	}
	return &Service{store: store, cfg: cfg}
}

// ErrPeriod is wrapped by the error of a report over a period that is empty,
// reversed or longer than three years.
var ErrPeriod = errors.New("bad report period")

// Report reports on p.
func (s *Service) Report(ctx context.Context, p Period) (Report, error) {
	if p.From.IsZero() || !p.From.Before(p.To) || p.To.Sub(p.From) > maxReportDays*24*time.Hour {
		return Report{}, fmt.Errorf("report from %v to %v: %w: want a start before its end, at most %d days apart", p.From, p.To, ErrPeriod, maxReportDays)
	}
	loc := s.cfg.Location
	r := Report{
		From: p.From.In(loc), To: p.To.In(loc), TimeZone: loc.String(),
		RetentionSeconds: int64(s.cfg.Retention / time.Second),
	}
	c, err := s.store.AnswerCounts(ctx, p, loc)
	if err != nil {
		return Report{}, fmt.Errorf("report: %w", err)
	}
	r.Members, r.LatencyP50ms, r.LatencyP95ms, r.VotesUp, r.VotesDown = c.Members, c.LatencyP50ms, c.LatencyP95ms, c.VotesUp, c.VotesDown
	r.Days = allDays(p, loc, c.Days)
	for _, d := range r.Days {
		r.Asked += d.Asked
		r.Answered += d.Answered
		r.NotFound += d.NotFound
	}
	qs, err := s.store.UnansweredQuestions(ctx, p, s.cfg.Questions)
	if err != nil {
		return Report{}, fmt.Errorf("report: %w", err)
	}
	r.Unanswered = topics(qs, s.cfg.MergeAt, s.cfg.Topics)
	if r.TopArticles, err = s.store.CitedArticles(ctx, p, s.cfg.Articles); err != nil {
		return Report{}, fmt.Errorf("report: %w", err)
	}
	if r.Disliked, err = s.votedAnswers(ctx, p, true, s.cfg.Disliked); err != nil {
		return Report{}, fmt.Errorf("report: %w", err)
	}
	if r.TopArticles == nil {
		r.TopArticles = []CitedArticle{}
	}
	return r, nil
}

// votedAnswers reads voted answers, with a language for each whose
// question tells it, and Citations never nil.
func (s *Service) votedAnswers(ctx context.Context, p Period, down bool, limit int) ([]VotedAnswer, error) {
	vs, err := s.store.VotedAnswers(ctx, p, down, limit)
	if err != nil {
		return nil, err
	}
	for i := range vs {
		if vs[i].Lang == "" {
			vs[i].Lang = nlp.DetectLang(vs[i].Question)
		}
		if vs[i].Citations == nil {
			vs[i].Citations = []Source{}
		}
	}
	if vs == nil {
		vs = []VotedAnswer{}
	}
	return vs, nil
}

// allDays returns every day of p in loc, oldest first, with the counts of
// those in counted.
func allDays(p Period, loc *time.Location, counted []Day) []Day {
	byDate := map[string]Day{}
	for _, d := range counted {
		byDate[d.Date] = d
	}
	from, last := p.From.In(loc), p.To.Add(-time.Nanosecond).In(loc)
	end := last.Format(time.DateOnly)
	var out []Day
	for y, m, d := from.Date(); ; d++ {
		date := time.Date(y, m, d, 12, 0, 0, 0, loc).Format(time.DateOnly)
		day, ok := byDate[date]
		if !ok {
			day = Day{Date: date}
		}
		out = append(out, day)
		if date >= end {
			return out
		}
	}
}

// SourceOf is a citation as reports show it.
func SourceOf(c rag.Citation) Source {
	pub := ""
	if !c.Article.Published.IsZero() {
		pub = c.Article.Published.Format(time.DateOnly)
	}
	return Source{N: c.N, Title: c.Article.Title, URL: c.Article.URL, Publisher: c.Article.Publisher, Published: pub, Lang: c.Article.Lang}
}

// sortedLangs returns the distinct non-empty languages of a and b, sorted.
func sortedLangs(a, b []string) []string {
	out := slices.DeleteFunc(slices.Concat(a, b), func(l string) bool { return strings.TrimSpace(l) == "" })
	slices.Sort(out)
	return slices.Compact(out)
}
