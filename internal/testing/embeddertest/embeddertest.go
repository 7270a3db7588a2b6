// Package embeddertest is the conformance suite of rag.Embedder (as
// google/go-cloud's drivertest is for its drivers): every implementation's
// tests call Run. It checks the interface's contract: one vector of
// Dimensions() values per text, in order, whatever the batch; a non-empty
// Name; an empty batch gives no vectors and no error; an empty text fails
// with rag.ErrEmptyInput naming its index; a canceled context ends the call
// with an error wrapping context.Canceled and no partial result. Where the
// interface doc is silent and the implementations agree, it checks what
// they do: vectors of norm 1, the same vectors on every call, and a
// paraphrase nearer than unrelated texts.
package embeddertest

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/dalil-news/dalil/rag"
)

// Run checks that e keeps the rag.Embedder contract, in subtests of t.
func Run(t *testing.T, e rag.Embedder) {
	t.Helper()
	ctx := context.Background()
	texts := []string{
		"Le Conseil constitutionnel a validé la réforme des retraites le 14 avril 2023.",
		"The Denver Broncos defeated the Carolina Panthers 24–10 to win Super Bowl 50.",
		"أعلنت وزارة الصحة عن حملة تطعيم جديدة في المدارس الابتدائية.",
		"Le 14 avril 2023, la réforme des retraites a été validée par le Conseil constitutionnel.",
	}
	approx := cmpopts.EquateApprox(0, 1e-5)

	if e.Name() == "" {
		t.Error("Name() is empty")
	}
	got, err := e.Embed(ctx, texts)
	if err != nil {
		t.Fatalf("Embed: %v", err)
	}
	if len(got) != len(texts) {
		t.Fatalf("Embed returned %d vectors for %d texts", len(got), len(texts))
	}

	t.Run("dimension and unit norm", func(t *testing.T) {
		for i, v := range got {
			if len(v) != e.Dimensions() {
				t.Errorf("vector %d has %d dimensions, want %d", i, len(v), e.Dimensions())
			}
			var sum float64
			for _, x := range v {
				if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
					t.Fatalf("vector %d has a non-finite value %v", i, x)
				}
				sum += float64(x) * float64(x)
			}
			if norm := math.Sqrt(sum); math.Abs(norm-1) > 1e-3 {
				t.Errorf("vector %d has norm %v, want 1", i, norm)
			}
		}
	})

	t.Run("deterministic", func(t *testing.T) {
		again, err := e.Embed(ctx, texts)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(got, again, approx); diff != "" {
			t.Errorf("second Embed differs (-first +second):\n%s", diff)
		}
	})

	t.Run("order and batch independence", func(t *testing.T) {
		rev := slices.Clone(texts)
		slices.Reverse(rev)
		gotRev, err := e.Embed(ctx, rev)
		if err != nil {
			t.Fatal(err)
		}
		slices.Reverse(gotRev)
		if diff := cmp.Diff(got, gotRev, approx); diff != "" {
			t.Errorf("reversed input gives other vectors (-in order +reversed):\n%s", diff)
		}
		for i, text := range texts {
			one, err := e.Embed(ctx, []string{text})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(got[i], one[0], approx); diff != "" {
				t.Errorf("text %d alone differs from in a batch (-batch +alone):\n%s", i, diff)
			}
		}
	})

	t.Run("empty batch", func(t *testing.T) {
		for _, in := range [][]string{nil, {}} {
			out, err := e.Embed(ctx, in)
			if err != nil || len(out) != 0 {
				t.Errorf("Embed(%#v) = %d vectors, %v; want 0, nil", in, len(out), err)
			}
		}
	})

	t.Run("empty text", func(t *testing.T) {
		_, err := e.Embed(ctx, []string{"bonjour", " \n\t"})
		if !errors.Is(err, rag.ErrEmptyInput) || !strings.Contains(err.Error(), "input 1") {
			t.Errorf("Embed with an empty text: error %v, want rag.ErrEmptyInput naming input 1", err)
		}
	})

	t.Run("canceled context", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		out, err := e.Embed(cctx, texts)
		if !errors.Is(err, context.Canceled) || out != nil {
			t.Errorf("Embed with a canceled context = %d vectors, %v; want none and an error wrapping context.Canceled", len(out), err)
		}
	})

	t.Run("semantic sanity", func(t *testing.T) {
		self := dot(got[0], got[0])
		para := dot(got[0], got[3])
		for _, other := range []int{1, 2} {
			if unrelated := dot(got[0], got[other]); !(self > para && para > unrelated) {
				t.Errorf("cos(self)=%.3f, cos(paraphrase)=%.3f, cos(unrelated %d)=%.3f; want them decreasing", self, para, other, unrelated)
			}
		}
	})
}

// dot is the dot product of two vectors: their cosine, as both have norm 1.
func dot(a, b []float32) float32 {
	var s float32
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}
