package rag

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/dalil-news/dalil/lexicon"
	"github.com/dalil-news/dalil/nlp"
	"github.com/dalil-news/dalil/phrases"
	"github.com/dalil-news/dalil/prompts"
	"github.com/dalil-news/dalil/when"
)

// Answer modes.
const (
	ModeLLM        = "llm"
	ModeExtractive = "extractive"
)

// Question is what a member asks.
type Question struct {
	Text string
	// Lang is the question's language (fr, en, ar) when known; answers and
	// "not found" messages use it.
	Lang string
	// History holds the previous turns of the conversation, oldest first;
	// a follow-up is rewritten into a standalone query before retrieval.
	History []prompts.Message
	// Mode is ModeLLM, ModeExtractive, or "" for LLM when a chat model is
	// configured and extractive otherwise.
	Mode string
	// OnDelta, when set with an LLM, receives the raw answer text as it is
	// generated (before citations are checked).
	OnDelta func(delta string)
}

// Citation is one numbered source of an answer.
type Citation struct {
	N       int     `json:"n"`
	Article Article `json:"article"`
	ChunkID int64   `json:"chunk_id"`
	// Quote is the sentence of the article the citation rests on; it is an
	// exact substring of the article text.
	Quote string `json:"quote"`
}

// Answer is dalil's reply to a question.
type Answer struct {
	Question string `json:"question"`
	// Query is the standalone search query (differs from Question for
	// follow-ups and date phrases).
	Query string `json:"query,omitempty"`
	// Found is false when the archive does not answer the question.
	Found     bool       `json:"found"`
	Text      string     `json:"answer"`
	Citations []Citation `json:"citations"`
	Mode      string     `json:"mode"`
	// Note explains a fallback (e.g. the model cited nothing valid).
	Note  string     `json:"note,omitempty"`
	Usage Usage      `json:"usage"`
	When  when.Range `json:"-"`
}

// Ask answers a question from the archive.
func (s *Service) Ask(ctx context.Context, q Question) (Answer, error) {
	q.Text = strings.TrimSpace(q.Text)
	if q.Text == "" {
		return Answer{}, fmt.Errorf("ask: %w", ErrEmptyInput)
	}
	mode := q.Mode
	if mode == "" {
		mode = ModeExtractive
		if s.chat != nil {
			mode = ModeLLM
		}
	}
	if mode == ModeLLM && s.chat == nil {
		return Answer{}, fmt.Errorf("ask: mode llm %w", ErrNoChat)
	}
	// Darija is searched as Darija (see search) and answered in Arabic when
	// written in Arabic script, in French when in Latin script.
	searchLang := q.Lang
	if q.Lang == "" || q.Lang == nlp.LangDarija {
		searchLang = nlp.SearchLang(q.Text)
		q.Lang = nlp.AskerLang(q.Text)
	}
	ans := Answer{Question: q.Text, Mode: mode}
	query, usage, err := s.standalone(ctx, q, mode)
	if err != nil {
		return Answer{}, err
	}
	ans.Usage = usage
	period, rest, ok := when.Parse(query, s.cfg.Now().In(s.cfg.Location))
	if ok && strings.TrimSpace(rest) != "" {
		query = rest
	}
	ans.Query, ans.When = query, period
	if searchLang == nlp.LangDarija {
		// The passages are judged on the words that carry meaning: the
		// French (Latin) and Arabic ones, without Darija's function words.
		if latin, arabic := nlp.DarijaQuery(query); strings.TrimSpace(latin+arabic) != "" {
			query = strings.TrimSpace(latin + " " + arabic)
		}
	}
	ps, trans, err := s.search(ctx, query, SearchOptions{When: period, Lang: searchLang})
	if err != nil {
		return Answer{}, err
	}
	ps = s.relevant(query, trans, ps)
	if len(ps) == 0 {
		ans.Text = phrases.Text(q.Lang, phrases.NotFound)
		return ans, nil
	}
	if mode == ModeLLM {
		return s.llmAnswer(ctx, q, trans, ans, ps)
	}
	return extractiveAnswer(lexicon.ExpandQuery(query), trans, q.Lang, ans, ps), nil
}

// crossTextRank is how high in text a passage in another language holding
// half its translated words must rank to pass the relevance floor.
const crossTextRank = 3

// relevant keeps the passages above the relevance floor (Config; chosen on
// testdata/eval), best first, near-ties to recent articles. One in another
// language is judged on the question's translations into it (trans) too:
// more than MinCoverage of them, that share and among the crossTextRank
// first in text, or half and first in text, second by vector; and the
// question's names (docs/crosslingual.md).
func (s *Service) relevant(query string, trans *lexicon.Translation, ps []Passage) []Passage {
	qs, expanded := nlp.NewTermSet(query), nlp.NewTermSet(lexicon.ExpandQuery(query))
	best := map[int64][2]int{} // an article's best vector and text ranks
	for _, p := range ps {
		b := best[p.Article.ID]
		best[p.Article.ID] = [2]int{bestRank(b[0], p.VectorRank), bestRank(b[1], p.TextRank)}
	}
	var out []Passage
	for _, p := range ps {
		full := passageText(p)
		text := nlp.NewTermSet(full)
		cov := max(qs.Coverage(text), expanded.Coverage(text))
		crossCov := trans.Coverage(p.Article.Lang, full)
		// Both legs ranking an article first (this chunk in one), or this chunk
		// first and second: strong evidence, with a quarter of the translation.
		quarter := !trans.Into(p.Article.Lang) || crossCov >= s.cfg.MinCoverage/2
		agreed := best[p.Article.ID] == [2]int{1, 1} && (p.VectorRank == 1 || p.TextRank == 1) && quarter
		crossOK := (crossCov > s.cfg.MinCoverage || crossCov >= s.cfg.MinCoverage && p.TextRank >= 1 && p.TextRank <= crossTextRank ||
			trans.Into(p.Article.Lang) && quarter && p.TextRank == 1 && p.VectorRank == 2) && trans.HoldsNames(p.Article.Lang, full)
		if p.Similarity >= s.cfg.MinSimilarity || cov >= s.cfg.MinCoverage || crossOK || agreed {
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if d := a.Score - b.Score; d > 1e-4 || d < -1e-4 {
			return d > 0
		}
		return a.Article.Published.After(b.Article.Published)
	})
	return out
}

// standalone turns a follow-up into a query that stands on its own: by the
// chat model in LLM mode, otherwise by prefixing the previous question's
// content words when the follow-up is short.
func (s *Service) standalone(ctx context.Context, q Question, mode string) (string, Usage, error) {
	prev := ""
	for i := len(q.History) - 1; i >= 0; i-- {
		if q.History[i].Role == prompts.RoleUser {
			prev = q.History[i].Content
			break
		}
	}
	if prev == "" {
		return q.Text, Usage{}, nil
	}
	if mode == ModeLLM {
		return s.rewrite(ctx, q)
	}
	if len(nlp.Terms(q.Text)) >= 6 {
		return q.Text, Usage{}, nil
	}
	return strings.Join(nlp.Terms(prev), " ") + " " + q.Text, Usage{}, nil
}

// answerPronouns open sentences that need the previous one to make sense.
var answerPronouns = map[string]bool{
	"il": true, "elle": true, "ils": true, "elles": true, "celui-ci": true, "celle-ci": true, "he": true, "she": true,
	"they": true, "it": true, "this": true, "these": true, "هو": true, "هي": true, "هم": true,
}

// startsWithPronoun reports whether a sentence's first word is a pronoun.
func startsWithPronoun(sent string) bool {
	first, _, _ := strings.Cut(sent, " ")
	return answerPronouns[strings.ToLower(strings.Trim(first, ",;:«“\""))]
}

// extractiveAnswer quotes the best one to three sentences of the passages,
// each followed by the number of its article.
func extractiveAnswer(query string, trans *lexicon.Translation, lang string, ans Answer, ps []Passage) Answer {
	qs := nlp.NewTermSet(query)
	type cand struct {
		p          Passage
		sent       string
		start, end int // byte offsets of sent in p.Chunk.Text
		score      float64
	}
	var cands []cand
	for pi, p := range ps {
		if pi >= 6 {
			break
		}
		spans := nlp.Sentences(p.Chunk.Text)
		for si, sp := range spans {
			sent := p.Chunk.Text[sp.Start:sp.End]
			if len([]rune(sent)) < 25 || strings.HasPrefix(sent, HeadingPrefix) {
				continue
			}
			// Word overlap decides; the passage's rank breaks ties.
			cov := max(qs.Coverage(nlp.NewTermSet(sent)), trans.SentenceCoverage(p.Article.Lang, sent))
			score := cov + 0.05/float64(pi+1)
			// A sentence that opens with a pronoun ("Elle a introduit…")
			// is quoted with the one before it, which says who.
			start := sp.Start
			if si > 0 && startsWithPronoun(sent) {
				start = spans[si-1].Start
				sent = p.Chunk.Text[start:sp.End]
			}
			cands = append(cands, cand{p, sent, start, sp.End, score})
		}
	}
	if len(cands) == 0 {
		ans.Text = phrases.Text(lang, phrases.NotFound)
		return ans
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score > cands[j].score })
	best := cands[0].score
	var picked []cand
	perArticle := map[int64]int{}
	// A candidate never repeats text already picked. One overlapping a
	// picked span of the same chunk (a sentence widened to the one before
	// it, and that sentence) is merged into it: the union is still one
	// stretch of the chunk, quoted once. One with the same words as a
	// picked quote (wire copy published twice), compared after folding
	// case, accents and spaces, is left out.
	merged := func(c cand) bool {
		for i, q := range picked {
			if q.p.Chunk.ID == c.p.Chunk.ID && c.start < q.end && q.start < c.end {
				q.start, q.end = min(q.start, c.start), max(q.end, c.end)
				q.sent = q.p.Chunk.Text[q.start:q.end]
				picked[i] = q
				return true
			}
		}
		return false
	}
	repeated := func(c cand) bool {
		text := nlp.Collapse(nlp.Fold(c.sent))
		for _, q := range picked {
			prev := nlp.Collapse(nlp.Fold(q.sent))
			if strings.Contains(prev, text) || strings.Contains(text, prev) {
				return true
			}
		}
		return false
	}
	for _, c := range cands {
		if len(picked) == 3 || c.score < best*0.6 {
			break
		}
		if perArticle[c.p.Article.ID] == 2 || merged(c) || repeated(c) {
			continue
		}
		perArticle[c.p.Article.ID]++
		picked = append(picked, c)
	}
	// Keep the reading order of the article for sentences of one passage.
	open, closeQ := phrases.Text(lang, phrases.QuoteOpen), phrases.Text(lang, phrases.QuoteClose)
	num := map[int64]int{}
	var b strings.Builder
	for _, c := range picked {
		n, ok := num[c.p.Article.ID]
		if !ok {
			n = len(num) + 1
			num[c.p.Article.ID] = n
			ans.Citations = append(ans.Citations, Citation{N: n, Article: c.p.Article, ChunkID: c.p.Chunk.ID, Quote: c.sent})
		}
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%s%s%s [%d]", open, c.sent, closeQ, n)
	}
	ans.Found = true
	ans.Text = b.String()
	return ans
}
