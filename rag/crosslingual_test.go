package rag

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dalil-news/dalil/lexicon"
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

func TestTermCoverage(t *testing.T) {
	terms := []lexicon.Term{
		{Source: "house", Alternatives: []string{"maison", "domicile"}},
		{Source: "artificial", Alternatives: []string{"intelligence artificielle"}},
		{Source: "mezzour", Alternatives: nil},
		{Source: "rain", Alternatives: []string{"pluie"}},
	}
	tests := []struct {
		text string
		want float64
	}{
		{"Les maisons de Ghita Mezzour et l'Intelligence Artificielle", 0.75}, // plural, accents, name, two-word translation
		{"La pluie tombe sur l'intelligence", 0.25},                           // one word of two is not a translation
		{"", 0},
	}
	for _, tt := range tests {
		if got := termCoverage(terms, foldedWords(tt.text)); got != tt.want {
			t.Errorf("termCoverage(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
	if got := termCoverage(nil, foldedWords("maison")); got != 0 {
		t.Errorf("no terms: %v, want 0", got)
	}
}
