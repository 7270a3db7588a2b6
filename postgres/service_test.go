package postgres_test

// The end-to-end tests of rag.Service over the real stack: a migrated
// store, the offline embedder, the real ingestion, and the real chat client
// against a local OpenAI-compatible server. rag's own tests check the same
// logic with in-memory fakes.

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dalil-news/dalil/embeddings"
	"github.com/dalil-news/dalil/ingest"
	"github.com/dalil-news/dalil/internal/testing/openaitest"
	"github.com/dalil-news/dalil/internal/testing/postgrestest"
	"github.com/dalil-news/dalil/internal/testing/servicetest"
	"github.com/dalil-news/dalil/llm"
	"github.com/dalil-news/dalil/postgres"
	"github.com/dalil-news/dalil/prompts"
	"github.com/dalil-news/dalil/rag"
)

// seedArticle reads the scraped seed article (the demo's, see
// examples/SOURCE.md) through the real ingestion.
func seedArticle(t *testing.T) rag.Article {
	t.Helper()
	doc, err := ingest.ReadFile("../examples/articles/lopinion-2023-10-24-mezzour-ia.txt", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	a, err := ingest.Extract(doc)
	if err != nil {
		t.Fatal(err)
	}
	a.URL = "https://www.lopinion.ma/mezzour-ia" // a stable URL for the tests
	return a
}

// sampleArticles returns the seed article and the corpus sample.
func sampleArticles(t *testing.T) []rag.Article {
	t.Helper()
	out := []rag.Article{seedArticle(t)}
	f, err := os.Open("testdata/corpus-sample.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	err = ingest.ReadJSONL(context.Background(), f, 0, func(line int, a rag.Article, err error) error {
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		out = append(out, a)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// countedStore counts a store's contents for servicetest.
type countedStore struct{ *postgres.Store }

// Counts implements servicetest.Store.
func (s countedStore) Counts(ctx context.Context) (articles, chunks int, err error) {
	st, err := s.Stats(ctx)
	return int(st.Articles), int(st.Chunks), err
}

// TestIngest runs rag.Service's ingest cases over PostgreSQL and the
// offline embedder.
func TestIngest(t *testing.T) {
	servicetest.RunIngest(t, seedArticle(t), func(t *testing.T) (servicetest.Store, rag.Embedder) {
		emb := embeddings.NewOffline(embeddings.OfflineConfig{Dimensions: 64})
		return countedStore{postgrestest.MustOpen(t, emb)}, emb
	})
}

func newService(t *testing.T, chat rag.Chat) (*rag.Service, *postgres.Store) {
	t.Helper()
	emb := embeddings.NewOffline(embeddings.OfflineConfig{Dimensions: 768})
	store := postgrestest.MustOpen(t, emb)
	svc := rag.NewService(store, emb, chat, rag.Config{
		Now: func() time.Time { return time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC) },
	})
	for _, a := range sampleArticles(t) {
		if _, err := svc.Ingest(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
	return svc, store
}

// TestAskNotFound: over the real search, questions the archive does not
// answer, or not for the period they name, are not found.
func TestAskNotFound(t *testing.T) {
	svc, _ := newService(t, nil)
	for _, q := range []rag.Question{
		{Text: "Who won the 2030 FIFA World Cup final?", Lang: "en"},
		{Text: "Qu'a annoncé Ghita Mezzour sur l'intelligence artificielle hier ?", Lang: "fr"},
	} {
		ans, err := svc.Ask(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if ans.Found || len(ans.Citations) != 0 || ans.Text == "" {
			t.Errorf("Ask(%q) = found %v, %q, %d citations; want not found", q.Text, ans.Found, ans.Text, len(ans.Citations))
		}
	}
}

// TestAsk runs rag.Service's answer cases over the real stack: the store,
// the offline embedder, the real search, and the real chat client against
// a local OpenAI-compatible server.
func TestAsk(t *testing.T) {
	var store *postgres.Store // the last NewService's, which ArticleText reads
	servicetest.RunAsk(t, servicetest.AskEnv{
		NewService: func(t *testing.T, chat rag.Chat) *rag.Service {
			svc, s := newService(t, chat)
			store = s
			return svc
		},
		WithArticle: func(t *testing.T, chat rag.Chat, a rag.Article) *rag.Service {
			svc, _ := newService(t, chat)
			if _, err := svc.Ingest(context.Background(), a); err != nil {
				t.Fatal(err)
			}
			return svc
		},
		ArticleText: func(t *testing.T, id int64) string {
			t.Helper()
			a, err := store.Article(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			return a.Text
		},
		NewChat: func(t *testing.T, reply func(servicetest.Request) string) (rag.Chat, func() servicetest.Request) {
			t.Helper()
			request := func(req chatRequest) servicetest.Request {
				r := servicetest.Request{Model: req.Model}
				for _, m := range req.Messages {
					r.Messages = append(r.Messages, prompts.Message{Role: m.Role, Content: m.Content})
				}
				return r
			}
			srv := openaitest.Start(t, &openaitest.Server{Chat: func(w http.ResponseWriter, r *http.Request, req chatRequest) {
				openaitest.WriteReply(w, r, req, openaitest.Reply{Text: reply(request(req)), Usage: openaitest.Usage{PromptTokens: 100, CompletionTokens: 20}})
			}})
			chat, err := llm.New(llm.Config{BaseURL: srv.URL, APIKey: "test-key", Model: "test-model", MaxRetries: -1})
			if err != nil {
				t.Fatal(err)
			}
			return chat, func() servicetest.Request {
				reqs := srv.ChatRequests()
				return request(reqs[len(reqs)-1])
			}
		},
	})
}

func TestSearchFindsSeedForEnglishQuestion(t *testing.T) {
	svc, _ := newService(t, nil)
	ps, err := svc.Search(context.Background(), "What is Morocco's homemade AI?", rag.SearchOptions{K: 5, Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) == 0 || !strings.Contains(ps[0].Chunk.Text, "IA Homemade") {
		t.Fatalf("first passage %+v: want the seed's \"IA Homemade\" passage", ps)
	}
	if ps[0].Chunk.Heading != "Une IA Homemade au Maroc" {
		t.Errorf("heading %q, want %q", ps[0].Chunk.Heading, "Une IA Homemade au Maroc")
	}
}

// chatRequest is what the chat server decodes from one request.
type chatRequest = openaitest.ChatRequest

// TestAskChatTranslation: with a chat model (the real client against a
// local OpenAI-compatible server), an Arabic question about a French
// article is translated by the model, and the French translation finds it.
func TestAskChatTranslation(t *testing.T) {
	const translate = "You translate questions"
	srv := openaitest.Start(t, &openaitest.Server{Chat: func(w http.ResponseWriter, r *http.Request, req chatRequest) {
		text := "Maha Gmira a présenté l'IA Homemade [1]."
		if strings.Contains(req.Messages[0].Content, translate) {
			text = "fr: Qu'est-ce que l'IA Homemade au Maroc selon Maha Gmira ?\nen: What is Morocco's homemade AI according to Maha Gmira?"
		}
		openaitest.WriteReply(w, r, req, openaitest.Reply{Text: text})
	}})
	chat, err := llm.New(llm.Config{BaseURL: srv.URL, APIKey: "test-key", Model: "test-model", MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	svc, _ := newService(t, chat)
	ans, err := svc.Ask(context.Background(), rag.Question{Text: "ما هو الذكاء الاصطناعي المصنوع محليا الذي تحدثت عنه الخبيرة؟"})
	if err != nil {
		t.Fatal(err)
	}
	translations := 0
	for _, req := range srv.ChatRequests() {
		if strings.Contains(req.Messages[0].Content, translate) {
			translations++
			if req.MaxTokens == 0 && req.MaxCompletionTokens == 0 {
				t.Errorf("translation request %+v: want a token bound", req)
			}
		}
	}
	if translations != 1 {
		t.Errorf("%d translation requests, want 1", translations)
	}
	if !ans.Found || len(ans.Citations) == 0 || !strings.Contains(ans.Citations[0].Article.Title, "Mezzour") {
		t.Errorf("answer %q (found %v, citations %+v): want the seed article cited", ans.Text, ans.Found, ans.Citations)
	}
}

// TestConcurrentDedupe ingests the same text under two URLs many times at
// once: it must be stored once, and the outcomes must say so exactly, one
// created and the others unchanged or duplicate (issue 17, item 3).
func TestConcurrentDedupe(t *testing.T) {
	ctx := context.Background()
	emb := embeddings.NewOffline(embeddings.OfflineConfig{})
	store := postgrestest.MustOpen(t, emb)
	svc := rag.NewService(store, emb, nil, rag.Config{})
	const rounds, calls = 5, 16
	for r := range rounds {
		text := fmt.Sprintf("Round %d. %s", r, strings.Repeat("The same dispatch reached two sites. ", 40))
		statuses := make([]rag.SaveStatus, calls)
		var wg sync.WaitGroup
		for i := range calls {
			wg.Go(func() {
				a := rag.Article{URL: fmt.Sprintf("https://site%d.example/round-%d", i%2, r), Title: "Dispatch", Text: text}
				res, err := svc.Ingest(ctx, a)
				if err != nil {
					t.Errorf("round %d call %d: %v", r, i, err)
				}
				statuses[i] = res.Status
			})
		}
		wg.Wait()
		count := map[rag.SaveStatus]int{}
		for _, s := range statuses {
			count[s]++
		}
		st, err := store.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if stored := st.Articles - int64(r); stored != 1 || count[rag.Created] != 1 || count[rag.Updated] != 0 || count[rag.Unchanged]+count[rag.Duplicate] != calls-1 {
			t.Errorf("round %d: stored %d times, outcomes %v; want stored once, 1 created, the others unchanged or duplicate", r, stored, count)
		}
	}
}
