package rag

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/dalil-news/dalil/cite"
	"github.com/dalil-news/dalil/nlp"
	"github.com/dalil-news/dalil/phrases"
	"github.com/dalil-news/dalil/prompts"
)

// Summary is a short summary of one article: 3 to 5 bullets, one a line,
// each starting with "- " and citing the article as [1].
type Summary struct {
	// Article is the summarized article, without its text.
	Article Article `json:"article"`
	Text    string  `json:"summary"`
	// Mode is ModeLLM or ModeExtractive.
	Mode string `json:"mode"`
	// Lang is the language asked for ("" when the article's own).
	Lang string `json:"lang,omitempty"`
	// Parts is the number of parts the article was summarized in (1 for a
	// whole article; more for a map-reduce summary).
	Parts int `json:"parts"`
	// Note explains a fallback or a limit (e.g. only the first parts of a
	// very long article were read).
	Note  string `json:"note,omitempty"`
	Usage Usage  `json:"usage"`
}

// Bounds of summaries.
const (
	// summaryMaxParts caps the map step of a map-reduce summary, so that a
	// huge article costs a bounded number of model calls.
	summaryMaxParts = 12
	// summaryMinBullets and summaryMaxBullets bound the bullets of a
	// model's summary, as the prompts ask.
	summaryMinBullets = 3
	summaryMaxBullets = 5
	// extractiveSentences is how many sentences an extractive summary
	// quotes, and extractiveChars roughly bounds their length.
	extractiveSentences = 3
	extractiveChars     = 700
	// extractiveMaxSentence skips sentences longer than this (runes) when
	// others are available: a bullet is never cut.
	extractiveMaxSentence = 400
	// textRankMaxSentences bounds the quadratic similarity graph.
	textRankMaxSentences = 200
)

// Summarize summarizes the stored article with id in lang ("" for the
// article's language): with a chat model, 3 to 5 cited bullets (map-reduce
// over parts of a long article, each part within Config.ContextChars);
// without one, extractively. The error wraps ErrNotFound when there is no
// such article.
func (s *Service) Summarize(ctx context.Context, articleID int64, lang string) (Summary, error) {
	a, err := s.store.Article(ctx, articleID)
	if err != nil {
		return Summary{}, fmt.Errorf("summarize article %d: %w", articleID, err)
	}
	return s.SummarizeArticle(ctx, a, lang)
}

// SummarizeArticle summarizes a (which needs its Text) like Summarize.
func (s *Service) SummarizeArticle(ctx context.Context, a Article, lang string) (Summary, error) {
	if strings.TrimSpace(a.Text) == "" {
		return Summary{}, fmt.Errorf("summarize %q: %w", a.URL, ErrEmptyInput)
	}
	if s.chat == nil {
		return ExtractiveSummary(a, lang), nil
	}
	sum, err := s.llmSummary(ctx, a, lang)
	if err != nil {
		return Summary{}, fmt.Errorf("summarize %q: %w", a.URL, err)
	}
	return sum, nil
}

// llmSummary summarizes a whole article in one call, or a long one part by
// part and then combines the part summaries, hierarchically when they do
// not fit the context budget together.
func (s *Service) llmSummary(ctx context.Context, a Article, lang string) (Summary, error) {
	sum := Summary{Article: withoutText(a), Mode: ModeLLM, Lang: lang}
	src := prompts.Source{N: 1, Title: a.Title, Publisher: a.Publisher, Published: a.Published, URL: a.URL}
	budget := s.cfg.ContextChars
	var parts []string
	if utf8.RuneCountInString(a.Text) <= budget {
		parts = []string{a.Text}
	} else {
		// Chunks may reach 1.2 × MaxChars.
		for _, c := range ChunkArticle(a, ChunkConfig{MaxChars: budget * 5 / 6, Overlap: -1}) {
			text := c.Text
			if c.Heading != "" && !strings.HasPrefix(text, HeadingPrefix) {
				text = HeadingPrefix + c.Heading + "\n\n" + text
			}
			parts = append(parts, text)
		}
	}
	if len(parts) > summaryMaxParts {
		sum.Note = phrases.Text(cmp.Or(lang, a.Lang), phrases.NoteLongArticle, summaryMaxParts, len(parts))
		parts = parts[:summaryMaxParts]
	}
	sum.Parts = len(parts)
	partials := make([]string, 0, len(parts))
	for i, p := range parts {
		in := prompts.SummaryInput{Lang: lang, Article: src}
		in.Article.Text = p
		if len(parts) > 1 {
			in.Part, in.Parts = i+1, len(parts)
		}
		msgs, err := prompts.Summary(in)
		if err != nil {
			return Summary{}, err
		}
		b, err := s.writeSummary(ctx, msgs, lang, a.Lang, &sum)
		if err != nil {
			return Summary{}, fmt.Errorf("part %d of %d: %w", i+1, len(parts), err)
		}
		if b != "" {
			partials = append(partials, b)
		}
	}
	// Reduce: combine groups of partial summaries that fit the budget
	// until one remains.
	for len(partials) > 1 {
		var next []string
		for _, group := range groupWithin(partials, budget) {
			if len(group) == 1 {
				next = append(next, group[0])
				continue
			}
			msgs, err := prompts.SummaryCombine(prompts.SummaryCombineInput{Lang: lang, Article: src, Partials: group})
			if err != nil {
				return Summary{}, err
			}
			b, err := s.writeSummary(ctx, msgs, lang, a.Lang, &sum)
			if err != nil {
				return Summary{}, fmt.Errorf("combine %d part summaries: %w", len(group), err)
			}
			if b != "" {
				next = append(next, b)
			}
		}
		if len(next) >= len(partials) {
			// Nothing could be combined (each alone exceeds the budget):
			// keep the first, which covers the lead.
			next = next[:1]
		}
		partials = next
	}
	note := phrases.NoteUncitedSummary
	if len(partials) > 0 {
		if bulletCount(partials[0]) >= summaryMinBullets {
			sum.Text = partials[0]
			return sum, nil
		}
		note = phrases.NoteShortSummary
	}
	ex := ExtractiveSummary(a, lang)
	ex.Usage = sum.Usage
	ex.Note = phrases.Text(cmp.Or(lang, a.Lang), note)
	return ex, nil
}

// writeSummary runs one summary call and returns its bullets
// (summaryBullets), adding the calls' usage to sum. A reply in another
// language than lang (artLang when lang is "") is asked for again in it
// (InLanguage), and one still in another language is noted in sum; a reply
// with fewer than summaryMinBullets bullets is asked for again once
// (prompts.Rebullet), and the answer kept when it has more.
func (s *Service) writeSummary(ctx context.Context, msgs []prompts.Message, lang, artLang string, sum *Summary) (string, error) {
	want := cmp.Or(lang, artLang)
	req := ChatRequest{Messages: msgs, MaxTokens: 600}
	comp, err := s.chat.Complete(ctx, req, nil)
	if err != nil {
		return "", err
	}
	comp, inLang, err := InLanguage(ctx, s.chat, req, comp, want)
	if err != nil {
		return "", err
	}
	addUsage(&sum.Usage, comp.Usage)
	bullets := summaryBullets(comp.Text)
	if n := bulletCount(bullets); n < summaryMinBullets {
		again, err := prompts.Rebullet(n, lang)
		if err != nil {
			return "", err
		}
		req.Messages = append(msgs[:len(msgs):len(msgs)], prompts.Message{Role: prompts.RoleAssistant, Content: comp.Text}, again)
		redo, err := s.chat.Complete(ctx, req, nil)
		if err != nil {
			return "", fmt.Errorf("ask again for %d to %d bullets: %w", summaryMinBullets, summaryMaxBullets, err)
		}
		addUsage(&sum.Usage, redo.Usage)
		got := nlp.DetectLang(redo.Text)
		if b := summaryBullets(redo.Text); bulletCount(b) > n && (got == "" || got == want || !inLang) {
			bullets, inLang = b, got == "" || got == want
		}
	}
	if !inLang && sum.Note == "" {
		sum.Note = phrases.Text(want, phrases.NoteSummaryLanguage)
	}
	return bullets, nil
}

// bulletCount is the number of bullets (lines) of summaryBullets' result.
func bulletCount(bullets string) int {
	if bullets == "" {
		return 0
	}
	return strings.Count(bullets, "\n") + 1
}

// addUsage adds v to u.
func addUsage(u *Usage, v Usage) {
	u.PromptTokens += v.PromptTokens
	u.CompletionTokens += v.CompletionTokens
}

// groupWithin packs texts, in order, into groups whose total length (runes)
// stays within budget; a text longer than budget is a group of its own.
func groupWithin(texts []string, budget int) [][]string {
	var out [][]string
	size := 0
	for _, t := range texts {
		n := utf8.RuneCountInString(t)
		if len(out) == 0 || size+n > budget {
			out = append(out, nil)
			size = 0
		}
		out[len(out)-1] = append(out[len(out)-1], t)
		size += n
	}
	return out
}

// summaryBullets normalizes a model's summary: one bullet a line starting
// with "- ", at most summaryMaxBullets, every sentence citing [1] (anything
// citing another number or nothing is dropped). It returns "" when no
// cited bullet remains.
func summaryBullets(text string) string {
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		l = strings.TrimLeft(l, "-*•·–— \t")
		if i := strings.IndexAny(l, ".)"); i > 0 && i <= 2 && nlp.IsDigits(l[:i]) {
			l = strings.TrimSpace(l[i+1:])
		}
		if l != "" {
			lines = append(lines, "- "+l)
		}
	}
	checked := cite.Check(strings.Join(lines, "\n"), 1)
	var out []string
	for _, l := range strings.Split(checked.Text, "\n") {
		if l = strings.TrimSpace(l); l != "" && len(out) < summaryMaxBullets {
			if !strings.HasPrefix(l, "- ") {
				l = "- " + l
			}
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// withoutText returns a with its text removed (for results that name an
// article without carrying its body).
func withoutText(a Article) Article {
	a.Text = ""
	return a
}

// ExtractiveSummary summarizes a without a model: its lead sentence plus the
// most central other sentences by a TextRank ranking over word-overlap
// similarity, in reading order, as bullets citing [1]. Sentences are quoted
// whole, never cut. lang is recorded but the sentences stay in the
// article's language.
func ExtractiveSummary(a Article, lang string) Summary {
	sum := Summary{Article: withoutText(a), Mode: ModeExtractive, Lang: lang, Parts: 1}
	if lang != "" && a.Lang != "" && lang != a.Lang {
		sum.Note = phrases.Text(lang, phrases.NoteExtractiveSummary)
	}
	type sentence struct {
		text  string
		terms nlp.TermSet
		order int
	}
	var sents []sentence
	var long []sentence // over extractiveMaxSentence, used only when nothing else is
	for _, sp := range nlp.Sentences(a.Text) {
		t := a.Text[sp.Start:sp.End]
		if strings.HasPrefix(t, HeadingPrefix) || utf8.RuneCountInString(t) < 20 {
			continue
		}
		s := sentence{text: t, terms: nlp.NewTermSet(t), order: len(sents) + len(long)}
		if utf8.RuneCountInString(t) > extractiveMaxSentence {
			long = append(long, s)
			continue
		}
		if len(sents) < textRankMaxSentences {
			sents = append(sents, s)
		}
	}
	if len(sents) == 0 && len(long) > 0 {
		sents = long[:1]
	}
	if len(sents) == 0 {
		// Only short lines: quote the first paragraph as is.
		first, _, _ := strings.Cut(strings.TrimSpace(a.Text), "\n\n")
		sum.Text = "- " + nlp.Collapse(first) + " [1]"
		return sum
	}
	sets := make([]nlp.TermSet, len(sents))
	for i, s := range sents {
		sets[i] = s.terms
	}
	rank := textRank(sets)
	picked := []int{0} // the lead
	size := utf8.RuneCountInString(sents[0].text)
	order := make([]int, len(sents))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return rank[order[i]] > rank[order[j]] })
	for _, i := range order {
		if len(picked) == extractiveSentences {
			break
		}
		if i == 0 {
			continue
		}
		n := utf8.RuneCountInString(sents[i].text)
		if size+n > extractiveChars {
			continue
		}
		redundant := false
		for _, p := range picked {
			if sents[i].terms.Coverage(sents[p].terms) > 0.7 {
				redundant = true
				break
			}
		}
		if redundant {
			continue
		}
		picked = append(picked, i)
		size += n
	}
	sort.Ints(picked)
	lines := make([]string, len(picked))
	for k, i := range picked {
		lines[k] = "- " + nlp.Collapse(sents[i].text) + " [1]"
	}
	sum.Text = strings.Join(lines, "\n")
	return sum
}

// textRank scores sentences by PageRank over the graph whose edges weigh
// the overlap of their terms, normalized by their lengths (Mihalcea and
// Tarau, 2004). Scores sum to about 1.
func textRank(sets []nlp.TermSet) []float64 {
	n := len(sets)
	w := make([][]float64, n)
	out := make([]float64, n) // total outgoing weight
	for i := range w {
		w[i] = make([]float64, n)
	}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if len(sets[i]) < 2 || len(sets[j]) < 2 {
				continue
			}
			common := 0
			for t := range sets[i] {
				if sets[j][t] {
					common++
				}
			}
			if common == 0 {
				continue
			}
			sim := float64(common) / (math.Log(float64(len(sets[i]))) + math.Log(float64(len(sets[j]))))
			w[i][j], w[j][i] = sim, sim
			out[i] += sim
			out[j] += sim
		}
	}
	const damping = 0.85
	score := make([]float64, n)
	for i := range score {
		score[i] = 1 / float64(n)
	}
	next := make([]float64, n)
	for iter := 0; iter < 50; iter++ {
		delta := 0.0
		for i := 0; i < n; i++ {
			sum := 0.0
			for j := 0; j < n; j++ {
				if w[j][i] > 0 {
					sum += w[j][i] / out[j] * score[j]
				}
			}
			next[i] = (1-damping)/float64(n) + damping*sum
			delta += math.Abs(next[i] - score[i])
		}
		score, next = next, score
		if delta < 1e-6 {
			break
		}
	}
	return score
}
