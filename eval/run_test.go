package eval

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dalil-news/dalil/internal/testing/mock"
	"github.com/dalil-news/dalil/rag"
)

// archive is a System over two articles: a question finds the article
// whose title it names, and the answer quotes its first words.
type archive struct {
	arts  []rag.Article
	asked []rag.Question
}

func (s *archive) Search(_ context.Context, query string, opt rag.SearchOptions) ([]rag.Passage, error) {
	var ps []rag.Passage
	for _, a := range s.arts {
		if strings.Contains(query, a.Title) {
			ps = append(ps, rag.Passage{Article: a})
		}
	}
	return ps[:min(len(ps), opt.K)], nil
}

func (s *archive) Ask(ctx context.Context, q rag.Question) (rag.Answer, error) {
	s.asked = append(s.asked, q)
	ps, _ := s.Search(ctx, q.Text, rag.SearchOptions{K: 1})
	if len(ps) == 0 {
		return rag.Answer{Text: "The archive does not say."}, nil
	}
	quote := strings.Fields(ps[0].Article.Text)[0]
	if strings.Contains(q.Text, "misquote") {
		quote = "invented"
	}
	return rag.Answer{Found: true, Text: quote + " [1]", Citations: []rag.Citation{{N: 1, Article: ps[0].Article, Quote: quote}}}, nil
}

func TestRun(t *testing.T) {
	arts := []rag.Article{
		{ID: 1, URL: "https://a.example/1", Title: "Mezzour", Text: "Mezzour announced a national AI body."},
		{ID: 2, URL: "https://a.example/2", Title: "Rabat", Text: "Rabat hosted the summit."},
	}
	sys := &archive{arts: arts}
	store := &mock.Store{ArticleFn: func(_ context.Context, id int64) (rag.Article, error) {
		return arts[id-1], nil
	}}
	qs := []Question{
		{ID: "q1", Kind: "fact", Lang: "en", Text: "What did Mezzour announce?", ExpectedURLs: []string{"https://a.example/1"}, Answers: []string{"Mezzour"}},
		{ID: "q2", Kind: "fact", Text: "What happened in Rabat? misquote", ExpectedURLs: []string{"https://a.example/1"}},
		{ID: "q3", Kind: "none", Text: "Who won the 1930 World Cup?"},
	}
	var progress []int
	got, err := Run(context.Background(), sys, store, qs, Config{K: 5, Mode: rag.ModeExtractive, Progress: func(done, total int) {
		if total != 3 {
			t.Errorf("progress total %d, want 3", total)
		}
		progress = append(progress, done)
	}})
	if err != nil {
		t.Fatal(err)
	}
	type score struct {
		Kind                          string
		Questions                     int
		RecallAt1, Contains, NotFound float64
		CitesExpected, CiteOK         float64
	}
	var scores []score
	for _, k := range got {
		scores = append(scores, score{k.Kind, k.Questions, k.RecallAt1, k.Contains, k.NotFound, k.CitesExpected, k.CitationValid})
	}
	// q2's answer cites the Rabat article, not the expected one.
	want := []score{{"fact", 2, 0.5, 1, 0, 0.5, 0.5}, {"none", 1, 0, 0, 1, 0, 0}}
	if diff := cmp.Diff(want, scores); diff != "" {
		t.Errorf("scores (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{1, 2, 3}, progress); diff != "" {
		t.Errorf("progress (-want +got):\n%s", diff)
	}
	if sys.asked[0].Lang != "en" || sys.asked[0].Mode != rag.ModeExtractive {
		t.Errorf("asked %+v: want the question's language and the configured mode", sys.asked[0])
	}

	store.ArticleFn = func(context.Context, int64) (rag.Article, error) { return rag.Article{}, rag.ErrNotFound }
	if _, err := Run(context.Background(), sys, store, qs, Config{K: 5}); !errors.Is(err, rag.ErrNotFound) || !strings.Contains(err.Error(), "q1") {
		t.Errorf("a cited article that cannot be read: err %v, want rag.ErrNotFound naming q1", err)
	}
}
