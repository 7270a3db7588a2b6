package rag

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/dalil-news/dalil/cite"
	"github.com/dalil-news/dalil/lexicon"
	"github.com/dalil-news/dalil/nlp"
	"github.com/dalil-news/dalil/phrases"
	"github.com/dalil-news/dalil/prompts"
)

// articleSource is one article given to the model as a numbered source, with
// the passages its text came from.
type articleSource struct {
	article  Article
	passages []Passage
}

// groupByArticle turns passages (best first) into one source per article,
// in order of each article's best passage; an article's passages are put
// back in reading order.
func groupByArticle(ps []Passage) []articleSource {
	idx := map[int64]int{}
	var out []articleSource
	for _, p := range ps {
		i, ok := idx[p.Article.ID]
		if !ok {
			i = len(out)
			idx[p.Article.ID] = i
			out = append(out, articleSource{article: p.Article})
		}
		out[i].passages = append(out[i].passages, p)
	}
	for _, s := range out {
		sort.Slice(s.passages, func(a, b int) bool { return s.passages[a].Chunk.Start < s.passages[b].Chunk.Start })
	}
	return out
}

// llmAnswer asks the chat model to answer from numbered sources, then
// checks its citations: invalid ones are dropped, uncited sentences removed,
// the rest renumbered. With nothing validly cited, it falls back to the
// extractive answer.
func (s *Service) llmAnswer(ctx context.Context, q Question, trans *lexicon.Translation, ans Answer, ps []Passage) (Answer, error) {
	groups := groupByArticle(ps)
	sources := make([]prompts.Source, len(groups))
	for i, g := range groups {
		texts := make([]string, len(g.passages))
		for j, p := range g.passages {
			texts[j] = p.Chunk.Text
		}
		sources[i] = prompts.Source{
			N: i + 1, Title: g.article.Title, Publisher: g.article.Publisher,
			Published: g.article.Published, URL: g.article.URL, Text: strings.Join(texts, "\n\n"),
		}
	}
	// Fitting may drop sources; number the survivors 1..k so that every
	// number the model may cite exists.
	fitted := prompts.Fit(sources, s.cfg.ContextChars)
	kept := make([]articleSource, len(fitted))
	for i := range fitted {
		kept[i] = groups[fitted[i].N-1]
		fitted[i].N = i + 1
	}
	if len(fitted) == 0 {
		return extractiveAnswer(ans.Query, trans, q.Lang, ans, ps), nil
	}
	msgs, err := prompts.Answer(prompts.AnswerInput{
		Question: q.Text, Lang: q.Lang, Now: s.cfg.Now().In(s.cfg.Location),
		Sources: fitted, History: q.History,
	})
	if err != nil {
		return Answer{}, fmt.Errorf("answer prompt: %w", err)
	}
	req := ChatRequest{Messages: msgs, MaxTokens: s.cfg.AnswerMaxTokens}
	comp, err := s.chat.Complete(ctx, req, q.OnDelta)
	if err != nil {
		return Answer{}, fmt.Errorf("answer %q: %w", q.Text, err)
	}
	notFound := func() bool { return strings.HasPrefix(strings.TrimSpace(comp.Text), prompts.NotFound) }
	if !notFound() {
		inLang := true
		if comp, inLang, err = InLanguage(ctx, s.chat, req, comp, q.Lang); err != nil {
			return Answer{}, fmt.Errorf("answer %q: %w", q.Text, err)
		}
		if !inLang {
			ans.Note = phrases.Text(q.Lang, phrases.NoteWrongLanguage)
		}
	}
	ans.Usage.PromptTokens += comp.Usage.PromptTokens
	ans.Usage.CompletionTokens += comp.Usage.CompletionTokens
	if notFound() {
		ans.Text = phrases.Text(q.Lang, phrases.NotFound)
		return ans, nil
	}
	checked := cite.Check(comp.Text, len(fitted))
	if checked.Text == "" {
		ex := extractiveAnswer(ans.Query, trans, q.Lang, ans, ps)
		ex.Note = phrases.Text(q.Lang, phrases.NoteUncitedAnswer)
		return ex, nil
	}
	ans.Found = true
	ans.Text = checked.Text
	claims := nlp.Sentences(checked.Text)
	for i, orig := range checked.Sources {
		n := i + 1
		marker := fmt.Sprintf("[%d]", n)
		var citing []string
		for _, sp := range claims {
			if c := checked.Text[sp.Start:sp.End]; strings.Contains(c, marker) {
				citing = append(citing, c)
			}
		}
		g := kept[orig-1]
		chunkID, quote := bestQuote(strings.Join(citing, " "), g.passages)
		ans.Citations = append(ans.Citations, Citation{N: n, Article: g.article, ChunkID: chunkID, Quote: quote})
	}
	return ans, nil
}

// bestQuote returns the sentence of the passages that shares the most words
// with claim, and the chunk it comes from.
func bestQuote(claim string, ps []Passage) (int64, string) {
	want := nlp.NewTermSet(claim)
	var bestID int64
	best, bestScore := "", -1.0
	for _, p := range ps {
		for _, sp := range nlp.Sentences(p.Chunk.Text) {
			sent := p.Chunk.Text[sp.Start:sp.End]
			if strings.HasPrefix(sent, HeadingPrefix) {
				continue
			}
			if score := want.Coverage(nlp.NewTermSet(sent)); score > bestScore {
				bestID, best, bestScore = p.Chunk.ID, sent, score
			}
		}
	}
	return bestID, best
}

// rewrite asks the chat model for a standalone search query from a
// follow-up and the conversation so far.
func (s *Service) rewrite(ctx context.Context, q Question) (string, Usage, error) {
	msgs, err := prompts.Rewrite(prompts.RewriteInput{
		FollowUp: q.Text, Lang: q.Lang, Now: s.cfg.Now().In(s.cfg.Location), History: q.History,
	})
	if err != nil {
		return "", Usage{}, fmt.Errorf("rewrite prompt: %w", err)
	}
	comp, err := s.chat.Complete(ctx, ChatRequest{Messages: msgs, MaxTokens: 120}, nil)
	if err != nil {
		return "", Usage{}, fmt.Errorf("rewrite follow-up %q: %w", q.Text, err)
	}
	query, _, _ := strings.Cut(strings.TrimSpace(comp.Text), "\n")
	query = strings.Trim(strings.TrimSpace(query), `"«»`)
	if query == "" {
		query = q.Text
	}
	return query, comp.Usage, nil
}
