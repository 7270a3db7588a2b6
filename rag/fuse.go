package rag

import (
	"cmp"
	"slices"
)

// Hit is a chunk found by one leg of a hybrid search.
type Hit struct {
	ChunkID, ArticleID int64
	// Distance is the cosine distance to the question's vector, when the
	// leg knows it.
	Distance float64
}

// FusedHit is a chunk of a fused ranking.
type FusedHit struct {
	Hit
	Score                float64
	VectorRank, TextRank int // 1-based ranks in each leg, 0 when absent
	// Measured reports that Distance is known although the vector leg did
	// not rank the chunk (SearchQuery.TextOnly).
	Measured bool
}

// Fusion weighs the two legs of a hybrid search in reciprocal rank fusion.
type Fusion struct {
	K                        int     // the rank offset (60 in the original paper)
	VectorWeight, TextWeight float64 // each leg's weight
}

// Fuse merges the legs, each best first, by weighted reciprocal rank
// fusion (score = VectorWeight/(K + vector rank) + TextWeight/(K + text
// rank)), keeps at most perArticle chunks of an article (0: no cap) and
// returns the best n, best first; ties go to the lower chunk id. A chunk
// in both legs takes its distance from the vector leg.
func (f Fusion) Fuse(vec, txt []Hit, perArticle, n int) []FusedHit {
	byID := make(map[int64]*FusedHit, len(vec)+len(txt))
	var all []*FusedHit
	add := func(h Hit) *FusedHit {
		fh := byID[h.ChunkID]
		if fh == nil {
			fh = &FusedHit{Hit: Hit{ChunkID: h.ChunkID, ArticleID: h.ArticleID}}
			byID[h.ChunkID] = fh
			all = append(all, fh)
		}
		return fh
	}
	for i, h := range vec {
		fh := add(h)
		fh.Distance, fh.VectorRank = h.Distance, i+1
		fh.Score += f.VectorWeight / float64(f.K+i+1)
	}
	for i, h := range txt {
		fh := add(h)
		fh.TextRank = i + 1
		fh.Score += f.TextWeight / float64(f.K+i+1)
	}
	slices.SortFunc(all, func(a, b *FusedHit) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.ChunkID, b.ChunkID))
	})
	perArt := map[int64]int{}
	var out []FusedHit
	for _, fh := range all {
		if perArticle > 0 && perArt[fh.ArticleID] >= perArticle {
			continue
		}
		perArt[fh.ArticleID]++
		out = append(out, *fh)
		if len(out) == n {
			break
		}
	}
	return out
}
