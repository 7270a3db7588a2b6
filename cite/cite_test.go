package cite

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheckCitations(t *testing.T) {
	tests := []struct {
		name string
		text string
		n    int
		want Checked
	}{
		{
			name: "valid",
			text: "Rabat hosts the summit [1]. Talks end on Friday [2].",
			n:    3,
			want: Checked{Text: "Rabat hosts the summit [1]. Talks end on Friday [2].", Sources: []int{1, 2}},
		},
		{
			name: "renumbered in order of first use",
			text: "A est vrai [3]. B aussi [1]. C encore [3].",
			n:    3,
			want: Checked{Text: "A est vrai [1]. B aussi [2]. C encore [1].", Sources: []int{3, 1}},
		},
		{
			name: "out of range: the marker goes, then the sentence",
			text: "A is true [1][7]. B is false [7].",
			n:    3,
			want: Checked{Text: "A is true [1].", Sources: []int{1}, Dropped: []int{7}, Uncited: []string{"B is false [7]."}},
		},
		{
			name: "zero and huge numbers",
			text: "A [0] [2] [999999].",
			n:    3,
			want: Checked{Text: "A [1].", Sources: []int{2}, Dropped: []int{0, 999999}},
		},
		{
			name: "more than six digits is not a marker",
			text: "A [1234567]. B [1].",
			n:    3,
			want: Checked{Text: "B [1].", Sources: []int{1}, Uncited: []string{"A [1234567]."}},
		},
		{
			name: "duplicates",
			text: "A [2][2], [2, 2].",
			n:    3,
			want: Checked{Text: "A [1], [1].", Sources: []int{2}},
		},
		{
			name: "lists and spaces",
			text: "A [1, 2]. B [2,3]. C [3; 1]. D [ 2 ] [3].",
			n:    3,
			want: Checked{Text: "A [1][2]. B [2][3]. C [1][3]. D [2][3].", Sources: []int{1, 2, 3}},
		},
		{
			name: "ranges",
			text: "A [2-3]. B [1–2].",
			n:    3,
			want: Checked{Text: "A [1][2]. B [1][3].", Sources: []int{2, 3, 1}},
		},
		{
			name: "absurd and reversed ranges cite their ends",
			text: "A [1-100000]. B [3 - 2].",
			n:    3,
			want: Checked{Text: "A [1]. B [2][3].", Sources: []int{1, 3, 2}, Dropped: []int{100000}},
		},
		{
			name: "full-width brackets and Arabic-Indic digits",
			text: "قال الوزير إن الميناء سيفتح ［٢］. وأضاف أن العمل بدأ [٣].",
			n:    3,
			want: Checked{Text: "قال الوزير إن الميناء سيفتح [1]. وأضاف أن العمل بدأ [2].", Sources: []int{2, 3}},
		},
		{
			name: "sentence without citation removed",
			text: "Voici ce que disent les sources. Le port rouvrira en mai [2].",
			n:    2,
			want: Checked{Text: "Le port rouvrira en mai [1].", Sources: []int{2}, Uncited: []string{"Voici ce que disent les sources."}},
		},
		{
			name: "marker after the period cites the sentence before",
			text: "The port reopens. [2] Traffic resumes on Monday [1].",
			n:    2,
			want: Checked{Text: "The port reopens. [1] Traffic resumes on Monday [2].", Sources: []int{2, 1}},
		},
		{
			name: "invalid marker at the start of a line",
			text: "[9] The port reopens [1].",
			n:    2,
			want: Checked{Text: "The port reopens [1].", Sources: []int{1}, Dropped: []int{9}},
		},
		{
			name: "nothing cited",
			text: "I do not know. Maybe tomorrow.",
			n:    2,
			want: Checked{Uncited: []string{"I do not know.", "Maybe tomorrow."}},
		},
		{
			name: "no sources",
			text: "The port reopens [1].",
			n:    0,
			want: Checked{Dropped: []int{1}, Uncited: []string{"The port reopens [1]."}},
		},
		{
			name: "empty",
			text: "",
			n:    3,
			want: Checked{},
		},
		{
			name: "markdown links are not citations",
			text: "See [the report](https://example.org/1) [1]. Details at [2](https://example.org/2).",
			n:    3,
			want: Checked{
				Text:    "See [the report](https://example.org/1) [1].",
				Sources: []int{1},
				Uncited: []string{"Details at [2](https://example.org/2)."},
			},
		},
		{
			name: "paragraphs, bullets and numbering kept",
			text: "## Résumé\n\nVoici les points :\n\n- Point A [1].\n- Point B sans source.\n  * Point C [3].\n\n\n\n1. Premier [2]\r\n2) Second [1].\n\nConclusion.",
			n:    3,
			want: Checked{
				Text:    "- Point A [1].\n  * Point C [2].\n\n1. Premier [3]\n2) Second [1].",
				Sources: []int{1, 3, 2},
				Uncited: []string{"Résumé", "Voici les points :", "Point B sans source.", "Conclusion."},
			},
		},
		{
			name: "numbers are not bullets",
			text: "-5 % en mai [1]. 2.3 millions [2].",
			n:    2,
			want: Checked{Text: "-5 % en mai [1]. 2.3 millions [2].", Sources: []int{1, 2}},
		},
		{
			name: "removal cannot forge a marker",
			text: "A [1] [[7]9] B.",
			n:    1,
			want: Checked{Text: "A [1] (9) B.", Sources: []int{1}, Dropped: []int{7}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Check(tt.text, tt.n)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Check(%q, %d) (-want +got):\n%s", tt.text, tt.n, diff)
			}
		})
	}
}

func TestHasCitation(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"claim [1].", true},
		{"claim [ 2 ].", true},
		{"claim [1-3].", true},
		{"claim ［٣］.", true},
		{"claim [a].", false},
		{"[1](https://example.org)", false},
		{"[1,]", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.s, func(t *testing.T) {
			if got := Has(tt.s); got != tt.want {
				t.Errorf("Has(%q) = %v, want %v", tt.s, got, tt.want)
			}
		})
	}
}

func FuzzCheckCitations(f *testing.F) {
	for _, s := range []string{
		"A [1]. B [2, 3]. C [7].", "[1-3] x", "- a [2]\n\n- b\n1. c [1]", "A [1] [[7]9] B.",
		"x [1](http://e.org) [2]", "قال ［٢］. وأضاف [٣].", "A. [2] B [1].", "[ 2 ]", "\xff[1]",
	} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, text string, n int) {
		n %= 50
		got := Check(text, n)
		if (got.Text == "") != (len(got.Sources) == 0) {
			t.Errorf("Check(%q, %d): text %q with sources %v", text, n, got.Text, got.Sources)
		}
		for _, s := range got.Sources {
			if s < 1 || s > n {
				t.Errorf("Check(%q, %d): source %d out of range", text, n, s)
			}
		}
		if sorted := slices.Sorted(slices.Values(got.Sources)); len(slices.Compact(sorted)) != len(got.Sources) {
			t.Errorf("Check(%q, %d): repeated sources %v", text, n, got.Sources)
		}
		for _, d := range got.Dropped {
			if d >= 1 && d <= n {
				t.Errorf("Check(%q, %d): dropped valid number %d", text, n, d)
			}
		}
		for _, nums := range markers(got.Text) {
			for _, k := range nums {
				if k < 1 || k > len(got.Sources) {
					t.Errorf("Check(%q, %d): text %q cites [%d] of %d sources", text, n, got.Text, k, len(got.Sources))
				}
			}
		}
		if strings.Contains(got.Text, "\n\n\n") {
			t.Errorf("Check(%q, %d): text %q has more than one blank line in a row", text, n, got.Text)
		}
	})
}
