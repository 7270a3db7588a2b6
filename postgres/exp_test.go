package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dalil-news/dalil/embeddings"
	"github.com/dalil-news/dalil/rag"
)

func TestExpTime(t *testing.T) {
	url := os.Getenv("EXP_URL")
	if url == "" || os.Getenv("EXP_TIME") == "" {
		t.Skip()
	}
	ctx := context.Background()
	b, _ := os.ReadFile("../testdata/eval/questions-dev.jsonl")
	var qs, langs []string
	for i, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if i%4 != 0 {
			continue
		}
		var q struct{ Question, Lang string }
		json.Unmarshal([]byte(l), &q)
		qs, langs = append(qs, q.Question), append(langs, q.Lang)
	}
	emb := embeddings.NewOffline(embeddings.OfflineConfig{Dimensions: 384})
	vecs, _ := emb.Embed(ctx, qs)
	st, err := Open(ctx, url, Config{})
	if err != nil {
		t.Fatal(err)
	}
	var ds []time.Duration
	for round := 0; round < 2; round++ {
		ds = ds[:0]
		for i, q := range qs {
			sq := rag.SearchQuery{Text: q, Lang: langs[i], Vector: vecs[i], K: 10, Candidates: 40, PerArticle: 2}
			if os.Getenv("EXP_NOVEC") != "" {
				sq.Vector = nil
			}
			if os.Getenv("EXP_NOTXT") != "" {
				sq.Text = ""
			}
			start := time.Now()
			if _, err := st.Search(ctx, sq); err != nil {
				t.Fatal(err)
			}
			ds = append(ds, time.Since(start))
		}
	}
	slices.Sort(ds)
	fmt.Printf("n=%d p50=%v p90=%v p99=%v max=%v\n", len(ds), ds[len(ds)/2], ds[len(ds)*9/10], ds[len(ds)*99/100], ds[len(ds)-1])
}
