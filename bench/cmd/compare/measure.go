package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pgvector/pgvector-go"
	lcpg "github.com/tmc/langchaingo/vectorstores/pgvector"

	"github.com/dalil-news/dalil/bench/synth"
	"github.com/dalil-news/dalil/embeddings"
	"github.com/dalil-news/dalil/eval"
	"github.com/dalil-news/dalil/internal/testing/openaitest"
	"github.com/dalil-news/dalil/lexicon"
	"github.com/dalil-news/dalil/llm"
	"github.com/dalil-news/dalil/postgres"
	"github.com/dalil-news/dalil/rag"
)

// query is one question used for latency and load.
type query struct {
	Text, Lang string
	// Synthetic is set for questions about the synthetic archive's topics;
	// the others come from the evaluation set.
	Synthetic bool
	vec       []float32
}

// queryMix returns n questions: half from the evaluation set (every kind),
// half about the synthetic archive's topics, embedded once.
func queryMix(ctx context.Context, evalQs []eval.Question, seed uint64, n int, emb *embeddings.Offline) ([]query, error) {
	var qs []query
	step := max(1, len(evalQs)/(n/2))
	for i := 0; i < len(evalQs) && len(qs) < n/2; i += step {
		qs = append(qs, query{Text: evalQs[i].Text, Lang: evalQs[i].Lang})
	}
	g := synth.New(synth.Config{Seed: seed})
	for len(qs) < n {
		t, l := g.Question()
		qs = append(qs, query{Text: t, Lang: l, Synthetic: true})
	}
	texts := make([]string, len(qs))
	for i, q := range qs {
		texts[i] = q.Text
	}
	vecs, err := emb.Embed(ctx, texts)
	if err != nil {
		return nil, fmt.Errorf("embed queries: %w", err)
	}
	for i := range qs {
		qs[i].vec = vecs[i]
	}
	return qs, nil
}

// latency summarises durations in milliseconds.
type latency struct {
	N    int     `json:"n"`
	P50  float64 `json:"p50_ms"`
	P99  float64 `json:"p99_ms"`
	Mean float64 `json:"mean_ms"`
	Load string  `json:"load"`
}

func summarize(ds []time.Duration) latency {
	if len(ds) == 0 {
		return latency{}
	}
	slices.Sort(ds)
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	ms := eval.Milliseconds
	return latency{N: len(ds), P50: ms(eval.Percentile(ds, 0.50)), P99: ms(eval.Percentile(ds, 0.99)), Mean: ms(sum / time.Duration(len(ds))), Load: loadAvg()}
}

// timeInTurns runs every f on every query once as a warm-up, then times
// each f on every query, the fs taking turns query by query. At turn j, f
// number i runs query j + i×len(qs)/len(fs) (modulo): each query is run by
// the fs a fifth of the queries apart (with five fs), as far apart as the
// warm-up and the timed run of one f, so that no f reads pages another has
// just read for the same query. (With the fs one query apart, the f run
// first had every query's pages to read alone and the others found them
// cached: at 1M, Service.Ask measured last in turn came out 2.3× Service.Search.)
func timeInTurns(qs []query, fs []func(q query) error) ([]latency, error) {
	for _, f := range fs {
		for _, q := range qs {
			if err := f(q); err != nil {
				return nil, fmt.Errorf("warm-up %q: %w", q.Text, err)
			}
		}
	}
	ds := make([][]time.Duration, len(fs))
	for j := range qs {
		for i, f := range fs {
			q := qs[(j+i*len(qs)/len(fs))%len(qs)]
			t := time.Now()
			if err := f(q); err != nil {
				return nil, fmt.Errorf("query %q: %w", q.Text, err)
			}
			ds[i] = append(ds[i], time.Since(t))
		}
	}
	out := make([]latency, len(fs))
	for i := range fs {
		out[i] = summarize(ds[i])
	}
	return out, nil
}

// timeQueries runs f on every query once after a warm-up of the first
// warm queries, one at a time, and summarises the latencies.
func timeQueries(qs []query, warm int, f func(q query) error) (latency, error) {
	for _, q := range qs[:min(warm, len(qs))] {
		if err := f(q); err != nil {
			return latency{}, fmt.Errorf("warm-up %q: %w", q.Text, err)
		}
	}
	ds := make([]time.Duration, 0, len(qs))
	for _, q := range qs {
		t := time.Now()
		if err := f(q); err != nil {
			return latency{}, fmt.Errorf("query %q: %w", q.Text, err)
		}
		ds = append(ds, time.Since(t))
	}
	return summarize(ds), nil
}

// searchLatencies are the latency figures of one archive size.
type searchLatencies struct {
	Chunks int `json:"chunks"`
	// Bare is `ORDER BY embedding <=> $1 LIMIT 10` on dalil's chunks
	// (HNSW at pgvector's default ef_search, 40; vector precomputed), and
	// BareDalilEf the same at dalil's ef_search (postgres.DefaultEfSearch).
	Bare        latency `json:"bare_hnsw_top10"`
	BareDalilEf latency `json:"bare_hnsw_top10_dalil_ef"`
	// StoreSearch is dalil's hybrid SQL with a precomputed vector.
	StoreSearch latency `json:"dalil_store_search"`
	// Search is rag.Service.Search: embed + hybrid SQL + fusion.
	Search latency `json:"dalil_search"`
	// Ask is rag.Service.Ask in extractive mode: Search + gating + answer.
	Ask latency `json:"dalil_ask_extractive"`
	// SearchTranslated is rag.Service.Search with the FreeDict
	// dictionaries (lexicon.DefaultDir), when they are installed: the
	// question's search and its translations', fused.
	SearchTranslated *latency `json:"dalil_search_translated,omitempty"`
	// LC is LangChainGo's SimilaritySearch (embed + its SQL), k = 10.
	LC *latency `json:"langchaingo_similarity_search,omitempty"`
}

func measureSearch(ctx context.Context, dalilURL, lcURL string, qs []query, emb *embeddings.Offline) (searchLatencies, error) {
	var out searchLatencies
	st, err := openDalil(ctx, dalilURL, postgres.Config{}, emb)
	if err != nil {
		return out, err
	}
	defer st.Close()
	raw, err := openPool(ctx, dalilURL, 2)
	if err != nil {
		return out, err
	}
	defer raw.Close()
	rawEf, err := openPoolEf(ctx, dalilURL, 2, postgres.DefaultEfSearch)
	if err != nil {
		return out, err
	}
	defer rawEf.Close()
	if err := raw.QueryRow(ctx, "SELECT count(*) FROM chunks").Scan(&out.Chunks); err != nil {
		return out, fmt.Errorf("count chunks: %w", err)
	}
	svc := rag.NewService(st, emb, nil, rag.Config{})
	dicts, err := lexicon.Open(lexicon.DefaultDir)
	if err != nil {
		return out, err
	}
	svcX := rag.NewService(st, emb, nil, rag.Config{Translator: dicts})
	var translated latency
	steps := []struct {
		dst *latency
		f   func(q query) error
	}{
		{&out.Bare, func(q query) error {
			_, _, err := bareTopK(ctx, raw, q.vec, 10, 0, false)
			return err
		}},
		{&out.BareDalilEf, func(q query) error {
			_, _, err := bareTopK(ctx, rawEf, q.vec, 10, 0, false)
			return err
		}},
		{&out.StoreSearch, func(q query) error {
			_, err := st.Search(ctx, rag.SearchQuery{Text: q.Text, Vector: q.vec, K: 10, Candidates: 40, PerArticle: 2})
			return err
		}},
		{&out.Search, func(q query) error {
			_, err := svc.Search(ctx, q.Text, rag.SearchOptions{K: 10})
			return err
		}},
		{&out.Ask, func(q query) error {
			_, err := svc.Ask(ctx, rag.Question{Text: q.Text, Lang: q.Lang, Mode: rag.ModeExtractive})
			return err
		}},
	}
	if len(dicts.Pairs()) > 0 {
		out.SearchTranslated = &translated
		steps = append(steps, struct {
			dst *latency
			f   func(q query) error
		}{&translated, func(q query) error {
			_, err := svcX.Search(ctx, q.Text, rag.SearchOptions{K: 10})
			return err
		}})
	}
	// Each path first runs every question once: the archive is bigger
	// than shared_buffers, and the pages a path reads must not depend on
	// what the path measured before it read (with 20 warm-up questions,
	// whichever ran first was up to twice as slow). Then the paths take
	// turns, so that the machine's slower and faster seconds fall on all of
	// them: measured one after another, the same path's p50 moved by up to
	// 40% between runs minutes apart, and the ratios with it. Each path
	// runs a question far from the others' (timeInTurns).
	fs := make([]func(q query) error, len(steps))
	for i, s := range steps {
		fs[i] = s.f
	}
	lats, err := timeInTurns(qs, fs)
	if err != nil {
		return out, err
	}
	for i, s := range steps {
		*s.dst = lats[i]
	}
	if lcURL == "" {
		return out, nil
	}
	lc, pool, err := openLC(ctx, lcURL, emb, 2)
	if err != nil {
		return out, err
	}
	defer pool.Close()
	l, err := timeQueries(qs, 5, func(q query) error {
		_, err := lc.SimilaritySearch(ctx, q.Text, 10)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("langchaingo: %w", err)
	}
	out.LC = &l
	return out, nil
}

// bareTopK returns the ids and distances of the k nearest chunks: by the
// HNSW index at ef_search ef (0: the session's), or exactly when exact is
// set.
func bareTopK(ctx context.Context, pool *pgxpool.Pool, vec []float32, k, ef int, exact bool) ([]int64, []float64, error) {
	order := "embedding <=> $1"
	if exact {
		// An ordering the index cannot serve. Turning index scans off for
		// the exact search is not enough: the statement's generic plan, made
		// once, is kept whatever the setting is when it runs next.
		order = "(embedding <=> $1) + 0"
	}
	// k is written into the statement: with a parameter for it the
	// statement was planned for every query (its generic plan estimated at
	// a tenth of the table), the bare query's slower form.
	sql := fmt.Sprintf("SELECT id, embedding <=> $1 FROM chunks ORDER BY %s LIMIT %d", order, k)
	args := []any{pgvector.NewVector(vec)}
	var ids []int64
	var dists []float64
	collect := func(rows pgx.Rows) error {
		var id int64
		var d float64
		_, err := pgx.ForEachRow(rows, []any{&id, &d}, func() error {
			ids, dists = append(ids, id), append(dists, d)
			return nil
		})
		return err
	}
	if ef == 0 || exact {
		rows, _ := pool.Query(ctx, sql, args...)
		return ids, dists, collect(rows)
	}
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, fmt.Sprintf("SET LOCAL hnsw.ef_search = %d", max(ef, k))); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, sql, args...)
		return collect(rows)
	})
	return ids, dists, err
}

// recallPoint is HNSW recall@10 against exact search at one ef_search. A
// returned chunk counts as a hit when it is among the exact top 10 or no
// farther than the exact 10th (ties); IDs counts exact id matches only.
type recallPoint struct {
	EfSearch int     `json:"ef_search"`
	Recall10 float64 `json:"recall_at_10"`
	// Synth and Eval split Recall10 by the questions' origin: about the
	// archive's topics, or evaluation questions the archive does not hold.
	Synth float64 `json:"recall_synthetic_questions"`
	Eval  float64 `json:"recall_eval_questions"`
	IDs   float64 `json:"recall_ids_only"`
	// ANN is recall@10 as ann-benchmarks defines it (its knn metric): a
	// returned chunk is a hit when its distance is at most the exact 10th
	// distance plus annEpsilon. ANNEval is the same on the evaluation
	// questions alone.
	ANN     float64 `json:"recall_ann_benchmarks,omitempty"`
	ANNEval float64 `json:"recall_ann_benchmarks_eval_questions,omitempty"`
	// Top1Eval is the share of evaluation questions whose exact nearest
	// chunk the index returns among its 10.
	Top1Eval float64 `json:"exact_top1_found_eval_questions,omitempty"`
	// EvalReal is recall@10 of the evaluation questions counted on the
	// real chunks (the evaluation corpus's) of their exact top 10 only.
	EvalReal *float64 `json:"recall_eval_questions_real_neighbours,omitempty"`
	Latency  latency  `json:"latency"`
	// Dalil is the same recall for the vector ranking dalil's search fuses
	// at this ef_search: the HNSW walk's chunks and the full-text leg's
	// matches, each at its exact distance (postgres.Store.Search).
	Dalil *dalilRecall `json:"dalil_vector_ranking,omitempty"`
}

// dalilRecall is recall@10 of dalil's vector ranking against exact search.
type dalilRecall struct {
	Recall10 float64  `json:"recall_at_10"`
	Synth    float64  `json:"recall_synthetic_questions"`
	Eval     float64  `json:"recall_eval_questions"`
	Top1Eval float64  `json:"exact_top1_found_eval_questions"`
	EvalReal *float64 `json:"recall_eval_questions_real_neighbours,omitempty"`
	Latency  latency  `json:"latency"`
}

// recallResult holds the exact search cost and the recall curve.
type recallResult struct {
	Chunks  int     `json:"chunks"`
	Queries int     `json:"queries"`
	Exact   latency `json:"exact_latency"`
	// EvalSynthetic is the share of the evaluation questions' exact top 10
	// that are synthetic chunks: generated about invented topics, they share
	// no subject with the questions.
	EvalSynthetic *float64      `json:"eval_exact_top10_synthetic_share,omitempty"`
	Points        []recallPoint `json:"points"`
}

func measureRecall(ctx context.Context, dbURL string, qs []query, efs []int) (recallResult, error) {
	res := recallResult{Queries: len(qs)}
	pool, err := openPool(ctx, dbURL, 2)
	if err != nil {
		return res, err
	}
	defer pool.Close()
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM chunks").Scan(&res.Chunks); err != nil {
		return res, fmt.Errorf("count chunks: %w", err)
	}
	truth := make([][]int64, len(qs))
	realIDs := make([][]int64, len(qs))
	kth := make([]float64, len(qs))
	firstDist := make([]float64, len(qs))
	var ds []time.Duration
	for i, q := range qs {
		t := time.Now()
		ids, dists, err := bareTopK(ctx, pool, q.vec, 10, 0, true)
		if err != nil {
			return res, fmt.Errorf("exact search: %w", err)
		}
		ds = append(ds, time.Since(t))
		truth[i] = ids
		if len(dists) > 0 {
			kth[i], firstDist[i] = dists[len(dists)-1], dists[0]
		}
	}
	res.Exact = summarize(ds)
	var evalTruth, evalReal int
	for i, q := range qs {
		if q.Synthetic {
			continue
		}
		rows, _ := pool.Query(ctx, `SELECT c.id FROM chunks c JOIN articles a ON a.id = c.article_id
			WHERE c.id = ANY($1) AND NOT starts_with(a.url, $2)`, truth[i], synth.URLPrefix)
		if realIDs[i], err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
			return res, fmt.Errorf("real chunks of the exact top 10: %w", err)
		}
		evalTruth, evalReal = evalTruth+len(truth[i]), evalReal+len(realIDs[i])
	}
	res.EvalSynthetic = ptr(share(evalTruth-evalReal, evalTruth))
	for _, ef := range efs {
		var t tally
		ds = ds[:0]
		for i, q := range qs {
			start := time.Now()
			ids, dists, err := bareTopK(ctx, pool, q.vec, 10, ef, false)
			if err != nil {
				return res, fmt.Errorf("hnsw search at ef_search %d: %w", ef, err)
			}
			ds = append(ds, time.Since(start))
			t.add(q.Synthetic, truth[i], realIDs[i], kth[i], firstDist[i], ids, dists)
		}
		pt := recallPoint{EfSearch: ef,
			Recall10: share(t.hit, t.total), IDs: share(t.idHit, t.total),
			Synth: share(t.synHit, t.synTotal), Eval: share(t.hit-t.synHit, t.total-t.synTotal),
			ANN: share(t.annHit, t.total), ANNEval: share(t.annHit-t.annSynHit, t.total-t.synTotal),
			Top1Eval: share(t.top1, t.evalQs), EvalReal: ptr(share(t.realHit, t.realTotal)),
			Latency: summarize(ds)}
		d, err := dalilVectorRecall(ctx, dbURL, qs, ef, truth, realIDs, kth, firstDist)
		if err != nil {
			return res, err
		}
		pt.Dalil = &d
		res.Points = append(res.Points, pt)
	}
	return res, nil
}

// tally counts the hits of one recall measurement against exact search.
type tally struct {
	hit, idHit, annHit, total   int // every question
	synHit, annSynHit, synTotal int // the synthetic questions
	top1, evalQs                int // the evaluation questions
	realHit, realTotal          int // the real chunks of their exact top 10
}

// add counts one question's returned chunks ids at distances dists against
// its exact top 10 (truth), whose 10th and 1st distances are kth and first
// and whose real chunks (not synthetic) are realIDs.
func (t *tally) add(synthetic bool, truth, realIDs []int64, kth, first float64, ids []int64, dists []float64) {
	for j, id := range ids {
		in := slices.Contains(truth, id)
		h := boolInt(in || dists[j] <= kth+1e-6)
		a := boolInt(dists[j] <= kth+annEpsilon)
		t.hit += h
		t.idHit += boolInt(in)
		t.annHit += a
		if synthetic {
			t.synHit += h
			t.annSynHit += a
		}
	}
	t.total += len(truth)
	if synthetic {
		t.synTotal += len(truth)
	} else if len(truth) > 0 {
		t.realTotal += len(realIDs)
		for _, id := range realIDs {
			t.realHit += boolInt(slices.Contains(ids, id))
		}
		t.evalQs++
		t.top1 += boolInt(slices.Contains(ids, truth[0]) || slices.ContainsFunc(dists, func(d float64) bool { return d <= first+1e-6 }))
	}
}

// share is a/b, 0 when b is 0.
func share(a, b int) float64 { return float64(a) / float64(max(b, 1)) }

// ptr returns a pointer to v, for figures that runs before them lack.
func ptr(v float64) *float64 { return &v }

// dalilVectorRecall measures recall@10 against exact search (truth, its
// real chunks realIDs, the 10th and 1st exact distances kth and first) of
// the vector ranking postgres.Store.Search fuses, at ef_search ef: with
// the full-text leg's weight near zero, the fused top 10 is that
// ranking's top 10 (its reciprocal-rank steps are far larger than any
// text score).
func dalilVectorRecall(ctx context.Context, dbURL string, qs []query, ef int, truth, realIDs [][]int64, kth, first []float64) (dalilRecall, error) {
	var res dalilRecall
	st, err := postgres.Open(ctx, dbURL, postgres.Config{EfSearch: ef, TextWeight: 1e-9, MaxConns: 2})
	if err != nil {
		return res, err
	}
	defer st.Close()
	var t tally
	var ds []time.Duration
	for i, q := range qs {
		start := time.Now()
		ps, err := st.Search(ctx, rag.SearchQuery{Text: q.Text, Lang: q.Lang, Vector: q.vec, K: 10, Candidates: 10})
		if err != nil {
			return res, fmt.Errorf("dalil search at ef_search %d: %w", ef, err)
		}
		ds = append(ds, time.Since(start))
		var ids []int64
		var dists []float64
		for _, p := range ps {
			if p.VectorRank > 0 {
				ids, dists = append(ids, p.Chunk.ID), append(dists, 1-p.Similarity)
			}
		}
		t.add(q.Synthetic, truth[i], realIDs[i], kth[i], first[i], ids, dists)
	}
	return dalilRecall{Recall10: share(t.hit, t.total), Synth: share(t.synHit, t.synTotal), Eval: share(t.hit-t.synHit, t.total-t.synTotal),
		Top1Eval: share(t.top1, t.evalQs), EvalReal: ptr(share(t.realHit, t.realTotal)), Latency: summarize(ds)}, nil
}

// annEpsilon is the distance tolerance of ann-benchmarks' recall
// (knn_threshold in its metrics: the k-th exact distance + 1e-3).
const annEpsilon = 1e-3

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// loadResult is one load test.
type loadResult struct {
	Mode        string  `json:"mode"`
	Concurrency int     `json:"concurrency"`
	MaxConns    int32   `json:"max_conns"`
	Seconds     float64 `json:"seconds"`
	Asks        int     `json:"asks"`
	Errors      int     `json:"errors"`
	FirstError  string  `json:"first_error,omitempty"`
	Found       int     `json:"found"`
	PerSecond   float64 `json:"asks_per_sec"`
	Latency     latency `json:"latency"`
	// Pool figures from postgres.Store.PoolStats over the test.
	Acquires      int64   `json:"acquires"`
	EmptyAcquires int64   `json:"waited_acquires"`
	AcquireWaitMs float64 `json:"acquire_wait_ms_total"`
}

// loadTest runs concurrency goroutines asking questions in a loop for d.
func loadTest(ctx context.Context, dbURL, mode string, maxConns int32, concurrency int, d time.Duration, llmDelay time.Duration, qs []query, emb *embeddings.Offline) (loadResult, error) {
	res := loadResult{Mode: mode, Concurrency: concurrency}
	st, err := openDalil(ctx, dbURL, postgres.Config{MaxConns: maxConns}, emb)
	if err != nil {
		return res, err
	}
	defer st.Close()
	var chat rag.Chat
	if mode == rag.ModeLLM {
		srv := fakeLLM(llmDelay)
		defer srv.Close()
		c, err := llm.New(llm.Config{BaseURL: srv.URL + "/v1", Model: "bench", APIKey: "bench"})
		if err != nil {
			return res, err
		}
		chat = c
	}
	svc := rag.NewService(st, emb, chat, rag.Config{})
	before := st.PoolStats()
	res.MaxConns = before.MaxConns
	var mu sync.Mutex
	var ds []time.Duration
	lctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for w := range concurrency {
		wg.Go(func() {
			for i := w; lctx.Err() == nil; i += concurrency {
				q := qs[i%len(qs)]
				t := time.Now()
				ans, err := svc.Ask(ctx, rag.Question{Text: q.Text, Lang: q.Lang, Mode: mode})
				el := time.Since(t)
				mu.Lock()
				if err != nil {
					res.Errors++
					if res.FirstError == "" {
						res.FirstError = err.Error()
					}
				} else {
					ds = append(ds, el)
					res.Found += boolInt(ans.Found)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	res.Seconds = time.Since(start).Seconds()
	after := st.PoolStats()
	res.Asks = len(ds) + res.Errors
	res.PerSecond = float64(len(ds)) / res.Seconds
	res.Latency = summarize(ds)
	res.Acquires = after.Acquires - before.Acquires
	res.EmptyAcquires = after.WaitedAcquires - before.WaitedAcquires
	res.AcquireWaitMs = float64((after.AcquireWait - before.AcquireWait).Microseconds()) / 1000
	return res, nil
}

// fakeLLM is an OpenAI-compatible chat completions server that answers
// after delay, citing the first source.
func fakeLLM(delay time.Duration) *httptest.Server {
	return httptest.NewServer(&openaitest.Server{Chat: func(w http.ResponseWriter, r *http.Request, req openaitest.ChatRequest) {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
		if req.Stream {
			http.Error(w, "streaming not supported by the bench server", http.StatusBadRequest)
			return
		}
		openaitest.WriteReply(w, r, req, openaitest.Reply{
			Text:  "The sources report it [1].",
			Usage: openaitest.Usage{PromptTokens: 900, CompletionTokens: 12},
		})
	}})
}

// kindScore is retrieval quality on one kind of question.
type kindScore struct {
	Kind      string  `json:"kind"`
	N         int     `json:"n"`
	RecallAt5 float64 `json:"recall_at_5"`
	MRRAt10   float64 `json:"mrr_at_10"`
}

// evalResult compares retrieval quality per kind.
type evalResult struct {
	Dalil []kindScore `json:"dalil"`
	LC    []kindScore `json:"langchaingo"`
}

// evaluate measures retrieval quality on the evaluation questions in the
// dalil database at dalilURL and, unless lcURL is "", in LangChainGo's.
func evaluate(ctx context.Context, dalilURL, lcURL string, qs []eval.Question, emb *embeddings.Offline) (evalResult, error) {
	var res evalResult
	st, err := openDalil(ctx, dalilURL, postgres.Config{}, emb)
	if err != nil {
		return res, err
	}
	defer st.Close()
	svc := rag.NewService(st, emb, nil, rag.Config{})
	var lc lcpg.Store
	if lcURL != "" {
		var pool *pgxpool.Pool
		lc, pool, err = openLC(ctx, lcURL, emb, 2)
		if err != nil {
			return res, err
		}
		defer pool.Close()
	}
	dk, lk := map[string]*eval.Retrieval{}, map[string]*eval.Retrieval{}
	for _, q := range qs {
		if len(q.ExpectedURLs) == 0 || strings.HasPrefix(q.ExpectedURLs[0], "seed:") {
			continue // unanswerable, or about examples/ which the bench does not load
		}
		if dk[q.Kind] == nil {
			dk[q.Kind], lk[q.Kind] = &eval.Retrieval{}, &eval.Retrieval{}
		}
		ps, err := svc.Search(ctx, q.Text, rag.SearchOptions{K: 10})
		if err != nil {
			return res, fmt.Errorf("dalil %s: %w", q.ID, err)
		}
		var arts []rag.Article
		for _, p := range ps {
			arts = append(arts, p.Article)
		}
		dk[q.Kind].Add(eval.Rank(arts, q.ExpectedURLs))
		if lcURL == "" {
			continue
		}
		docs, err := lc.SimilaritySearch(ctx, q.Text, 10)
		if err != nil {
			return res, fmt.Errorf("langchaingo %s: %w", q.ID, err)
		}
		arts = arts[:0]
		for _, d := range docs {
			u, _ := d.Metadata["url"].(string)
			arts = append(arts, rag.Article{URL: u}) // no id: counted once by URL
		}
		lk[q.Kind].Add(eval.Rank(arts, q.ExpectedURLs))
	}
	finish := func(m map[string]*eval.Retrieval) []kindScore {
		var out []kindScore
		for kind, r := range m {
			out = append(out, kindScore{Kind: kind, N: r.Questions(), RecallAt5: r.RecallAt5(), MRRAt10: r.MRRAt10()})
		}
		slices.SortFunc(out, func(a, b kindScore) int { return strings.Compare(a.Kind, b.Kind) })
		return out
	}
	res.Dalil = finish(dk)
	if lcURL != "" {
		res.LC = finish(lk)
	}
	if len(res.Dalil) == 0 {
		return res, errors.New("no answerable questions")
	}
	return res, nil
}
