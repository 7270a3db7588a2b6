package main

import (
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dalil-news/dalil/llm"
	"github.com/dalil-news/dalil/prompts"
	"github.com/dalil-news/dalil/rag"
)

func TestSummarize(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	got := summarize(ds)
	got.Load = ""
	want := latency{N: 100, P50: 50, P99: 99, Mean: 50.5}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("summarize (-want +got):\n%s", diff)
	}
}

func TestInts(t *testing.T) {
	tests := []struct {
		in      string
		want    []int
		wantErr bool
	}{
		{"10000,100000", []int{10000, 100000}, false},
		{" 5 ", []int{5}, false},
		{"1,x", nil, true},
		{"0", nil, true},
		{"", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ints(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ints(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ints(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestSpread(t *testing.T) {
	qs := make([]query, 10)
	for i := range qs {
		qs[i].Synthetic = i >= 5
	}
	got := spread(qs, 4)
	var synth int
	for _, q := range got {
		synth += boolInt(q.Synthetic)
	}
	if len(got) != 4 || synth != 2 {
		t.Errorf("spread(10 queries, 4) = %d queries, %d synthetic; want 4 and 2", len(got), synth)
	}
}

func TestWritePNG(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plot.png")
	c := chart{Title: "t", XLabel: "x", YLabel: "y", Series: []series{
		{Name: "a", Color: colDalil, X: []float64{1e4, 1e5}, Y: []float64{2, 50}},
		{Name: "b", Color: colLC, X: []float64{1e4, 1e5}, Y: []float64{40, 400}},
	}}
	if err := writePNG(path, []chart{c, c}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decode the plot: %v", err)
	}
	if got, want := img.Bounds().Dx(), 2*560; got != want {
		t.Errorf("plot width = %d, want %d", got, want)
	}
}

func TestTally(t *testing.T) {
	truth := []int64{1, 2, 3}
	tests := []struct {
		name      string
		synthetic bool
		realIDs   []int64
		ids       []int64
		dists     []float64
		want      tally
	}{
		{"exact ids", true, nil, []int64{1, 2, 3}, []float64{0.1, 0.3, 0.5}, tally{hit: 3, idHit: 3, annHit: 3, total: 3, synHit: 3, annSynHit: 3, synTotal: 3}},
		{"a tie and a miss", false, []int64{1}, []int64{1, 9, 8}, []float64{0.1, 0.5, 0.6}, tally{hit: 2, idHit: 1, annHit: 2, total: 3, top1: 1, evalQs: 1, realHit: 1, realTotal: 1}},
		{"within ann-benchmarks' tolerance", false, []int64{1, 3}, []int64{7}, []float64{0.5005}, tally{annHit: 1, total: 3, evalQs: 1, realTotal: 2}},
		{"a real neighbour found, a synthetic one missed", false, []int64{1, 3}, []int64{3, 1, 9}, []float64{0.1, 0.2, 0.6}, tally{hit: 2, idHit: 2, annHit: 2, total: 3, top1: 1, evalQs: 1, realHit: 2, realTotal: 2}},
		{"nothing returned", false, []int64{2}, nil, nil, tally{total: 3, evalQs: 1, realTotal: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got tally
			got.add(tt.synthetic, truth, tt.realIDs, 0.5, 0.1, tt.ids, tt.dists)
			if got != tt.want {
				t.Errorf("tally = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestTimeInTurns(t *testing.T) {
	qs := []query{{Text: "a"}, {Text: "b"}, {Text: "c"}, {Text: "d"}}
	var calls []string
	f := func(name string) func(q query) error {
		return func(q query) error {
			calls = append(calls, name+q.Text)
			return nil
		}
	}
	lats, err := timeInTurns(qs, []func(q query) error{f("x"), f("y")})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"xa", "xb", "xc", "xd", "ya", "yb", "yc", "yd", // warm-up
		"xa", "yc", "xb", "yd", "xc", "ya", "xd", "yb"} // in turns, y half the queries ahead
	if !slices.Equal(calls, want) {
		t.Errorf("calls %v, want %v", calls, want)
	}
	if len(lats) != 2 || lats[0].N != 4 || lats[1].N != 4 {
		t.Errorf("latencies %+v, want two of 4 queries", lats)
	}
	bad := errors.New("bad")
	if _, err := timeInTurns(qs, []func(q query) error{func(query) error { return bad }}); !errors.Is(err, bad) {
		t.Errorf("error %v, want %v", err, bad)
	}
}

func TestOrDash3(t *testing.T) {
	for _, tt := range []struct {
		v    *float64
		want string
	}{{nil, "–"}, {ptr(0), "0.000"}, {ptr(0.9514), "0.951"}} {
		if got := orDash3(tt.v); got != tt.want {
			t.Errorf("orDash3(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

// TestFakeLLM checks the LLM-mode load test's server through the real
// client: a cited reply with its token counts, and no streaming.
func TestFakeLLM(t *testing.T) {
	srv := fakeLLM(0)
	defer srv.Close()
	c, err := llm.New(llm.Config{BaseURL: srv.URL + "/v1", Model: "bench", APIKey: "bench", MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	req := rag.ChatRequest{Messages: []prompts.Message{{Role: prompts.RoleUser, Content: "Qui ?"}}}
	got, err := c.Complete(t.Context(), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := rag.Completion{Text: "The sources report it [1].", Usage: rag.Usage{PromptTokens: 900, CompletionTokens: 12}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("completion (-want +got):\n%s", diff)
	}
	if _, err := c.Complete(t.Context(), req, func(string) {}); err == nil {
		t.Error("a streamed request succeeded, want the bench server to refuse it")
	}
}
