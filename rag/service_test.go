package rag_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dalil-news/dalil/internal/testing/mock"
	"github.com/dalil-news/dalil/internal/testing/servicetest"
	"github.com/dalil-news/dalil/lexicon"
	"github.com/dalil-news/dalil/nlp"
	"github.com/dalil-news/dalil/rag"
	"github.com/dalil-news/dalil/when"
)

// These tests check the Service's logic (ingest outcomes, the relevance
// gate, answers, citations) with in-memory fakes. The same scenarios run
// over the real store, embedder and chat client in the postgres package's
// tests.

// seedArticle is the demo's seed article (see testdata/chunk/SOURCE.md).
func seedArticle(t *testing.T) rag.Article {
	t.Helper()
	b, err := os.ReadFile("testdata/chunk/seed-mezzour-ia.txt")
	if err != nil {
		t.Fatal(err)
	}
	return rag.Article{
		Title:     "Intelligence Artificielle : Mezzour annonce une instance nationale dédiée à l'IA",
		URL:       "https://www.lopinion.ma/mezzour-ia",
		Publisher: "L'opinion",
		Published: time.Date(2023, 10, 24, 0, 0, 0, 0, time.UTC),
		Lang:      "fr",
		Text:      string(b),
	}
}

// newEmbedder returns an embedder whose vectors say only how long each
// text is: enough for the Service, which passes them on to the store.
func newEmbedder() *mock.Embedder {
	return &mock.Embedder{Dims: 2, ModelName: "mock", EmbedFn: func(_ context.Context, texts []string) ([][]float32, error) {
		vecs := make([][]float32, len(texts))
		for i, t := range texts {
			vecs[i] = []float32{1, float32(len(t))}
		}
		return vecs, nil
	}}
}

// memStore keeps articles in memory with the lookup and replace rules of
// rag.Store: an article is found by URL or, failing that, by content hash,
// and saving under a stored URL replaces its chunks.
type memStore struct {
	mock.Store
	mu       sync.Mutex
	articles []rag.Article // index i holds ID i+1
	chunks   map[int64][]rag.Chunk
}

func newMemStore() *memStore {
	s := &memStore{chunks: map[int64][]rag.Chunk{}}
	s.LookupManyFn = func(_ context.Context, keys []rag.LookupKey) ([]rag.Existing, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		found := make([]rag.Existing, len(keys))
		for i, k := range keys {
			j := slices.IndexFunc(s.articles, func(a rag.Article) bool { return a.URL == k.URL })
			if j < 0 && k.ContentHash != "" {
				j = slices.IndexFunc(s.articles, func(a rag.Article) bool { return a.ContentHash == k.ContentHash })
			}
			if j >= 0 {
				a := s.articles[j]
				found[i] = rag.Existing{ID: a.ID, URL: a.URL, ContentHash: a.ContentHash}
			}
		}
		return found, nil
	}
	s.SaveArticleFn = func(_ context.Context, a *rag.Article, chunks []rag.Chunk) (rag.SaveStatus, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		status := rag.Created
		if j := slices.IndexFunc(s.articles, func(b rag.Article) bool { return b.URL == a.URL }); j >= 0 {
			a.ID, status = s.articles[j].ID, rag.Updated
			s.articles[j] = *a
		} else {
			a.ID = int64(len(s.articles) + 1)
			s.articles = append(s.articles, *a)
		}
		s.chunks[a.ID] = chunks
		return status, nil
	}
	s.ArticleFn = func(_ context.Context, id int64) (rag.Article, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if id < 1 || int(id) > len(s.articles) {
			return rag.Article{}, fmt.Errorf("article %d: %w", id, rag.ErrNotFound)
		}
		return s.articles[id-1], nil
	}
	return s
}

// Counts implements servicetest.Store.
func (s *memStore) Counts(context.Context) (articles, chunks int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, cs := range s.chunks {
		chunks += len(cs)
	}
	return len(s.articles), chunks, nil
}

// TestIngest runs the ingest cases over the in-memory store; the postgres
// package runs them over PostgreSQL.
func TestIngest(t *testing.T) {
	servicetest.RunIngest(t, seedArticle(t), func(*testing.T) (servicetest.Store, rag.Embedder) {
		return newMemStore(), newEmbedder()
	})
}

// searchStore is a store whose search returns ps (best first), keeping the
// query's date range and at most K passages, and records the queries.
func searchStore(ps []rag.Passage) (*mock.Store, *[]rag.SearchQuery) {
	var qs []rag.SearchQuery
	return &mock.Store{SearchFn: func(_ context.Context, q rag.SearchQuery) ([]rag.Passage, error) {
		qs = append(qs, q)
		var out []rag.Passage
		for _, p := range ps {
			pub := p.Article.Published
			dated := q.Since.IsZero() && q.Until.IsZero() ||
				!pub.IsZero() && !pub.Before(q.Since) && (q.Until.IsZero() || pub.Before(q.Until))
			if dated && len(out) < q.K {
				out = append(out, p)
			}
		}
		return out, nil
	}}, &qs
}

// seedPassages returns the seed article's chunks as search results: the
// "IA Homemade" one first, ranked first by both legs, the others after it
// with a low similarity, as the real search ranks them for a question
// about the homemade AI. All other questions find nothing in the seed.
func seedPassages(t *testing.T, similar bool) []rag.Passage {
	t.Helper()
	a := seedArticle(t)
	a.ID = 1
	text := a.Text
	a.Text = ""
	var ps []rag.Passage
	for i, c := range rag.ChunkArticle(rag.Article{ID: 1, Title: a.Title, Text: text}, rag.ChunkConfig{}) {
		c.ID = int64(i + 1)
		p := rag.Passage{Chunk: c, Article: a, Score: 0.01, Similarity: 0.1}
		if similar && strings.Contains(c.Text, "IA Homemade") {
			p.Score, p.Similarity, p.VectorRank, p.TextRank = 0.033, 0.6, 1, 1
			ps = slices.Insert(ps, 0, p)
			continue
		}
		ps = append(ps, p)
	}
	return ps
}

// newSeedService returns a Service whose store finds the seed article's
// passages (similar to the question or not), with chat as its model.
func newSeedService(t *testing.T, chat rag.Chat, similar bool) (*rag.Service, *[]rag.SearchQuery) {
	t.Helper()
	store, qs := searchStore(seedPassages(t, similar))
	return rag.NewService(store, newEmbedder(), chat, rag.Config{
		Now: func() time.Time { return time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC) },
	}), qs
}

// TestAskNotFound: passages below the relevance floor, or outside the
// question's dates, do not answer.
func TestAskNotFound(t *testing.T) {
	tests := []struct {
		q         rag.Question
		similar   bool
		wantSince time.Time
	}{
		{rag.Question{Text: "Who won the 2030 FIFA World Cup final?", Lang: "en"}, false, time.Time{}},
		{rag.Question{Text: "Qu'a annoncé Ghita Mezzour sur l'intelligence artificielle hier ?", Lang: "fr"}, true, time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.q.Text, func(t *testing.T) {
			svc, qs := newSeedService(t, nil, tt.similar)
			ans, err := svc.Ask(context.Background(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if ans.Found || len(ans.Citations) != 0 || ans.Text == "" {
				t.Errorf("Ask(%q) = found %v, %q, %d citations; want not found", tt.q.Text, ans.Found, ans.Text, len(ans.Citations))
			}
			if since := (*qs)[0].Since; !since.Equal(tt.wantSince) {
				t.Errorf("searched since %v, want %v", since, tt.wantSince)
			}
		})
	}
}

func TestSearchQuery(t *testing.T) {
	store, qs := searchStore(nil)
	svc := rag.NewService(store, newEmbedder(), nil, rag.Config{K: 3, Candidates: 20, PerArticle: 1})
	if _, err := svc.Search(context.Background(), "  What is Morocco's homemade AI? ", rag.SearchOptions{K: 5, Lang: "en"}); err != nil {
		t.Fatal(err)
	}
	query := "What is Morocco's homemade AI? maroc المغرب ia" // with the glossary's equivalents
	want := []rag.SearchQuery{{Text: query, Lang: "en", Vector: []float32{1, float32(len(query))}, K: 5, Candidates: 20, PerArticle: 1}}
	if diff := cmp.Diff(want, *qs); diff != "" {
		t.Errorf("store queries (-want +got):\n%s", diff)
	}
	if _, err := svc.Search(context.Background(), " ", rag.SearchOptions{}); !errors.Is(err, rag.ErrEmptyInput) {
		t.Errorf("empty search: %v, want ErrEmptyInput", err)
	}
}

// TestAsk runs the answer cases over stores that return the seed
// article's passages; the postgres package runs them over the real stack.
func TestAsk(t *testing.T) {
	servicetest.RunAsk(t, servicetest.AskEnv{
		NewService: func(t *testing.T, chat rag.Chat) *rag.Service {
			svc, _ := newSeedService(t, chat, true)
			return svc
		},
		WithArticle: func(t *testing.T, chat rag.Chat, a rag.Article) *rag.Service {
			a.ID = 7
			text := a.Text
			a.Text = ""
			store, _ := searchStore([]rag.Passage{{
				Chunk: rag.Chunk{ID: 1, ArticleID: 7, Text: text, End: len(text)}, Article: a,
				Score: 0.033, Similarity: 0.7, VectorRank: 1, TextRank: 1,
			}})
			return rag.NewService(store, newEmbedder(), chat, rag.Config{})
		},
		ArticleText: func(t *testing.T, id int64) string { return seedArticle(t).Text },
		NewChat: func(t *testing.T, reply func(servicetest.Request) string) (rag.Chat, func() servicetest.Request) {
			var mu sync.Mutex
			var last servicetest.Request
			chat := &mock.Chat{ModelName: "test-model", CompleteFn: func(_ context.Context, req rag.ChatRequest, _ func(string)) (rag.Completion, error) {
				mu.Lock()
				last = servicetest.Request{Model: "test-model", Messages: req.Messages}
				r := last
				mu.Unlock()
				return rag.Completion{Text: reply(r), Usage: rag.Usage{PromptTokens: 100, CompletionTokens: 20}}, nil
			}}
			return chat, func() servicetest.Request { mu.Lock(); defer mu.Unlock(); return last }
		},
	})
}

// translator is a rag.Translator with a fixed vocabulary, English to French
// only.
type translator map[string][]string

func (tr translator) Pairs() [][2]string { return [][2]string{{"en", "fr"}} }

func (tr translator) Translate(text, from, to string) []lexicon.Term {
	var out []lexicon.Term
	for _, w := range nlp.Terms(text) {
		if alts, ok := tr[w]; ok && from == "en" && to == "fr" {
			out = append(out, lexicon.Term{Source: w, Alternatives: alts})
		} else if nlp.IsDigits(w) && to == "fr" {
			out = append(out, lexicon.Term{Source: w, Alternatives: []string{w}, Carried: true})
		}
	}
	return out
}

// legStore is a store that answers searches with find and records them,
// as "lang: text" ("lang: (vector)" for a search by vector alone), or for
// a structured query (SearchQuery.Groups) as
// "groups:" and each group's parts, "lang=words", a group in brackets;
// searches returns them sorted.
func legStore(find func(q rag.SearchQuery) []rag.Passage) (store *mock.Store, searches func() []string) {
	var mu sync.Mutex
	var legs []string
	store = &mock.Store{SearchFn: func(_ context.Context, q rag.SearchQuery) ([]rag.Passage, error) {
		mu.Lock()
		legs = append(legs, describeSearch(q))
		mu.Unlock()
		return find(q), nil
	}}
	return store, func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := slices.Clone(legs)
		slices.Sort(out)
		legs = nil
		return out
	}
}

// describeSearch says what a search asks for, as legStore records it.
func describeSearch(q rag.SearchQuery) string {
	if len(q.Groups) == 0 && q.Text == "" {
		return q.Lang + ": (vector)"
	}
	if len(q.Groups) == 0 {
		return q.Lang + ": " + q.Text
	}
	var groups []string
	for _, g := range q.Groups {
		var parts []string
		for _, p := range g {
			parts = append(parts, p.Lang+"="+p.Words)
		}
		groups = append(groups, "["+strings.Join(parts, " ")+"]")
	}
	return "groups: " + strings.Join(groups, " ")
}

// findsIn returns a store search that finds p for the searches in lang
// whose text holds word, and for the structured queries with a part in
// lang holding word, and nothing else.
func findsIn(lang, word string, p rag.Passage) func(rag.SearchQuery) []rag.Passage {
	return func(q rag.SearchQuery) []rag.Passage {
		if q.Lang == lang && strings.Contains(q.Text, word) {
			return []rag.Passage{p}
		}
		for _, g := range q.Groups {
			for _, part := range g {
				if part.Lang == lang && strings.Contains(part.Words, word) {
					return []rag.Passage{p}
				}
			}
		}
		return nil
	}
}

// frenchPassage is a passage of a French article (id 7) that only the
// full-text leg found, far from the question's vector.
func frenchPassage(title, text string) rag.Passage {
	return rag.Passage{
		Chunk:      rag.Chunk{ID: 1, ArticleID: 7, Text: text, End: len(text)},
		Article:    rag.Article{ID: 7, Title: title, URL: "https://example.org/" + strings.ToLower(strings.Fields(title)[0]), Lang: "fr"},
		Similarity: 0.05, TextRank: 1,
	}
}

// TestAskCrossLingual: an English question whose only answer is a French
// passage sharing none of its words is searched again with a structured
// query, each of its words beside its French translations, and the
// passage passes the relevance gate on the translated words.
func TestAskCrossLingual(t *testing.T) {
	fr := frenchPassage("Tanger Med", "Le port de Tanger Med a battu un record de trafic de conteneurs en 2024.")
	store, searches := legStore(findsIn("fr", "conteneurs", fr))
	tr := translator{"record": {"record"}, "harbour": {"port", "havre"}, "containers": {"conteneurs"}, "traffic": {"trafic", "circulation", "commerce", "négoce"}}
	svc := rag.NewService(store, newEmbedder(), nil, rag.Config{Translator: tr})
	ans, err := svc.Ask(context.Background(), rag.Question{Text: "Which containers traffic record did the harbour beat?", Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if !ans.Found || len(ans.Citations) != 1 || ans.Citations[0].Article.ID != 7 || !strings.Contains(ans.Text, "conteneurs") {
		t.Fatalf("answer %+v: want the French sentence, cited", ans)
	}
	want := []string{"en: Which containers traffic record did the harbour beat?", "fr: (vector)",
		"groups: [en=containers fr=conteneurs] [en=traffic fr=trafic circulation commerce négoce] [en=record fr=record] [en=harbour fr=port havre] [en=beat]"}
	if diff := cmp.Diff(want, searches()); diff != "" {
		t.Errorf("searches (-want +got):\n%s", diff)
	}

	// Without a translator, the same question finds nothing.
	plain := rag.NewService(store, newEmbedder(), nil, rag.Config{})
	if ans, err := plain.Ask(context.Background(), rag.Question{Text: "Which containers traffic record did the harbour beat?", Lang: "en"}); err != nil || ans.Found {
		t.Errorf("without a translator: found %v, %v; want not found", ans.Found, err)
	}
}

// TestSearchStructuredRanking: when the own search is unsure, the
// structured query's ranking comes first and the own one fills the rest,
// unless both legs of the own search put its first passage first.
func TestSearchStructuredRanking(t *testing.T) {
	passage := func(id int64, lang, text string, vectorRank, textRank int) rag.Passage {
		return rag.Passage{Chunk: rag.Chunk{ID: id, ArticleID: id, Text: text, End: len(text)}, Article: rag.Article{ID: id, Lang: lang},
			VectorRank: vectorRank, TextRank: textRank}
	}
	fr := passage(2, "fr", "Le port a battu son record de trafic de conteneurs.", 0, 1)
	tr := translator{"harbour": {"port"}, "containers": {"conteneurs"}, "traffic": {"trafic"}}
	for _, tt := range []struct {
		name    string
		own     rag.Passage
		wantIDs []int64
	}{
		{"own search unsure", passage(1, "en", "Weather news.", 2, 1), []int64{2, 1}},
		{"both own legs put it first", passage(1, "en", "Weather news.", 1, 1), []int64{1, 2}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			store, _ := legStore(func(q rag.SearchQuery) []rag.Passage {
				switch {
				case len(q.Groups) > 0:
					return []rag.Passage{fr}
				case q.Text == "":
					return nil
				}
				return []rag.Passage{tt.own}
			})
			svc := rag.NewService(store, newEmbedder(), nil, rag.Config{Translator: tr})
			ps, err := svc.Search(context.Background(), "Which containers traffic record did the harbour beat?", rag.SearchOptions{Lang: "en"})
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, p := range ps {
				got = append(got, p.Chunk.ID)
			}
			if diff := cmp.Diff(tt.wantIDs, got); diff != "" {
				t.Errorf("passages (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSearchOwnNeedsCarriedWords: a passage in the question's language
// holding most of its words makes the question's own search sure of
// itself, and the translations are not searched, only when it also holds
// the words the question carries over untranslated (a name, a number);
// a passage in a language the question is translated into never does.
func TestSearchOwnNeedsCarriedWords(t *testing.T) {
	tr := translator{"harbour": {"port"}, "record": {"record"}}
	for _, tt := range []struct {
		own, lang  string
		translated bool
	}{
		{"The harbour beat its record in 2024.", "en", false},
		{"The harbour beat its record.", "en", true},
		{"The harbour beat its record in 2024.", "fr", true},
	} {
		t.Run(tt.lang+" "+tt.own, func(t *testing.T) {
			own := rag.Passage{Chunk: rag.Chunk{ID: 1, ArticleID: 1, Text: tt.own, End: len(tt.own)}, Article: rag.Article{ID: 1, Lang: tt.lang}, VectorRank: 1, TextRank: 2}
			store, searches := legStore(func(q rag.SearchQuery) []rag.Passage {
				if q.Lang == "en" && len(q.Groups) == 0 && q.Text != "" {
					return []rag.Passage{own}
				}
				return nil
			})
			svc := rag.NewService(store, newEmbedder(), nil, rag.Config{Translator: tr})
			if _, err := svc.Search(context.Background(), "What record did the harbour beat in 2024?", rag.SearchOptions{Lang: "en"}); err != nil {
				t.Fatal(err)
			}
			got := slices.ContainsFunc(searches(), func(s string) bool { return strings.HasPrefix(s, "groups:") })
			if got != tt.translated {
				t.Errorf("structured query run: %v, want %v", got, tt.translated)
			}
		})
	}
}

// TestSearchStructuredDated: a dated search, which the store runs on the
// structured query's words rather than its groups, still holds the
// translations.
func TestSearchStructuredDated(t *testing.T) {
	var text string
	var mu sync.Mutex
	store := &mock.Store{SearchFn: func(_ context.Context, q rag.SearchQuery) ([]rag.Passage, error) {
		if len(q.Groups) > 0 {
			mu.Lock()
			text = q.Text
			mu.Unlock()
		}
		return nil, nil
	}}
	tr := translator{"harbour": {"port"}, "containers": {"conteneurs"}}
	svc := rag.NewService(store, newEmbedder(), nil, rag.Config{Translator: tr})
	since := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := svc.Search(context.Background(), "Which containers did the harbour ship?", rag.SearchOptions{Lang: "en", When: when.Range{Since: since}}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(text, "conteneurs") || !strings.Contains(text, "port") {
		t.Errorf("structured query's text %q: want the translations", text)
	}
}

// TestAskArticleAgreed: a passage holding few of the question's words
// passes the relevance floor when its article holds both legs' first
// passages, one chunk each, and not when two articles share them, nor
// when it is neither leg's first.
func TestAskArticleAgreed(t *testing.T) {
	for _, tt := range []struct {
		name     string
		article  int64  // the article of the second passage
		vr, tr   [2]int // the passages' vector and text ranks
		citesTwo bool   // both passages cited, else the first only
		found    bool
	}{
		{"one article first in both legs", 7, [2]int{1, 0}, [2]int{3, 1}, true, true},
		{"two articles", 8, [2]int{1, 0}, [2]int{3, 1}, false, false},
		{"the first in both and another chunk", 7, [2]int{1, 3}, [2]int{1, 2}, false, true},
	} {
		vector := frenchPassage("Salé", "Les discussions ont réuni des spécialistes de plusieurs pays.")
		vector.VectorRank, vector.TextRank = tt.vr[0], tt.tr[0]
		text := frenchPassage("Salé", "Les échanges ont tracé des orientations.")
		text.Chunk.ID, text.Article.ID, text.Chunk.ArticleID = 2, tt.article, tt.article
		text.VectorRank, text.TextRank = tt.vr[1], tt.tr[1]
		store := &mock.Store{SearchFn: func(context.Context, rag.SearchQuery) ([]rag.Passage, error) {
			return []rag.Passage{vector, text}, nil
		}}
		svc := rag.NewService(store, newEmbedder(), nil, rag.Config{})
		ans, err := svc.Ask(context.Background(), rag.Question{Text: "Quels thèmes les panels d'experts du colloque ont-ils abordés ?", Lang: "fr"})
		if err != nil {
			t.Fatal(err)
		}
		if ans.Found != tt.found {
			t.Errorf("%s: found %v, want %v (%+v)", tt.name, ans.Found, tt.found, ans)
		}
		if cited := strings.Contains(ans.Text, "orientations"); tt.found && cited != tt.citesTwo {
			t.Errorf("%s: the second passage quoted %v, want %v: %q", tt.name, cited, tt.citesTwo, ans.Text)
		}
	}
}

// TestAskCrossLingualGate: a passage in another language than the
// question's answers when it holds more than half of the question's
// translated words, or half when the full-text search ranks it among its
// first three, or a quarter when both legs put it first or it is first in
// text and second by vector; and the numbers the question carries.
func TestAskCrossLingualGate(t *testing.T) {
	tr := translator{"harbour": {"port"}, "containers": {"conteneurs"}, "traffic": {"trafic"}, "ships": {"navires"}}
	for _, tt := range []struct {
		text   string
		behind int    // passages the full-text search ranks first
		vector int    // the passage's rank by vector, 0: not found by it
		year   string // a number the question carries
		found  bool
	}{
		{"Le port a battu son record de conteneurs.", 0, 0, "", true},                            // 2 of 4, first in text
		{"Le port a battu son record de conteneurs.", 2, 0, "", true},                            // 2 of 4, third
		{"Le port a battu son record de conteneurs.", 3, 0, "", false},                           // 2 of 4, fourth
		{"Le port a battu son record de trafic de conteneurs.", 3, 0, "", true},                  // 3 of 4
		{"Les navires du port ont un trafic record de conteneurs.", 3, 0, "", true},              // 4 of 4
		{"Les navires du port ont un trafic record de conteneurs.", 3, 0, "2030", false},         // 4 of 5, not the year
		{"En 2030, les navires du port ont un trafic record de conteneurs.", 3, 0, "2030", true}, // 5 of 5
		{"Le port de la ville est calme ce matin.", 0, 1, "", true},                              // first in both legs, 1 of 4
		{"La côte de la ville est calme ce matin.", 0, 1, "", false},                             // first in both legs, none of them
		{"Le port de la ville est calme ce matin.", 0, 2, "", true},                              // first in text, second by vector, 1 of 4
		{"Le port de la ville est calme ce matin.", 0, 3, "", false},                             // first in text, third by vector
		{"Le port de la ville est calme ce matin.", 1, 2, "", false},                             // second in text, second by vector
		{"En 2030, le port de la ville est calme.", 0, 2, "2030", true},                          // first and second, 2 of 5 with the year
		{"Le port de la ville est calme, ses navires aussi.", 0, 2, "2030", false},               // 2 of 5, not the year
		{"La côte de la ville est calme ce matin.", 0, 2, "", false},                             // first and second, none of them
	} {
		fr := frenchPassage("Tanger Med", tt.text)
		var ps []rag.Passage
		for i := range tt.behind {
			other := frenchPassage("Autre", "Rien de tout cela ici.")
			other.Chunk.ID, other.Article.ID, other.Chunk.ArticleID = int64(10+i), int64(10+i), int64(10+i)
			other.TextRank = i + 1
			ps = append(ps, other)
		}
		fr.TextRank, fr.VectorRank = tt.behind+1, tt.vector
		ps = append(ps, fr)
		store, _ := legStore(func(q rag.SearchQuery) []rag.Passage {
			if len(findsIn("fr", "port", fr)(q)) > 0 {
				return ps
			}
			return nil
		})
		svc := rag.NewService(store, newEmbedder(), nil, rag.Config{Translator: tr})
		question := strings.TrimSpace("How much containers traffic did the harbour ships carry "+tt.year) + "?"
		ans, err := svc.Ask(context.Background(), rag.Question{Text: question, Lang: "en"})
		if err != nil {
			t.Fatal(err)
		}
		if ans.Found != tt.found {
			t.Errorf("%q behind %d, vector rank %d, %q: found %v, want %v", tt.text, tt.behind, tt.vector, question, ans.Found, tt.found)
		}
	}
}

// TestSearchChatTranslation: with a chat model, a question is also
// searched in its model translations into the archive's other languages,
// once: the translations are cached, and a failed call costs only them.
func TestSearchChatTranslation(t *testing.T) {
	store, searches := legStore(func(rag.SearchQuery) []rag.Passage { return nil })
	calls, fail := 0, false
	chat := &mock.Chat{ModelName: "m", CompleteFn: func(_ context.Context, req rag.ChatRequest, _ func(string)) (rag.Completion, error) {
		calls++
		if fail {
			return rag.Completion{}, errors.New("model down")
		}
		if req.MaxTokens == 0 || !strings.Contains(req.Messages[0].Content, "You translate questions") {
			t.Errorf("request %+v: want a bounded translation request", req)
		}
		return rag.Completion{Text: "fr: Quelle est l'IA du Maroc ?\nen: What is Morocco's AI?"}, nil
	}}
	svc := rag.NewService(store, newEmbedder(), chat, rag.Config{
		ArchiveLanguages: func(context.Context) ([]string, error) { return []string{"fr", "en"}, nil },
	})
	search := func(q string) []string {
		t.Helper()
		if _, err := svc.Search(context.Background(), q, rag.SearchOptions{Lang: "ar"}); err != nil {
			t.Fatal(err)
		}
		return searches()
	}
	want := []string{"ar: ما هو الذكاء الاصطناعي المغربي؟ artificial intelligence intelligence artificielle", "en: What is Morocco's AI?", "fr: Quelle est l'IA du Maroc ?"}
	if diff := cmp.Diff(want, search("ما هو الذكاء الاصطناعي المغربي؟")); diff != "" {
		t.Errorf("searches (-want +got):\n%s", diff)
	}
	search("ما هو الذكاء الاصطناعي المغربي؟")
	if calls != 1 {
		t.Errorf("%d chat calls for the same question twice, want 1 (cached)", calls)
	}
	fail = true
	if got := search("سؤال آخر عن الاقتصاد المغربي"); len(got) != 1 {
		t.Errorf("searches %q after a failed translation, want the question's own only", got)
	}
}

// TestAskDarija: a Darija question in Latin script is searched in French
// for its French words and in Arabic for its Arabizi ones, without its
// function words, and answered with French framing.
func TestAskDarija(t *testing.T) {
	fr := frenchPassage("Mezzour et l'IA", "Ghita Mezzour veut un système dédié à l'IA, levier pour l'innovation au Maroc.")
	store, searches := legStore(findsIn("fr", "système", fr))
	svc := rag.NewService(store, newEmbedder(), nil, rag.Config{})
	ans, err := svc.Ask(context.Background(), rag.Question{Text: "3lach bghat Mezzour système dyal l'IA f lmghrib?"})
	if err != nil {
		t.Fatal(err)
	}
	if !ans.Found || len(ans.Citations) != 1 || !strings.HasPrefix(ans.Text, "« ") {
		t.Errorf("answer %q (%d citations): want the French passage quoted with French quotation marks", ans.Text, len(ans.Citations))
	}
	legs := searches()
	for _, l := range legs {
		if strings.Contains(l, "dyal") || strings.Contains(l, "3lach") {
			t.Errorf("search %q keeps Darija function words", l)
		}
	}
	if len(legs) != 2 || !strings.HasPrefix(legs[0], "ar: ") || !strings.HasPrefix(legs[1], "fr: Mezzour système") {
		t.Errorf("searches %q: want an Arabic and a French one", legs)
	}
}

// TestSearchConfidentOwnLanguage: when the question's own search finds a
// passage holding its words, the translated searches are not run, and the
// chat model is not asked for translations.
func TestSearchConfidentOwnLanguage(t *testing.T) {
	passage := func(id int64, lang, text string) rag.Passage {
		return rag.Passage{Chunk: rag.Chunk{ID: id, ArticleID: id, Text: text, End: len(text)}, Article: rag.Article{ID: id, Lang: lang}}
	}
	en := passage(1, "en", "The harbour beat its containers traffic record.")
	fr := passage(2, "fr", "Le port a battu son record de trafic de conteneurs.")
	store, searches := legStore(func(q rag.SearchQuery) []rag.Passage {
		if q.Lang == "fr" {
			return []rag.Passage{fr}
		}
		return []rag.Passage{en}
	})
	tr := translator{"harbour": {"port"}, "containers": {"conteneurs"}, "traffic": {"trafic"}, "record": {"record"}}
	chat := &mock.Chat{ModelName: "m", CompleteFn: func(context.Context, rag.ChatRequest, func(string)) (rag.Completion, error) {
		t.Error("the chat model was asked to translate a question its own search answers")
		return rag.Completion{}, nil
	}}
	svc := rag.NewService(store, newEmbedder(), chat, rag.Config{Translator: tr})
	ps, err := svc.Search(context.Background(), "Which containers traffic record did the harbour beat?", rag.SearchOptions{Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].Chunk.ID != 1 {
		t.Errorf("passages %+v: want the English one only", ps)
	}
	if got := searches(); len(got) != 1 {
		t.Errorf("searches %q: want the question's own only", got)
	}
}

// TestAskBoundsAnswerTokens: every request of an LLM answer bounds the
// tokens the model may write; the answer's bound is Config.AnswerMaxTokens.
func TestAskBoundsAnswerTokens(t *testing.T) {
	for _, tt := range []struct {
		name string
		cfg  int
		want int
	}{{"default", 0, rag.DefaultAnswerMaxTokens}, {"configured", 300, 300}} {
		t.Run(tt.name, func(t *testing.T) {
			var max []int
			chat := &mock.Chat{ModelName: "m", CompleteFn: func(_ context.Context, req rag.ChatRequest, _ func(string)) (rag.Completion, error) {
				max = append(max, req.MaxTokens)
				if strings.Contains(req.Messages[0].Content, "You translate questions") {
					return rag.Completion{Text: "fr: Qu'est-ce que l'IA Homemade ?"}, nil
				}
				return rag.Completion{Text: "Homemade AI adapts artificial intelligence to Moroccan culture [1]."}, nil
			}}
			store, _ := searchStore(seedPassages(t, true))
			svc := rag.NewService(store, newEmbedder(), chat, rag.Config{AnswerMaxTokens: tt.cfg})
			if _, err := svc.Ask(context.Background(), rag.Question{Text: "What is Morocco's homemade AI?", Lang: "en"}); err != nil {
				t.Fatal(err)
			}
			if len(max) == 0 || max[len(max)-1] != tt.want || slices.Contains(max, 0) {
				t.Errorf("max tokens of the requests %v, want none 0 and the answer's %d", max, tt.want)
			}
		})
	}
}
