package prompts_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/dalil-news/dalil/nlp"
	"github.com/dalil-news/dalil/prompts"
)

const (
	fitA    = "One two. Three four five. Six."                     // sentences of 8, 17 and 5 runes with their space
	fitB    = "Alpha beta. Gamma."                                 // 11 and 7
	fitAr   = "قال الوزير إن الخطة جاهزة. وأضاف أن التمويل مضمون؟" // multi-byte runes
	fitLong = "Averyveryverylongsentencewithoutanystop and many more words here."
)

func TestFit(t *testing.T) {
	a := prompts.Source{N: 1, Title: "A", Publisher: "P", Published: reported, URL: "https://example.com/a", Text: fitA}
	b := prompts.Source{N: 2, Title: "B", Text: fitB}
	with := func(s prompts.Source, text string) prompts.Source { s.Text = text; return s }
	arFirst := "قال الوزير إن الخطة جاهزة."

	tests := []struct {
		name    string
		sources []prompts.Source
		budget  int
		want    []prompts.Source
	}{
		{name: "everything fits", sources: []prompts.Source{a, b}, budget: 48, want: []prompts.Source{a, b}},
		{name: "blank text dropped", sources: []prompts.Source{{N: 1, Text: " \n"}, b}, budget: 100, want: []prompts.Source{b}},
		{name: "no sources", sources: nil, budget: 100, want: nil},
		{name: "zero budget", sources: []prompts.Source{a, b}, budget: 0, want: nil},
		{name: "negative budget", sources: []prompts.Source{a}, budget: -5, want: nil},
		{
			name: "one rune short: last sentence of the first source goes", sources: []prompts.Source{a, b}, budget: 47,
			want: []prompts.Source{with(a, "One two. Three four five."+prompts.Ellipsis), b},
		},
		{
			name: "round robin: first sentence of each", sources: []prompts.Source{a, b}, budget: 27,
			want: []prompts.Source{with(a, "One two."+prompts.Ellipsis), with(b, "Alpha beta."+prompts.Ellipsis)},
		},
		{
			name: "the less relevant source is left out first", sources: []prompts.Source{a, b}, budget: 20,
			want: []prompts.Source{with(a, "One two."+prompts.Ellipsis)},
		},
		{name: "nothing fits", sources: []prompts.Source{a, b}, budget: 11, want: nil},
		{
			name: "a long first sentence leaves its source out, numbers kept", budget: 20,
			sources: []prompts.Source{{N: 1, Text: fitLong}, {N: 2, Text: "Short. Tail."}},
			want:    []prompts.Source{{N: 2, Text: "Short. Tail."}},
		},
		{
			name: "budget counts runes, not bytes", budget: utf8.RuneCountInString(arFirst) + utf8.RuneCountInString(prompts.Ellipsis),
			sources: []prompts.Source{{N: 1, Text: fitAr}},
			want:    []prompts.Source{{N: 1, Text: arFirst + prompts.Ellipsis}},
		},
		{
			name: "paragraph breaks between kept sentences stay", budget: 30,
			sources: []prompts.Source{{N: 1, Text: "  First one.\n\nSecond one.\n\nThird one is longer than the rest."}},
			want:    []prompts.Source{{N: 1, Text: "First one.\n\nSecond one." + prompts.Ellipsis}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := slices.Clone(tt.sources)
			got := prompts.Fit(tt.sources, tt.budget)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Fit(budget %d) (-want +got):\n%s", tt.budget, diff)
			}
			if diff := cmp.Diff(in, tt.sources); diff != "" {
				t.Errorf("Fit modified its input (-before +after):\n%s", diff)
			}
		})
	}
}

// TestFitInvariants checks, for every budget, that the result fits,
// keeps the order, and holds only whole leading sentences of each text.
func TestFitInvariants(t *testing.T) {
	sources := []prompts.Source{{N: 1, Text: fitA}, {N: 2, Text: fitLong}, {N: 3, Text: fitAr}, {N: 4, Text: fitB}}
	byN := map[int]string{}
	total := 0
	for _, s := range sources {
		byN[s.N] = s.Text
		total += utf8.RuneCountInString(s.Text)
	}
	for budget := -1; budget <= total+1; budget++ {
		t.Run(fmt.Sprint(budget), func(t *testing.T) {
			got := prompts.Fit(sources, budget)
			size, lastN := 0, 0
			for _, s := range got {
				size += utf8.RuneCountInString(s.Text)
				if s.N <= lastN {
					t.Errorf("source [%d] after [%d]: order changed", s.N, lastN)
				}
				lastN = s.N
				orig := byN[s.N]
				if s.Text == orig {
					continue
				}
				kept, ok := strings.CutSuffix(s.Text, prompts.Ellipsis)
				if !ok || !strings.HasPrefix(orig, kept) || !endsSentence(orig, len(kept)) {
					t.Errorf("source [%d] text %q is not whole leading sentences of %q plus the ellipsis", s.N, s.Text, orig)
				}
			}
			if size > max(budget, 0) {
				t.Errorf("total %d runes, budget %d", size, budget)
			}
			if budget >= total && len(got) != len(sources) {
				t.Errorf("got %d sources with a budget for all %d", len(got), len(sources))
			}
		})
	}
}

// endsSentence reports whether a sentence of text ends at byte offset end.
func endsSentence(text string, end int) bool {
	for _, sp := range nlp.Sentences(text) {
		if sp.End == end {
			return true
		}
	}
	return false
}
