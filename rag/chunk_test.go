package rag

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/dalil-news/dalil/nlp"
)

// chunkSeed reads the seed article of testdata.
func chunkSeed(tb testing.TB) Article {
	tb.Helper()
	b, err := os.ReadFile("testdata/chunk/seed-mezzour-ia.txt")
	if err != nil {
		tb.Fatal(err)
	}
	return Article{
		ID:    42,
		Title: "Intelligence Artificielle : Mezzour annonce une instance nationale dédiée à l'IA",
		Lang:  "fr",
		Text:  string(b),
	}
}

// chunkHeadingLine reports whether line is a heading and returns its text.
func chunkHeadingLine(line string) (string, bool) {
	line = strings.TrimLeftFunc(line, unicode.IsSpace)
	if !strings.HasPrefix(line, HeadingPrefix) {
		return "", false
	}
	return strings.TrimSpace(line[len(HeadingPrefix):]), true
}

// chunkHeading is a heading line of an article: its byte range and text.
type chunkHeading struct {
	start, end int
	text       string
}

// chunkHeadings returns the heading lines of text.
func chunkHeadings(text string) []chunkHeading {
	var hs []chunkHeading
	lineStart := 0
	for line := range strings.SplitSeq(text, "\n") {
		if h, ok := chunkHeadingLine(line); ok {
			hs = append(hs, chunkHeading{start: lineStart, end: lineStart + len(line), text: h})
		}
		lineStart += len(line) + 1
	}
	return hs
}

// chunkRunes counts the runes of s.
func chunkRunes(s string) int { return utf8.RuneCountInString(s) }

// chunkCheck asserts the invariants of ChunkArticle and returns the number
// of chunks that repeat the end of the previous one.
func chunkCheck(t *testing.T, a Article, cfg ChunkConfig, chunks []Chunk) (overlaps int) {
	t.Helper()
	d := cfg.withDefaults()
	text := a.Text
	headings := chunkHeadings(text)
	// section returns the number of headings before offset i.
	section := func(i int) int {
		n := 0
		for n < len(headings) && headings[n].start < i {
			n++
		}
		return n
	}
	for i, c := range chunks {
		if c.Index != i || c.ArticleID != a.ID {
			t.Errorf("chunk %d has Index %d, ArticleID %d", i, c.Index, c.ArticleID)
		}
		if c.Start < 0 || c.End <= c.Start || c.End > len(text) {
			t.Fatalf("chunk %d has offsets [%d, %d) in a text of %d bytes", i, c.Start, c.End, len(text))
		}
		if c.Text != text[c.Start:c.End] {
			t.Errorf("chunk %d: Text != a.Text[%d:%d]", i, c.Start, c.End)
		}
		if strings.TrimFunc(c.Text, unicode.IsSpace) != c.Text {
			t.Errorf("chunk %d %q starts or ends with white space", i, c.Text)
		}
		if r, _ := utf8.DecodeLastRuneInString(text[:c.Start]); c.Start > 0 && !unicode.IsSpace(r) {
			t.Errorf("chunk %d starts mid-word: %q", i, text[max(0, c.Start-10):min(c.End, c.Start+10)])
		}
		if r, _ := utf8.DecodeRuneInString(text[c.End:]); c.End < len(text) && !unicode.IsSpace(r) {
			t.Errorf("chunk %d ends mid-word: %q", i, text[max(c.Start, c.End-10):min(len(text), c.End+10)])
		}
		if n := chunkRunes(c.Text); n > d.MaxChars+d.MaxChars/5 {
			longest := 0
			for _, w := range strings.Fields(c.Text) {
				longest = max(longest, chunkRunes(w))
			}
			if longest <= d.MaxChars {
				t.Errorf("chunk %d has %d runes (MaxChars %d) and no word longer than MaxChars", i, n, d.MaxChars)
			}
		}
		sec := section(c.Start)
		want := ""
		if sec > 0 {
			want = headings[sec-1].text
		}
		if c.Heading != want {
			t.Errorf("chunk %d heading = %q, want %q", i, c.Heading, want)
		}
		if section(c.End) != sec {
			t.Errorf("chunk %d [%d, %d) crosses a heading", i, c.Start, c.End)
		}
		if i == 0 {
			continue
		}
		prev := chunks[i-1]
		if c.Start <= prev.Start || c.End <= prev.End {
			t.Errorf("chunk %d [%d, %d) is not after chunk %d [%d, %d)", i, c.Start, c.End, i-1, prev.Start, prev.End)
			continue
		}
		sameSection := section(prev.Start) == section(c.Start)
		if c.Start < prev.End {
			overlaps++
			if n := chunkRunes(text[c.Start:prev.End]); n > d.Overlap {
				t.Errorf("chunk %d repeats %d runes of chunk %d (Overlap %d)", i, n, i-1, d.Overlap)
			}
		}
		// A small piece stays apart only when merging would make the
		// previous chunk too long.
		fresh := strings.TrimSpace(text[max(prev.End, c.Start):c.End])
		if sameSection && chunkRunes(fresh) < d.MinChars && chunkRunes(text[prev.Start:c.End]) <= d.MaxChars+d.MaxChars/5 {
			t.Errorf("chunk %d has %d new runes (MinChars %d) and was not merged into chunk %d", i, chunkRunes(fresh), d.MinChars, i-1)
		}
	}
	// Coverage: every non-blank rune outside heading lines is in a chunk.
	covered := make([]bool, len(text)+1)
	for _, c := range chunks {
		for k := c.Start; k < c.End; k++ {
			covered[k] = true
		}
	}
	lineStart := 0
	for line := range strings.SplitSeq(text, "\n") {
		if _, ok := chunkHeadingLine(line); !ok {
			for k, r := range line {
				if !unicode.IsSpace(r) && !covered[lineStart+k] {
					t.Fatalf("rune %q at offset %d is in no chunk", r, lineStart+k)
				}
			}
		}
		lineStart += len(line) + 1
	}
	return overlaps
}

func TestChunkArticle(t *testing.T) {
	type want struct {
		Text, Heading string
	}
	tests := []struct {
		name string
		text string
		cfg  ChunkConfig
		want []want
	}{
		{"empty", "", ChunkConfig{}, nil},
		{"blank", " \r\n\r\n\t", ChunkConfig{}, nil},
		{"only headings", "## Un\n\n## Deux\n", ChunkConfig{}, nil},
		{"headings name what follows",
			"Avant tout.\n\n## Intro\n\nFirst para. Second sentence.\n\n## Details\n\nThird para here.",
			ChunkConfig{},
			[]want{{"Avant tout.", ""}, {"First para. Second sentence.", "Intro"}, {"Third para here.", "Details"}}},
		{"windows newlines",
			"## Titre\r\n\r\nPremier paragraphe. Deuxième phrase.\r\n\r\nSecond paragraphe.\r\n",
			ChunkConfig{},
			[]want{{"Premier paragraphe. Deuxième phrase.\r\n\r\nSecond paragraphe.", "Titre"}}},
		{"no blank line",
			"Line one.\n## Head\nLine two.\nLine three.",
			ChunkConfig{},
			[]want{{"Line one.", ""}, {"Line two.\nLine three.", "Head"}}},
		{"long sentence cut at white space",
			"aaa bbb ccc ddd",
			ChunkConfig{MaxChars: 7, MinChars: -1, Overlap: -1},
			[]want{{"aaa bbb", ""}, {"ccc ddd", ""}}},
		{"word longer than MaxChars",
			"supercalifragilistic word",
			ChunkConfig{MaxChars: 5, MinChars: -1, Overlap: -1},
			[]want{{"supercalifragilistic", ""}, {"word", ""}}},
		{"multi-byte text cut at white space",
			"مرحبا بكم في المغرب",
			ChunkConfig{MaxChars: 10, MinChars: -1, Overlap: -1},
			[]want{{"مرحبا بكم", ""}, {"في المغرب", ""}}},
		{"overlap of whole sentences",
			"One. Two. Three. Four.",
			ChunkConfig{MaxChars: 12, MinChars: -1, Overlap: 5},
			[]want{{"One. Two.", ""}, {"Two. Three.", ""}, {"Four.", ""}}},
		{"tiny last piece merged",
			"Alpha beta gamma. Delta epsilon zeta. Eta.",
			ChunkConfig{MaxChars: 20, MinChars: 10, Overlap: -1},
			[]want{{"Alpha beta gamma.", ""}, {"Delta epsilon zeta. Eta.", ""}}},
		{"tiny last piece kept when merging is too long",
			"Alpha beta gamma. Delta epsilon zeta. Eta theta.",
			ChunkConfig{MaxChars: 20, MinChars: 12, Overlap: -1},
			[]want{{"Alpha beta gamma.", ""}, {"Delta epsilon zeta.", ""}, {"Eta theta.", ""}}},
		{"paragraph starts a new chunk",
			"First para is here.\n\nSecond one is a bit longer. It has two.",
			ChunkConfig{MaxChars: 50, MinChars: 10, Overlap: -1},
			[]want{{"First para is here.", ""}, {"Second one is a bit longer. It has two.", ""}}},
		{"small paragraphs packed",
			"Un.\n\nDeux.\n\nTrois.",
			ChunkConfig{},
			[]want{{"Un.\n\nDeux.\n\nTrois.", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Article{ID: 7, Text: tt.text}
			chunks := ChunkArticle(a, tt.cfg)
			chunkCheck(t, a, tt.cfg, chunks)
			var got []want
			for _, c := range chunks {
				got = append(got, want{c.Text, c.Heading})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ChunkArticle(%q) mismatch (-want +got):\n%s", tt.text, diff)
			}
			if tt.want == nil && chunks != nil {
				t.Errorf("ChunkArticle(%q) = %#v, want nil", tt.text, chunks)
			}
		})
	}
}

// TestChunkArticleRealText checks the invariants on the seed article and the
// corpus sample, under several configurations and layouts.
func TestChunkArticleRealText(t *testing.T) {
	seed := chunkSeed(t)
	articles := map[string]Article{
		"seed":                  seed,
		"seed windows newlines": {ID: seed.ID, Text: strings.ReplaceAll(seed.Text, "\n", "\r\n")},
		"seed no blank line":    {ID: seed.ID, Text: strings.ReplaceAll(seed.Text, "\n\n", "\n")},
	}
	var all []string
	for _, a := range chunkLoadCorpus(t) {
		articles[a.URL] = a
		all = append(all, a.Text)
	}
	articles["corpus sample as one article"] = Article{ID: 1, Text: strings.Join(all, "\n\n")}
	configs := map[string]ChunkConfig{
		"default":    {},
		"small":      {MaxChars: 300, MinChars: 80, Overlap: 120},
		"tiny":       {MaxChars: 40, MinChars: 10, Overlap: 20},
		"no overlap": {MaxChars: 500, MinChars: -1, Overlap: -1},
	}
	for an, a := range articles {
		for cn, cfg := range configs {
			t.Run(an+"/"+cn, func(t *testing.T) {
				chunks := ChunkArticle(a, cfg)
				overlaps := chunkCheck(t, a, cfg, chunks)
				if cfg.Overlap < 0 && overlaps > 0 {
					t.Errorf("%d chunks overlap with Overlap < 0", overlaps)
				}
				d := cfg.withDefaults()
				starts := map[int]bool{}
				for _, sp := range nlp.Sentences(a.Text) {
					starts[sp.Start] = true
					// Every sentence short enough is whole in some chunk.
					if _, ok := chunkHeadingLine(a.Text[sp.Start:sp.End]); ok || chunkRunes(a.Text[sp.Start:sp.End]) > d.MaxChars {
						continue
					}
					found := false
					for _, c := range chunks {
						if c.Start <= sp.Start && sp.End <= c.End {
							found = true
							break
						}
					}
					if !found {
						t.Errorf("sentence %q is in no chunk", a.Text[sp.Start:sp.End])
					}
				}
				// An overlap starts at a sentence when sentences are short.
				for i := 1; i < len(chunks); i++ {
					if c := chunks[i]; c.Start < chunks[i-1].End && d.MaxChars >= 300 && !starts[c.Start] {
						t.Errorf("chunk %d overlap starts inside a sentence: %q", i, c.Text)
					}
				}
			})
		}
	}
}

// TestChunkArticleSeed pins the shape of the seed article's chunks.
func TestChunkArticleSeed(t *testing.T) {
	a := chunkSeed(t)
	chunks := ChunkArticle(a, ChunkConfig{})
	overlaps := chunkCheck(t, a, ChunkConfig{}, chunks)
	var headings []string
	for _, c := range chunks {
		headings = append(headings, c.Heading)
	}
	want := []string{"", "", "", "", "", "", "Une IA Homemade au Maroc"}
	if diff := cmp.Diff(want, headings); diff != "" {
		t.Errorf("headings mismatch (-want +got):\n%s", diff)
	}
	if overlaps == 0 {
		t.Errorf("no chunk repeats the end of the previous one")
	}
}

func BenchmarkChunkArticle(b *testing.B) {
	seed := chunkSeed(b)
	var all []string
	for _, a := range chunkLoadCorpus(b) {
		all = append(all, a.Text)
	}
	for _, bc := range []struct {
		name string
		a    Article
	}{
		{"seed", seed},
		{"corpus-sample", Article{Text: strings.Join(all, "\n\n")}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.a.Text)))
			b.ReportAllocs()
			for b.Loop() {
				ChunkArticle(bc.a, ChunkConfig{})
			}
		})
	}
}

func FuzzChunkArticle(f *testing.F) {
	f.Add("Avant tout.\n\n## Intro\n\nFirst para. Second sentence.\n\n## Details\n\nThird para here.", 1000, 200, 150)
	f.Add("## Titre\r\n\r\nPremier paragraphe. Deuxième phrase.\r\n\r\nSecond paragraphe.\r\n", 20, 5, 10)
	f.Add("مرحبا بكم في المغرب. كم نقطة؟ supercalifragilistic word", 5, -1, -1)
	f.Add("One. Two. Three. Four.", 12, 0, 5)
	f.Fuzz(func(t *testing.T, text string, maxChars, minChars, overlap int) {
		// Keep sizes small enough to exercise splitting.
		cfg := ChunkConfig{MaxChars: maxChars % 2000, MinChars: minChars % 2000, Overlap: overlap % 2000}
		a := Article{ID: 1, Text: text}
		chunkCheck(t, a, cfg, ChunkArticle(a, cfg))
	})
}

// chunkLoadCorpus reads the sample of corpus articles in testdata.
func chunkLoadCorpus(tb testing.TB) []Article {
	tb.Helper()
	b, err := os.ReadFile("testdata/chunk/corpus-sample.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	var out []Article
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var a Article
		if err := json.Unmarshal([]byte(line), &a); err != nil {
			tb.Fatalf("corpus-sample.jsonl line %d: %v", i+1, err)
		}
		a.ID = int64(i + 1)
		out = append(out, a)
	}
	return out
}
