package synth

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dalil-news/dalil/rag"
)

func TestDeterministic(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"default topics", Config{Seed: 1}},
		{"few topics", Config{Seed: 7, Topics: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := New(tt.cfg), New(tt.cfg)
			for i := range 50 {
				got, want := a.Article(), b.Article()
				if diff := cmp.Diff(want, got); diff != "" {
					t.Fatalf("article %d differs (-want +got):\n%s", i, diff)
				}
			}
		})
	}
}

func TestArticlesChunkAndDiffer(t *testing.T) {
	g := New(Config{Seed: 3})
	seen := map[string]bool{}
	langs := map[string]int{}
	for i := range 200 {
		a := g.Article()
		if a.Title == "" || a.URL == "" || a.Published.IsZero() {
			t.Fatalf("article %d lacks title, URL or date: %+v", i, a)
		}
		if seen[a.URL] || seen[a.Text] {
			t.Fatalf("article %d repeats a URL or a text", i)
		}
		seen[a.URL], seen[a.Text] = true, true
		langs[a.Lang]++
		if n := len(rag.ChunkArticle(a, rag.ChunkConfig{})); n < 1 {
			t.Fatalf("article %d gives %d chunks", i, n)
		}
	}
	if langs["fr"] < 80 || langs["en"] < 40 {
		t.Errorf("languages = %v, want about 60%% fr and 40%% en", langs)
	}
}
