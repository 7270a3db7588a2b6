package rag

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/dalil-news/dalil/lexicon"
	"github.com/dalil-news/dalil/nlp"
)

// Translator translates the content words of a question into another
// language, structurally: one lexicon.Term per source word, with all its
// translations. *lexicon.Dictionaries implements it.
type Translator interface {
	// Translate returns the Terms of text, written in from, in language to;
	// none when the pair is not available.
	Translate(text, from, to string) []lexicon.Term
	// Pairs lists the available directions, e.g. {"en", "fr"}.
	Pairs() [][2]string
}

// archiveLangs are the languages dalil's archive holds and translates
// questions into.
var archiveLangs = []string{"fr", "en", "ar"}

// vectorLegWeight is a dictionary translation's vector search's weight
// in the fusion, the structured query weighing 1: it orders passages
// worse than the words do, but finds some they miss, and a passage both
// put first is one the gate may trust (docs/crosslingual.md).
const vectorLegWeight = 0.3

// dictTranslations translates a question written in lang into the
// archive's other languages with the Translator (microseconds: it is done
// for every question). The chat model's translations, a call each, are
// added only when a search needs them (translatedLegs). It returns nil
// when lang is unknown.
func (s *Service) dictTranslations(query, lang string) *lexicon.Translation {
	if lang == "" {
		return nil
	}
	tr := lexicon.NewTranslation()
	if s.cfg.Translator == nil {
		return tr
	}
	pairs := s.cfg.Translator.Pairs()
	for _, to := range archiveLangs {
		if to == lang || !slices.Contains(pairs, [2]string{lang, to}) {
			continue
		}
		if terms := s.cfg.Translator.Translate(query, lang, to); len(terms) > 0 {
			tr.Terms[to] = terms
			tr.Untranslated[to] = lexicon.Untranslated(terms, query)
		}
	}
	return tr
}

// translatedLegs returns what searchLegs runs when the question's own
// search found nothing holding its words: the structured query of parts
// and trans's dictionary translations (lexicon.Translation.Structured);
// a vector search of each dictionary translation
// (weighing vectorLegWeight); and a search of each of the chat model's
// translations of parts (llmTranslations, added to trans), weighing
// TranslationWeight.
func (s *Service) translatedLegs(trans *lexicon.Translation, parts []lexicon.Part) func(context.Context) ([]searchLeg, error) {
	return func(ctx context.Context) ([]searchLeg, error) {
		for _, p := range parts {
			texts, err := s.llmTranslations(ctx, p.Words, p.Lang)
			if err != nil {
				return nil, err
			}
			trans.Merge(&lexicon.Translation{Texts: texts})
		}
		var legs []searchLeg
		if groups := trans.Structured(parts); len(groups) > 0 {
			var question, words []string
			for _, p := range parts {
				question = append(question, p.Words)
			}
			for _, p := range slices.Concat(groups...) {
				words = append(words, p.Words)
			}
			// A dated search scores the groups' words as separate words
			// (the store's structured query is undated only).
			legs = append(legs, searchLeg{text: strings.Join(words, " "), groups: groups, embed: strings.Join(question, " "), weight: 1})
		}
		for _, lang := range archiveLangs {
			if text := trans.VectorText(lang); text != "" {
				legs = append(legs, searchLeg{lang: lang, text: text, vectorOnly: true, weight: vectorLegWeight})
			}
			if text := trans.Texts[lang]; text != "" {
				legs = append(legs, searchLeg{lang: lang, text: text, weight: s.cfg.TranslationWeight})
			}
		}
		return legs, nil
	}
}

// searchLeg is one search of a question, in the question's language or
// translated.
type searchLeg struct {
	lang, text string
	weight     float64
	// judge says how much of the leg's question a passage holds (own
	// legs only).
	judge func(Passage) float64
	// groups are the structured query's (SearchQuery.Groups): its
	// search is full-text only, and its ranking replaces the own one's.
	groups [][]QueryPart
	// vectorOnly legs search by the embedding of text alone.
	vectorOnly bool
	// embed, when set, is embedded instead of text: the structured
	// query's question, whose vector gives its passages their similarity.
	embed string
}

// strength is how well a leg's search did: the largest share of its
// question that one of its first passages holds.
func (l searchLeg) strength(ps []Passage) float64 {
	best := 0.0
	for _, p := range ps[:min(len(ps), coveredTop)] {
		best = max(best, l.judge(p))
	}
	return best
}

// passageText is the text a passage is judged on: title, heading, chunk.
func passageText(p Passage) string {
	return p.Article.Title + " " + p.Chunk.Heading + " " + p.Chunk.Text
}

// ownJudge judges passages on the share of query's content words they
// hold; none when they lack a word trans carries over (HoldsCarried), or
// are in a language trans translates the question into: names and
// cognates are no sign that a question speaks that language.
func ownJudge(query string, trans *lexicon.Translation) func(Passage) float64 {
	qs := nlp.NewTermSet(query)
	return func(p Passage) float64 {
		if text := passageText(p); !trans.Into(p.Article.Lang) && trans.HoldsCarried(text) {
			return qs.Coverage(nlp.NewTermSet(text))
		}
		return 0
	}
}

// searchLegs runs the question's own legs, at once, each for k passages;
// when one of them found a passage its judge (ownJudge) credits with
// MinCoverage of the question's words, the question speaks the archive's
// language and their ranking is the answer (a single own leg's as the
// store fused it). Else it asks translated for more legs, run at once.
// The structured query's ranking then replaces the own legs' (it holds
// the question's own words beside their translations, all scored on one
// scale), fused with the translations' vector searches and the chat
// model's translations' by weighted reciprocal rank fusion (fuseLists),
// at most PerArticle an article; the own ranking fills what they leave
// of k, and its first passage stays first when both its legs put it
// first. Without a structured query (no dictionaries), the own legs'
// rankings are fused with the chat model's, after the own leg's first
// ownPinned (when there is one own leg). docs/crosslingual.md says why,
// with the figures.
func (s *Service) searchLegs(ctx context.Context, q SearchQuery, own []searchLeg, translated func(context.Context) ([]searchLeg, error)) ([]Passage, error) {
	ownLists, err := s.runLegs(ctx, q, own)
	if err != nil {
		return nil, err
	}
	ownRanking := ownLists[0]
	if len(own) > 1 {
		ownRanking = fuseLists(ownLists, legWeights(own), s.cfg.FusionK, q.PerArticle, q.K)
	}
	confident := false
	for i, l := range own {
		confident = confident || l.strength(ownLists[i]) >= s.cfg.MinCoverage
	}
	var more []searchLeg
	if !confident {
		if more, err = translated(ctx); err != nil {
			return nil, err
		}
	}
	if len(more) == 0 {
		return ownRanking, nil
	}
	moreLists, err := s.runLegs(ctx, q, more)
	if err != nil {
		return nil, err
	}
	if more[0].groups != nil {
		// The own search's text is glossary-expanded, so its legs may
		// agree on a passage in another language for a reason: its
		// evidence counts whatever the passage's language.
		fused := fuseLists(moreLists, legWeights(more), s.cfg.FusionK, q.PerArticle, q.K)
		ranking := pinFirst(withEvidence(fused, ownRanking), ownRanking, len(fused), q.K, q.PerArticle)
		if len(ownRanking) > 0 && ownRanking[0].VectorRank == 1 && ownRanking[0].TextRank == 1 {
			ranking = pinFirst(ownRanking, ranking, 1, q.K, q.PerArticle)
		}
		return ranking, nil
	}
	fused := fuseLists(append(ownLists, moreLists...), legWeights(append(slices.Clip(own), more...)), s.cfg.FusionK, q.PerArticle, q.K)
	if len(own) == 1 {
		return pinFirst(ownLists[0], fused, ownPinned, q.K, q.PerArticle), nil
	}
	return fused, nil
}

// runLegs embeds the legs' texts (or what they embed instead) and runs
// one store search a leg, at once, returning their rankings in the legs'
// order. The structured query's vector only gives its passages their
// similarity (SearchQuery.TextOnly).
func (s *Service) runLegs(ctx context.Context, q SearchQuery, legs []searchLeg) ([][]Passage, error) {
	var texts []string
	for _, l := range legs {
		texts = append(texts, cmp.Or(l.embed, l.text))
	}
	vecs, err := s.embed(ctx, texts)
	if err != nil {
		return nil, fmt.Errorf("embed question: %w", err)
	}
	lists := make([][]Passage, len(legs))
	errs := make([]error, len(legs))
	var wg sync.WaitGroup
	for i, l := range legs {
		lq := q
		lq.Text, lq.Lang, lq.Groups, lq.TextOnly = l.text, l.lang, l.groups, l.groups != nil
		lq.Vector, vecs = vecs[0], vecs[1:]
		if l.vectorOnly {
			lq.Text = ""
		}
		wg.Go(func() {
			if lists[i], errs[i] = s.store.Search(ctx, lq); errs[i] != nil {
				errs[i] = fmt.Errorf("search %q (%s): %w", nlp.Truncate(l.text, 80), l.lang, errs[i])
			} else if l.vectorOnly {
				inLanguage(lists[i], l.lang)
			}
		})
	}
	wg.Wait()
	return lists, errors.Join(errs...)
}

// legWeights returns the legs' weights in fusion.
func legWeights(legs []searchLeg) []float64 {
	w := make([]float64, len(legs))
	for i, l := range legs {
		w[i] = l.weight
	}
	return w
}

// coveredTop is how many of a search's first passages covered looks at.
const coveredTop = 3

// fuseLists merges ranked passage lists by weighted reciprocal rank fusion
// (score = Σ weight / (k + rank)), keeps at most perArticle passages of an
// article (0: no cap) and returns the best n, best first; ties go to the
// lower chunk id. A passage is the one of the list that ranked it best,
// with the best evidence of any list (withEvidenceOf: the highest
// similarity, and in each leg the best rank).
func fuseLists(lists [][]Passage, weights []float64, k, perArticle, n int) []Passage {
	type fused struct {
		p        Passage
		score    float64
		bestRank int
	}
	byID := map[int64]*fused{}
	var all []*fused
	for li, list := range lists {
		for r, p := range list {
			f := byID[p.Chunk.ID]
			if f == nil {
				f = &fused{p: p, bestRank: r + 1}
				byID[p.Chunk.ID] = f
				all = append(all, f)
			} else {
				merged := f.p
				if r+1 < f.bestRank {
					merged, f.bestRank = p, r+1
				}
				f.p = withEvidenceOf(merged, f.p, p)
			}
			f.score += weights[li] / float64(k+r+1)
		}
	}
	slices.SortFunc(all, func(a, b *fused) int {
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.p.Chunk.ID, b.p.Chunk.ID))
	})
	perArt := map[int64]int{}
	var out []Passage
	for _, f := range all {
		if perArticle > 0 && perArt[f.p.Article.ID] >= perArticle {
			continue
		}
		perArt[f.p.Article.ID]++
		f.p.Score = f.score
		out = append(out, f.p)
		if len(out) == n {
			break
		}
	}
	return out
}

// searchDarija searches a Darija question (see nlp.DarijaQuery): its
// Latin-script words, French and names, as French, its Arabic-script ones
// (Arabizi mapped to Arabic) as Arabic, and the translations of both into
// the archive's other languages, fused.
func (s *Service) searchDarija(ctx context.Context, query string, k int, opt SearchOptions) ([]Passage, *lexicon.Translation, error) {
	latin, arabic := nlp.DarijaQuery(query)
	sq := SearchQuery{
		K:          k,
		Candidates: max(s.cfg.Candidates, k),
		PerArticle: s.cfg.PerArticle,
		Since:      opt.When.Since,
		Until:      opt.When.Until,
	}
	var legs []searchLeg
	var parts []lexicon.Part
	trans := lexicon.NewTranslation()
	for _, part := range []lexicon.Part{{Lang: "fr", Words: latin}, {Lang: "ar", Words: arabic}} {
		if strings.TrimSpace(part.Words) == "" {
			continue
		}
		parts = append(parts, part)
		legs = append(legs, searchLeg{lang: part.Lang, text: lexicon.ExpandQuery(part.Words), weight: 1, judge: ownJudge(part.Words, nil)})
		// A passage in the part's language is judged on its words as
		// they are, beside the other part's translations.
		for _, w := range nlp.Terms(part.Words) {
			trans.Terms[part.Lang] = append(trans.Terms[part.Lang], lexicon.Term{Source: nlp.Fold(w)})
		}
		trans.Merge(s.dictTranslations(part.Words, part.Lang))
	}
	if len(legs) == 0 {
		return nil, nil, fmt.Errorf("search %q: %w", query, ErrEmptyInput)
	}
	ps, err := s.searchLegs(ctx, sq, legs, s.translatedLegs(trans, parts))
	return ps, trans, err
}

// inLanguage keeps the evidence of a translation's vector search (ps,
// in lang) for the passages in lang, or in no known language: their
// similarity, and their vector rank among them. A translation's vector
// says nothing of a passage in another language, which it finds near
// only by chance (in a small archive, first).
func inLanguage(ps []Passage, lang string) {
	rank := 0
	for i, p := range ps {
		if p.Article.Lang != lang && p.Article.Lang != "" {
			ps[i].VectorRank, ps[i].Similarity = 0, 0
		} else if p.VectorRank > 0 {
			rank++
			ps[i].VectorRank = rank
		}
	}
}

// withEvidence returns ranking with the evidence of the same passages in
// other (withEvidenceOf; a passage may be there more than once): the
// structured query ranks by words alone, and the own search's judgement
// of a passage is what the relevance gate weighs beside them.
func withEvidence(ranking, other []Passage) []Passage {
	out := slices.Clone(ranking)
	at := make(map[int64]int, len(out))
	for i, p := range out {
		at[p.Chunk.ID] = i
	}
	for _, o := range other {
		if i, ok := at[o.Chunk.ID]; ok {
			out[i] = withEvidenceOf(out[i], out[i], o)
		}
	}
	return out
}

// withEvidenceOf returns p with the best evidence of a and b, two
// searches' findings of the same passage: the higher similarity, and in
// each leg the better rank, so that a passage one search's vector leg and
// another's full-text leg put first counts as both legs' first.
func withEvidenceOf(p, a, b Passage) Passage {
	p.Similarity = max(a.Similarity, b.Similarity)
	p.VectorRank, p.TextRank = bestRank(a.VectorRank, b.VectorRank), bestRank(a.TextRank, b.TextRank)
	return p
}

// bestRank is the better of two 1-based ranks, 0 meaning absent.
func bestRank(a, b int) int {
	if a == 0 || b != 0 && b < a {
		return b
	}
	return a
}

// ownPinned is how many of the question's own first passages stay first
// when translated searches are fused in: without it, same-language
// questions the own search was not sure of lost recall@1 (ar-ar 0.847 →
// 0.800 on the dev questions) to passages of other languages.
const ownPinned = 2

// pinFirst keeps the first n passages of own first, then fused's others,
// k in all and at most perArticle of an article (0: no cap).
func pinFirst(own, fused []Passage, n, k, perArticle int) []Passage {
	var out []Passage
	seen := map[int64]bool{}
	perArt := map[int64]int{}
	add := func(p Passage) {
		if len(out) < k && !seen[p.Chunk.ID] && (perArticle == 0 || perArt[p.Article.ID] < perArticle) {
			seen[p.Chunk.ID] = true
			perArt[p.Article.ID]++
			out = append(out, p)
		}
	}
	for _, p := range own[:min(n, len(own))] {
		add(p)
	}
	for _, p := range fused {
		add(p)
	}
	return out
}
