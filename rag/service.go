package rag

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dalil-news/dalil/internal/lru"
	"github.com/dalil-news/dalil/lexicon"
	"github.com/dalil-news/dalil/nlp"
	"github.com/dalil-news/dalil/when"
)

// The defaults of Config's fields that callers also show or override.
const (
	// DefaultK is the number of passages a search returns.
	DefaultK = 8
	// DefaultPerArticle caps the passages from one article.
	DefaultPerArticle = 2
	// DefaultMinSimilarity is the cosine similarity at which a passage may
	// answer.
	DefaultMinSimilarity = 0.30
	// DefaultContextChars is the budget of source text given to the chat
	// model.
	DefaultContextChars = 6000
	// DefaultAnswerMaxTokens bounds a written answer: about 700 words,
	// well beyond the few cited sentences the prompt asks for.
	DefaultAnswerMaxTokens = 1000
)

// Config tunes the service. Zero fields take the defaults noted.
type Config struct {
	Chunk ChunkConfig
	// K is the number of passages a search returns (default 8).
	K int
	// Candidates is how many rows each search leg fetches (default 40).
	Candidates int
	// PerArticle caps passages from one article (default 2).
	PerArticle int
	// MinSimilarity and MinCoverage form the relevance floor: a passage
	// may answer when its cosine similarity is at least MinSimilarity, when
	// it shares at least MinCoverage of the question's words (see relevant),
	// or when both legs rank its article first (defaults 0.30 and 0.5).
	MinSimilarity float64
	MinCoverage   float64
	// EmbedBatch is how many texts go to the embedder at once (default 64).
	EmbedBatch int
	// ContextChars is the budget of source text given to the chat model
	// (default 6000).
	ContextChars int
	// AnswerMaxTokens bounds the tokens the chat model may write for one
	// answer (default DefaultAnswerMaxTokens), so that a model that runs
	// on cannot spend without end.
	AnswerMaxTokens int
	// Location is the time zone for date phrases (default UTC).
	Location *time.Location
	// Now returns the current time (default time.Now); tests inject a clock.
	Now func() time.Time
	// Translator, when set, translates questions into the archive's other
	// languages (fr, en, ar): each translation is searched as well, and the
	// rankings are fused (FusionK, TranslationWeight). Nil searches in the
	// question's words only.
	Translator Translator
	// FusionK is reciprocal rank fusion's rank offset when translated
	// searches are fused (default 10, as the store's).
	FusionK int
	// TranslationWeight is a translated search's weight in the fusion,
	// the question's own search weighing 1 (default 0.9, tuned on the dev
	// questions). Translated searches run only when the own search found
	// no passage holding MinCoverage of the question's words among its
	// first three.
	TranslationWeight float64
	// With a chat model, questions are also translated by the model into
	// the archive's other languages (one call a question, at most
	// ChatTranslationTimeout, default 10s, cached), unless
	// NoChatTranslation is set.
	NoChatTranslation      bool
	ChatTranslationTimeout time.Duration
	// ArchiveLanguages returns the languages of the archive's articles
	// (read again every 10 minutes); the chat model translates questions
	// into those other than the question's. Nil means fr, en and ar.
	ArchiveLanguages func(ctx context.Context) ([]string, error)
}

func (c Config) withDefaults() Config {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.K, DefaultK)
	def(&c.Candidates, 40)
	def(&c.PerArticle, DefaultPerArticle)
	def(&c.EmbedBatch, defaultEmbedBatch)
	def(&c.ContextChars, DefaultContextChars)
	def(&c.FusionK, 10)
	def(&c.AnswerMaxTokens, DefaultAnswerMaxTokens)
	if c.TranslationWeight <= 0 {
		c.TranslationWeight = 0.9
	}
	if c.ChatTranslationTimeout <= 0 {
		c.ChatTranslationTimeout = 10 * time.Second
	}
	if c.Candidates < c.K {
		c.Candidates = c.K
	}
	if c.MinSimilarity <= 0 {
		c.MinSimilarity = DefaultMinSimilarity
	}
	if c.MinCoverage <= 0 {
		c.MinCoverage = 0.5
	}
	if c.Location == nil {
		c.Location = time.UTC
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Service is dalil's use cases: ingest an article, search, answer.
type Service struct {
	store Store
	emb   Embedder
	chat  Chat
	cfg   Config
	// langs caches Config.ArchiveLanguages; translated caches the chat
	// model's translations of questions.
	langs      langCache
	translated *lru.Cache[map[string]string]
}

// NewService returns a Service over a store and an embedder. chat may be
// nil: answers are then extractive.
func NewService(store Store, emb Embedder, chat Chat, cfg Config) *Service {
	return &Service{store: store, emb: emb, chat: chat, cfg: cfg.withDefaults(), translated: lru.New[map[string]string](translationCacheSize)}
}

// translationCacheSize is how many questions' chat translations are kept.
const translationCacheSize = 512

// IngestResult says what Ingest did with one article.
type IngestResult struct {
	ArticleID int64      `json:"article_id"`
	Status    SaveStatus `json:"status"`
	Chunks    int        `json:"chunks"`
}

// Ingest chunks, embeds and stores one article. An article already stored
// with the same URL and content is left alone (Unchanged); the same content
// under another URL is not stored again (Duplicate); the same URL with new
// content replaces the old chunks (Updated). The article is stored whole or
// not at all.
func (s *Service) Ingest(ctx context.Context, a Article) (res IngestResult, err error) {
	s.IngestMany(ctx, []Article{a}, func(_ int, r IngestResult, e error) { res, err = r, e })
	return res, err
}

// IngestMany ingests arts in order, each as Ingest does, and calls done
// once for each, in order, with its index in arts. One round trip looks
// them all up, which is what makes it faster than Ingest in a loop; an
// article whose URL or content an earlier one of arts has just stored is
// looked up again, so the outcomes are those of Ingest in a loop. A failed
// article does not stop the others. Concurrent calls are safe: the store
// decides inside each save's transaction whether the article is new,
// updated, unchanged or a duplicate, so the same text under two URLs at
// once is stored once and the outcomes say so.
func (s *Service) IngestMany(ctx context.Context, arts []Article, done func(i int, res IngestResult, err error)) {
	if len(arts) == 0 {
		return
	}
	arts = slices.Clone(arts)
	errs := make([]error, len(arts))
	keys := make([]LookupKey, len(arts))
	for i := range arts {
		errs[i] = prepare(&arts[i])
		keys[i] = LookupKey{URL: arts[i].URL, ContentHash: arts[i].ContentHash}
	}
	found, err := s.store.LookupMany(ctx, keys)
	if err == nil && len(found) != len(keys) {
		err = fmt.Errorf("%d answers for %d articles", len(found), len(keys))
	}
	if err != nil {
		for i, a := range arts {
			if errs[i] == nil {
				errs[i] = fmt.Errorf("look up %s: %w", a.URL, err)
			}
		}
	}
	// What this call stored: found may be stale for these.
	storedURLs, storedHashes := map[string]bool{}, map[string]bool{}
	storedIDs := map[int64]bool{}
	for i, a := range arts {
		if errs[i] != nil {
			done(i, IngestResult{}, errs[i])
			continue
		}
		e := found[i]
		if storedURLs[a.URL] || storedHashes[a.ContentHash] || storedIDs[e.ID] {
			again, err := s.store.LookupMany(ctx, keys[i:i+1])
			if err != nil {
				done(i, IngestResult{}, fmt.Errorf("look up %s: %w", a.URL, err))
				continue
			}
			e = again[0]
		}
		res, err := s.ingestOne(ctx, a, e)
		if err == nil && res.Chunks > 0 {
			storedURLs[a.URL], storedHashes[a.ContentHash], storedIDs[res.ArticleID] = true, true, true
		}
		done(i, res, err)
	}
}

// prepare trims an article's text, checks it has text and a URL, and
// fills in its content hash.
func prepare(a *Article) error {
	a.Text = strings.TrimSpace(a.Text)
	if a.Text == "" {
		return fmt.Errorf("article %q: %w", a.URL, ErrEmptyInput)
	}
	if a.URL == "" {
		return fmt.Errorf("article %q has no URL", a.Title)
	}
	if a.ContentHash == "" {
		a.ContentHash = ContentHash(a.Text)
	}
	return nil
}

// ingestOne stores one prepared article given what is already stored under
// its URL or content hash (e.ID is 0 when nothing is).
func (s *Service) ingestOne(ctx context.Context, a Article, e Existing) (IngestResult, error) {
	if e.ID != 0 {
		switch {
		case e.URL == a.URL && e.ContentHash == a.ContentHash:
			return IngestResult{ArticleID: e.ID, Status: Unchanged}, nil
		case e.URL != a.URL:
			return IngestResult{ArticleID: e.ID, Status: Duplicate}, nil
		}
	}
	chunks := ChunkArticle(a, s.cfg.Chunk)
	if len(chunks) == 0 {
		return IngestResult{}, fmt.Errorf("article %s: %w", a.URL, ErrEmptyInput)
	}
	texts := make([]string, len(chunks))
	for i, c := range chunks {
		texts[i] = c.EmbeddingText(a.Title)
	}
	vecs, err := s.embed(ctx, texts)
	if err != nil {
		return IngestResult{}, fmt.Errorf("article %s: %w", a.URL, err)
	}
	for i := range chunks {
		chunks[i].Embedding = vecs[i]
	}
	// The store has the last word: a concurrent save of this URL or this
	// content may have come first.
	status, err := s.store.SaveArticle(ctx, &a, chunks)
	if err != nil {
		return IngestResult{}, fmt.Errorf("store %s: %w", a.URL, err)
	}
	if status != Created && status != Updated {
		return IngestResult{ArticleID: a.ID, Status: status}, nil
	}
	return IngestResult{ArticleID: a.ID, Status: status, Chunks: len(chunks)}, nil
}

// defaultEmbedBatch is how many texts go to the embedder at once.
const defaultEmbedBatch = 64

// embed embeds texts in batches of cfg.EmbedBatch.
func (s *Service) embed(ctx context.Context, texts []string) ([][]float32, error) {
	return EmbedInBatches(ctx, s.emb, texts, s.cfg.EmbedBatch)
}

// EmbedInBatches embeds texts with emb, size texts at a time, and returns
// one vector per text, in order; size below 1 takes Config.EmbedBatch's
// default. It fails when a batch fails or returns the wrong number of
// vectors; the error names the batch.
func EmbedInBatches(ctx context.Context, emb Embedder, texts []string, size int) ([][]float32, error) {
	if size < 1 {
		size = defaultEmbedBatch
	}
	out := make([][]float32, 0, len(texts))
	for i := 0; i < len(texts); i += size {
		batch := texts[i:min(i+size, len(texts))]
		vecs, err := emb.Embed(ctx, batch)
		if err != nil {
			return nil, fmt.Errorf("embed batch %d: %w", i/size, err)
		}
		if len(vecs) != len(batch) {
			return nil, fmt.Errorf("embed batch %d: %d vectors for %d texts", i/size, len(vecs), len(batch))
		}
		out = append(out, vecs...)
	}
	return out, nil
}

// SearchOptions refines a search.
type SearchOptions struct {
	K int // passages wanted (default Config.K)
	// Lang is the query's language (fr, en, ar; "": Search guesses it,
	// nlp.DetectLang), whose rules the full-text leg parses it with.
	Lang string
	// When restricts publication dates; zero means no restriction.
	When when.Range
}

// Search returns the passages most relevant to a query, best first.
func (s *Service) Search(ctx context.Context, query string, opt SearchOptions) ([]Passage, error) {
	ps, _, err := s.search(ctx, query, opt)
	return ps, err
}

// search is Search, returning also the query's translations
// (lexicon.Translation) for judging passages in other languages.
func (s *Service) search(ctx context.Context, query string, opt SearchOptions) ([]Passage, *lexicon.Translation, error) {
	query = strings.TrimSpace(query)
	if query == "" {
		return nil, nil, fmt.Errorf("search: %w", ErrEmptyInput)
	}
	k := opt.K
	if k <= 0 {
		k = s.cfg.K
	}
	if opt.Lang == "" {
		opt.Lang = nlp.SearchLang(query)
	}
	if opt.Lang == nlp.LangDarija {
		return s.searchDarija(ctx, query, k, opt)
	}
	// The query is expanded with glossary equivalents (lexicon.ExpandQuery) for
	// both legs: the archive mixes French, English and Arabic.
	expanded := lexicon.ExpandQuery(query)
	sq := SearchQuery{
		Lang:       opt.Lang,
		K:          k,
		Candidates: max(s.cfg.Candidates, k),
		PerArticle: s.cfg.PerArticle,
		Since:      opt.When.Since,
		Until:      opt.When.Until,
	}
	if trans := s.dictTranslations(query, opt.Lang); trans != nil && (s.cfg.Translator != nil || s.chat != nil) {
		own := []searchLeg{{lang: opt.Lang, text: expanded, weight: 1, judge: ownJudge(query, trans)}}
		ps, err := s.searchLegs(ctx, sq, own, s.translatedLegs(trans, []lexicon.Part{{Lang: opt.Lang, Words: query}}))
		return ps, trans, err
	}
	vecs, err := s.emb.Embed(ctx, []string{expanded})
	if err != nil {
		return nil, nil, fmt.Errorf("embed question: %w", err)
	}
	sq.Text, sq.Vector = expanded, vecs[0]
	ps, err := s.store.Search(ctx, sq)
	if err != nil {
		return nil, nil, fmt.Errorf("search %q: %w", expanded, err)
	}
	return ps, nil, nil
}
