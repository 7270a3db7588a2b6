package eval

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/dalil-news/dalil/rag"
)

func byURL(urls ...string) []rag.Article {
	var arts []rag.Article
	for _, u := range urls {
		arts = append(arts, rag.Article{URL: u})
	}
	return arts
}

func TestRank(t *testing.T) {
	stored := []rag.Article{
		{ID: 1, URL: "https://a.example/1", Title: "Budget vote"},
		{ID: 1, URL: "https://a.example/1", Title: "Budget vote"},
		{ID: 2, URL: "https://a.example/2", Title: "Port de Casablanca"},
		{ID: 3, URL: "", Title: "Notes"},
	}
	tests := []struct {
		name     string
		arts     []rag.Article
		expected []string
		want     int
	}{
		{"first", byURL("a", "b"), []string{"a"}, 1},
		{"articles counted once", byURL("a", "a", "b", "c"), []string{"c"}, 3},
		{"any expected", byURL("a", "b"), []string{"x", "b"}, 2},
		{"missed", byURL("a", "b"), []string{"x"}, 0},
		{"empty", nil, []string{"x"}, 0},
		{"stored articles counted once by id", stored, []string{"https://a.example/2"}, 2},
		{"seed word in the title, any case", stored, []string{"seed:casablanca"}, 2},
		{"seed word missed", stored, []string{"seed:Rabat"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Rank(tt.arts, tt.expected); got != tt.want {
				t.Errorf("Rank(%v, %v) = %d, want %d", tt.arts, tt.expected, got, tt.want)
			}
		})
	}
}

func TestRetrieval(t *testing.T) {
	tests := []struct {
		name          string
		ranks         []int
		n             int
		at1, at5, mrr float64
	}{
		{"none", nil, 0, 0, 0, 0},
		{"mixed", []int{1, 2, 6, 0}, 4, 0.25, 0.5, (1 + 0.5 + 1.0/6) / 4},
		{"beyond 10 is a miss for MRR", []int{11, 3}, 2, 0, 0.5, (1.0 / 3) / 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Retrieval
			for _, rank := range tt.ranks {
				r.Add(rank)
			}
			got := []float64{float64(r.Questions()), r.RecallAt1(), r.RecallAt5(), r.MRRAt10()}
			want := []float64{float64(tt.n), tt.at1, tt.at5, tt.mrr}
			if diff := cmp.Diff(want, got, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
				t.Errorf("n, recall@1, recall@5, MRR@10 (-want +got):\n%s", diff)
			}
		})
	}
}

func TestContainsAny(t *testing.T) {
	tests := []struct {
		text string
		gold []string
		want bool
	}{
		{"Elle sera créée en 2024 [1].", []string{"2024"}, true},
		{"The PORT doubled", []string{" port "}, true},
		{"nothing", []string{"", "  "}, false},
		{"nothing", nil, false},
	}
	for _, tt := range tests {
		if got := ContainsAny(tt.text, tt.gold); got != tt.want {
			t.Errorf("ContainsAny(%q, %q) = %v, want %v", tt.text, tt.gold, got, tt.want)
		}
	}
}

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 100; i++ {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"none", nil, 0.5, 0},
		{"median", ds, 0.50, 50 * time.Millisecond},
		{"p99", ds, 0.99, 99 * time.Millisecond},
		{"nearest rank rounds up", ds[:3], 0.5, 2 * time.Millisecond},
		{"p0 is the first", ds, 0, time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Percentile(tt.sorted, tt.p); got != tt.want {
				t.Errorf("Percentile(%d durations, %v) = %v, want %v", len(tt.sorted), tt.p, got, tt.want)
			}
		})
	}
}

func TestAddCitesExpected(t *testing.T) {
	cites := func(found bool, arts ...rag.Article) rag.Answer {
		ans := rag.Answer{Found: found}
		for i, a := range arts {
			ans.Citations = append(ans.Citations, rag.Citation{N: i + 1, Article: a})
		}
		return ans
	}
	mezzour := rag.Article{ID: 7, URL: "file:///seed.txt", Title: "Ryad Mezzour et l'IA"}
	port := rag.Article{ID: 2, URL: "https://a.example/2", Title: "Port"}
	tests := []struct {
		name     string
		ans      rag.Answer
		expected []string
		want     float64
	}{
		{"cites the expected URL", cites(true, port), []string{"https://a.example/2"}, 1},
		{"cites the seed article by title", cites(true, port, mezzour), []string{"seed:mezzour"}, 1},
		{"any expected article", cites(true, port), []string{"https://a.example/9", "https://a.example/2"}, 1},
		{"cites another article", cites(true, mezzour), []string{"https://a.example/2"}, 0},
		{"found without citations", cites(true), []string{"https://a.example/2"}, 0},
		{"not found, whatever it cites", cites(false, port), []string{"https://a.example/2"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var k Kind
			k.AddCitesExpected(tt.ans, tt.expected)
			k.Finish()
			if k.CitesExpected != tt.want {
				t.Errorf("CitesExpected = %v, want %v", k.CitesExpected, tt.want)
			}
		})
	}
}

func TestKinds(t *testing.T) {
	ks := Kinds{}
	fact := ks.Of("fact")
	fact.AddRank(1)
	fact.AddRank(0)
	fact.AddAnswer(rag.Answer{Found: true, Text: "En 2024 [1].", Usage: rag.Usage{PromptTokens: 90, CompletionTokens: 10}}, 30*time.Millisecond, []string{"2024"})
	fact.AddAnswer(rag.Answer{Found: false, Text: "not found"}, 10*time.Millisecond, []string{"2025"})
	fact.AddCitesExpected(rag.Answer{Found: true, Citations: []rag.Citation{{N: 1, Article: rag.Article{URL: "https://a.example/1"}}}}, []string{"https://a.example/1"})
	fact.AddCitesExpected(rag.Answer{Found: false}, []string{"https://a.example/2"})
	fact.AddCitation("sera créée en 2024", "L'instance sera créée en 2024.")
	fact.AddCitation("invented", "L'instance sera créée en 2024.")
	fact.AddCitation("", "anything")
	ks.Of("abstain").AddAnswer(rag.Answer{Found: false}, 5*time.Millisecond, nil)
	if ks.Of("fact") != fact {
		t.Fatal("Of made a second fact kind")
	}
	got := ks.Finish()
	want := []*Kind{
		{Kind: "abstain", Questions: 1, NotFound: 1, LatencyP50ms: 5, LatencyP95ms: 5},
		{Kind: "fact", Questions: 2, RecallAt1: 0.5, RecallAt5: 0.5, MRRAt10: 0.5, Contains: 0.5, NotFound: 0.5, CitesExpected: 0.5,
			CitationValid: 1.0 / 3, TokensPerAns: 50, LatencyP50ms: 10, LatencyP95ms: 30},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(Kind{})); diff != "" {
		t.Errorf("Kinds.Finish (-want +got):\n%s", diff)
	}
}

func TestWriteTable(t *testing.T) {
	var buf strings.Builder
	kinds := []*Kind{
		{Kind: "fr-fr", Questions: 400, RecallAt1: 0.675, RecallAt5: 0.8675, MRRAt10: 0.755, Contains: 0.55, NotFound: 0.1175,
			CitesExpected: 0.665, CitationValid: 1, TokensPerAns: 812.4, LatencyP50ms: 31.25, LatencyP95ms: 80},
		{Kind: "none", Questions: 10, NotFound: 0.8},
	}
	if err := WriteTable(&buf, kinds); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"   kind    n  recall@1  recall@5  MRR@10  contains gold  not found  cites expected  citations ok  tokens/ans  p50 ms  p95 ms\n" +
		"  fr-fr  400     0.675     0.868   0.755          0.550      0.117           0.665         1.000         812    31.2    80.0\n" +
		"   none   10     0.000     0.000   0.000          0.000      0.800           0.000         0.000           0     0.0     0.0\n"
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("WriteTable (-want +got):\n%s", diff)
	}
}
