package rag

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestFuse(t *testing.T) {
	vec := []Hit{{ChunkID: 1, ArticleID: 10, Distance: 0.1}, {ChunkID: 2, ArticleID: 10, Distance: 0.2}, {ChunkID: 3, ArticleID: 10, Distance: 0.3}, {ChunkID: 4, ArticleID: 20, Distance: 0.4}}
	txt := []Hit{{ChunkID: 4, ArticleID: 20}, {ChunkID: 5, ArticleID: 30}, {ChunkID: 1, ArticleID: 10}}
	type hit struct {
		ID           int64
		VRank, TRank int
		Score        float64
	}
	tests := []struct {
		name       string
		vw, tw     float64
		perArticle int
		n          int
		want       []hit
	}{
		{"weighted", 0.5, 1, 0, 10, []hit{
			{4, 4, 1, 0.5/14 + 1.0/11}, {1, 1, 3, 0.5/11 + 1.0/13}, {5, 0, 2, 1.0 / 12},
			{2, 2, 0, 0.5 / 12}, {3, 3, 0, 0.5 / 13}}},
		{"per-article cap and n", 0.5, 1, 1, 2, []hit{{4, 4, 1, 0.5/14 + 1.0/11}, {1, 1, 3, 0.5/11 + 1.0/13}}},
		{"equal scores by id", 1, 1, 0, 4, []hit{
			{1, 1, 3, 1.0/11 + 1.0/13}, {4, 4, 1, 1.0/14 + 1.0/11}, {2, 2, 0, 1.0 / 12}, {5, 0, 2, 1.0 / 12}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Fusion{K: 10, VectorWeight: tt.vw, TextWeight: tt.tw}
			var got []hit
			for _, h := range f.Fuse(vec, txt, tt.perArticle, tt.n) {
				got = append(got, hit{h.ChunkID, h.VectorRank, h.TextRank, h.Score})
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
				t.Errorf("fused (-want +got):\n%s", diff)
			}
		})
	}
}
