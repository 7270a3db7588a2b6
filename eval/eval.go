// Package eval measures dalil's retrieval and answers on a file of
// questions with known answers: it reads the questions, puts them to the
// system (Run), and scores what a search ranked and what an answer said
// (recall@k, MRR, answers containing the gold text, answers citing an
// expected article, valid citations, latency percentiles). `dalil eval`
// and the bench in bench/ both score with it.
package eval

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dalil-news/dalil/rag"
)

// Question is one line of a questions file.
type Question struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	Lang string `json:"lang"`
	// Script is the writing of a question whose language is written in
	// more than one ("latn" or "arab" for Darija, "ary"); "" otherwise.
	Script string `json:"script,omitempty"`
	Text   string `json:"question"`
	// ExpectedURLs are the articles that answer the question; none: the
	// archive cannot answer it. "seed:WORD" stands for an article whose
	// title contains WORD.
	ExpectedURLs []string `json:"expected_urls"`
	// Answers are gold strings, one of which a right answer contains.
	Answers []string `json:"answers"`
}

// ReadQuestions reads a JSONL file of questions, skipping blank lines and
// ignoring fields it does not know; a question without a kind is of kind
// "all". The error names the first bad line, and a file without questions
// is an error.
func ReadQuestions(path string) ([]Question, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var qs []Question
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var q Question
		if err := json.Unmarshal([]byte(line), &q); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		if strings.TrimSpace(q.Text) == "" {
			return nil, fmt.Errorf("%s:%d: empty question", path, n)
		}
		if q.Kind == "" {
			q.Kind = "all"
		}
		qs = append(qs, q)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(qs) == 0 {
		return nil, fmt.Errorf("%s has no questions", path)
	}
	return qs, nil
}

// Rank is the 1-based rank of the first article matching an expected URL
// (or "seed:WORD" title) among arts, counting each article once (by ID, or
// by URL for articles without one); 0 when none matches.
func Rank(arts []rag.Article, expected []string) int {
	seen := map[any]bool{}
	for _, a := range arts {
		var key any = a.ID
		if a.ID == 0 {
			key = a.URL
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		for _, u := range expected {
			if word, ok := strings.CutPrefix(u, "seed:"); ok {
				if strings.Contains(strings.ToLower(a.Title), strings.ToLower(word)) {
					return len(seen)
				}
			} else if a.URL == u {
				return len(seen)
			}
		}
	}
	return 0
}

// Retrieval accumulates the ranks at which questions found their first
// expected article.
type Retrieval struct {
	n, at1, at5 int
	rr          float64 // sum of the reciprocal ranks within 10
}

// Add counts one question whose first expected article came at rank (0:
// missed).
func (r *Retrieval) Add(rank int) {
	r.n++
	if rank < 1 {
		return
	}
	if rank == 1 {
		r.at1++
	}
	if rank <= 5 {
		r.at5++
	}
	if rank <= 10 {
		r.rr += 1 / float64(rank)
	}
}

// Questions is the number of questions added.
func (r Retrieval) Questions() int { return r.n }

// RecallAt1 is the share of questions whose expected article came first.
func (r Retrieval) RecallAt1() float64 { return share(float64(r.at1), r.n) }

// RecallAt5 is the share of questions with an expected article in the top 5.
func (r Retrieval) RecallAt5() float64 { return share(float64(r.at5), r.n) }

// MRRAt10 is the mean reciprocal rank, counting ranks beyond 10 as misses.
func (r Retrieval) MRRAt10() float64 { return share(r.rr, r.n) }

// share is sum/n, 0 when n is 0.
func share(sum float64, n int) float64 {
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// ContainsAny reports whether text contains one of the gold strings,
// ignoring case and the gold strings' surrounding spaces.
func ContainsAny(text string, gold []string) bool {
	t := strings.ToLower(text)
	for _, g := range gold {
		if g = strings.ToLower(strings.TrimSpace(g)); g != "" && strings.Contains(t, g) {
			return true
		}
	}
	return false
}

// Percentile is the p-th percentile (nearest rank) of sorted durations; 0
// when there are none.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted))+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// Milliseconds is d in milliseconds, to the microsecond.
func Milliseconds(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Kind is the figures of one kind of question, as `dalil eval` reports
// them. Add to it with AddRank, AddAnswer, AddCitesExpected and
// AddCitation, then Finish.
type Kind struct {
	Kind          string  `json:"kind"`
	Questions     int     `json:"questions"`
	RecallAt1     float64 `json:"recall_at_1"`
	RecallAt5     float64 `json:"recall_at_5"`
	MRRAt10       float64 `json:"mrr_at_10"`
	Contains      float64 `json:"answer_contains_gold"`
	NotFound      float64 `json:"not_found_rate"`
	CitesExpected float64 `json:"answered_citing_expected"` // of answerable questions: found, citing an expected article
	CitationValid float64 `json:"citation_validity"`
	TokensPerAns  float64 `json:"tokens_per_answer"`
	LatencyP50ms  float64 `json:"latency_p50_ms"`
	LatencyP95ms  float64 `json:"latency_p95_ms"`

	ranks                           Retrieval
	withGold, citations, validCites int
	answerable, citingExpected      int
	latencies                       []time.Duration
}

// AddRank counts the search of an answerable question, whose first
// expected article came at rank (0: missed).
func (k *Kind) AddRank(rank int) { k.ranks.Add(rank) }

// AddAnswer counts one question's answer, which took took; gold are the
// question's gold strings (none: not scored for containing them).
func (k *Kind) AddAnswer(ans rag.Answer, took time.Duration, gold []string) {
	k.Questions++
	k.latencies = append(k.latencies, took)
	if !ans.Found {
		k.NotFound++
	}
	k.TokensPerAns += float64(ans.Usage.PromptTokens + ans.Usage.CompletionTokens)
	if len(gold) > 0 {
		k.withGold++
		if ans.Found && ContainsAny(ans.Text, gold) {
			k.Contains++
		}
	}
}

// AddCitesExpected counts the answer to an answerable question, whose
// expected articles (URLs or "seed:WORD", as for Rank) are expected: it
// scores when the answer is found and cites one of them.
func (k *Kind) AddCitesExpected(ans rag.Answer, expected []string) {
	k.answerable++
	if !ans.Found {
		return
	}
	cited := make([]rag.Article, len(ans.Citations))
	for i, c := range ans.Citations {
		cited[i] = c.Article
	}
	if Rank(cited, expected) > 0 {
		k.citingExpected++
	}
}

// AddCitation counts one citation of an answer: valid when its quote is
// not empty and appears in the cited article's text.
func (k *Kind) AddCitation(quote, articleText string) {
	k.citations++
	if quote != "" && strings.Contains(articleText, quote) {
		k.validCites++
	}
}

// Finish turns the sums into shares and percentiles.
func (k *Kind) Finish() {
	k.RecallAt1, k.RecallAt5, k.MRRAt10 = k.ranks.RecallAt1(), k.ranks.RecallAt5(), k.ranks.MRRAt10()
	k.Contains = share(k.Contains, k.withGold)
	k.NotFound = share(k.NotFound, k.Questions)
	k.CitesExpected = share(float64(k.citingExpected), k.answerable)
	k.TokensPerAns = share(k.TokensPerAns, k.Questions)
	if k.citations > 0 {
		k.CitationValid = float64(k.validCites) / float64(k.citations)
	}
	sort.Slice(k.latencies, func(i, j int) bool { return k.latencies[i] < k.latencies[j] })
	k.LatencyP50ms = Milliseconds(Percentile(k.latencies, 0.50))
	k.LatencyP95ms = Milliseconds(Percentile(k.latencies, 0.95))
}

// Kinds groups the figures by kind of question.
type Kinds map[string]*Kind

// Of returns the figures of a kind, adding it when new.
func (ks Kinds) Of(kind string) *Kind {
	k := ks[kind]
	if k == nil {
		k = &Kind{Kind: kind}
		ks[kind] = k
	}
	return k
}

// Finish finishes every kind and returns them sorted by name.
func (ks Kinds) Finish() []*Kind {
	out := make([]*Kind, 0, len(ks))
	for _, k := range ks {
		k.Finish()
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out
}

// WriteTable prints kinds as `dalil eval` does: one right-aligned row a
// kind, shares to three decimals, latencies in milliseconds.
func WriteTable(w io.Writer, kinds []*Kind) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kind\tn\trecall@1\trecall@5\tMRR@10\tcontains gold\tnot found\tcites expected\tcitations ok\ttokens/ans\tp50 ms\tp95 ms\t")
	for _, k := range kinds {
		fmt.Fprintf(tw, "%s\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.0f\t%.1f\t%.1f\t\n", k.Kind, k.Questions,
			k.RecallAt1, k.RecallAt5, k.MRRAt10, k.Contains, k.NotFound, k.CitesExpected, k.CitationValid, k.TokensPerAns, k.LatencyP50ms, k.LatencyP95ms)
	}
	return tw.Flush()
}
