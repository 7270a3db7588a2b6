package rag

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFuseLists(t *testing.T) {
	p := func(chunk, article int64, sim float64) Passage {
		return Passage{Chunk: Chunk{ID: chunk}, Article: Article{ID: article}, Similarity: sim}
	}
	own := []Passage{p(1, 10, 0.2), p(2, 20, 0.1), p(3, 10, 0)}
	translated := []Passage{p(4, 40, 0.5), p(2, 20, 0.6)}
	tests := []struct {
		name       string
		weights    []float64
		perArticle int
		n          int
		wantIDs    []int64
	}{
		// 2: 1/12 + 1/12; 1: 1/11; 4: 1/11; 3: 1/13.
		{"found by both legs first", []float64{1, 1}, 0, 10, []int64{2, 1, 4, 3}},
		{"per-article cap", []float64{1, 1}, 1, 10, []int64{2, 1, 4}},
		{"n", []float64{1, 1}, 0, 2, []int64{2, 1}},
		// 1: 1/11; 2: 1/12 + 0.05/12; 3: 1/13; 4: 0.05/11.
		{"a light translated leg", []float64{1, 0.05}, 0, 10, []int64{1, 2, 3, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []int64
			for _, p := range fuseLists([][]Passage{own, translated}, tt.weights, 10, tt.perArticle, tt.n) {
				got = append(got, p.Chunk.ID)
			}
			if diff := cmp.Diff(tt.wantIDs, got); diff != "" {
				t.Errorf("fused ids (-want +got):\n%s", diff)
			}
		})
	}
	fused := fuseLists([][]Passage{own, translated}, []float64{1, 1}, 10, 0, 10)
	if fused[0].Similarity != 0.6 {
		t.Errorf("passage 2's similarity %v, want the highest of its lists (0.6)", fused[0].Similarity)
	}
}

// TestFuseListsEvidence: a passage one list's vector leg and another's
// full-text leg put first counts as both legs' first.
func TestFuseListsEvidence(t *testing.T) {
	byText := []Passage{{Chunk: Chunk{ID: 1}, TextRank: 1}, {Chunk: Chunk{ID: 2}, TextRank: 2, VectorRank: 3}}
	byVector := []Passage{{Chunk: Chunk{ID: 2}, VectorRank: 1, Similarity: 0.4}, {Chunk: Chunk{ID: 1}, VectorRank: 2}}
	got := map[int64]Passage{}
	for _, p := range fuseLists([][]Passage{byText, byVector}, []float64{1, 0.3}, 10, 0, 10) {
		got[p.Chunk.ID] = p
	}
	if p := got[1]; p.TextRank != 1 || p.VectorRank != 2 {
		t.Errorf("passage 1: ranks text %d vector %d, want 1 and 2", p.TextRank, p.VectorRank)
	}
	if p := got[2]; p.TextRank != 2 || p.VectorRank != 1 || p.Similarity != 0.4 {
		t.Errorf("passage 2: ranks text %d vector %d, similarity %v; want 2, 1, 0.4", p.TextRank, p.VectorRank, p.Similarity)
	}
}

func TestBestRank(t *testing.T) {
	for _, tt := range []struct{ a, b, want int }{{0, 0, 0}, {0, 3, 3}, {3, 0, 3}, {2, 5, 2}, {5, 2, 2}} {
		if got := bestRank(tt.a, tt.b); got != tt.want {
			t.Errorf("bestRank(%d, %d) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestPinFirst(t *testing.T) {
	// Chunks 1 to 3 are of article 0, chunk 7 of article 1, 8 and 9 of 2.
	p := func(id int64) Passage { return Passage{Chunk: Chunk{ID: id}, Article: Article{ID: min(id, 9) / 4}} }
	own := []Passage{p(1), p(2), p(3)}
	fused := []Passage{p(9), p(2), p(8), p(1), p(7)}
	tests := []struct {
		n, k, perArticle int
		want             []int64
	}{
		{2, 5, 0, []int64{1, 2, 9, 8, 7}},
		{2, 3, 0, []int64{1, 2, 9}},
		{0, 3, 0, []int64{9, 2, 8}},
		{5, 4, 0, []int64{1, 2, 3, 9}},
		{2, 1, 0, []int64{1}},
		{3, 5, 2, []int64{1, 2, 9, 8, 7}}, // 3 is a third passage of article 0
	}
	for _, tt := range tests {
		var got []int64
		for _, q := range pinFirst(own, fused, tt.n, tt.k, tt.perArticle) {
			got = append(got, q.Chunk.ID)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("pinFirst(n=%d, k=%d, perArticle=%d) (-want +got):\n%s", tt.n, tt.k, tt.perArticle, diff)
		}
	}
}

// TestInLanguage: a translation's vector search speaks only for the
// passages in its language, ranked among them.
func TestInLanguage(t *testing.T) {
	p := func(id int64, lang string, rank int) Passage {
		return Passage{Chunk: Chunk{ID: id}, Article: Article{Lang: lang}, VectorRank: rank, Similarity: 0.5}
	}
	ps := []Passage{p(1, "fr", 1), p(2, "ar", 2), p(3, "", 3), p(4, "ar", 4), p(5, "ar", 0)}
	inLanguage(ps, "ar")
	type ev struct {
		Rank int
		Sim  float64
	}
	var got []ev
	for _, p := range ps {
		got = append(got, ev{p.VectorRank, p.Similarity})
	}
	if diff := cmp.Diff([]ev{{0, 0}, {1, 0.5}, {2, 0.5}, {3, 0.5}, {0, 0.5}}, got); diff != "" {
		t.Errorf("evidence (-want +got):\n%s", diff)
	}
}
