package bot

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/dalil-news/dalil/digest"
	"github.com/dalil-news/dalil/rag"
)

// joinParts shows messages as the dry run prints them.
func joinParts(parts []string) string {
	var b strings.Builder
	for i, p := range parts {
		b.WriteString("----- message " + string(rune('1'+i)) + " -----\n" + p + "\n")
	}
	return b.String()
}

// TestRenderDigestGolden renders the digests that package digest's
// TestComposeGolden composes from its fixture articles.
func TestRenderDigestGolden(t *testing.T) {
	tests := []struct {
		name  string
		limit int
	}{
		{"extractive_en", maxContent},
		{"llm_fr", maxContent},
		{"capped_small_messages", 300},
		{"empty_note_ar", maxContent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("..", "digest", "testdata", "compose", tt.name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var d digest.Digest
			if err := json.Unmarshal(b, &d); err != nil {
				t.Fatal(err)
			}
			parts := renderDigest(d, tt.limit)
			for i, p := range parts {
				if n := utf8.RuneCountInString(p); n > tt.limit {
					t.Errorf("message %d has %d characters, over %d", i+1, n, tt.limit)
				}
			}
			golden(t, filepath.Join("digest", tt.name+".golden"), []byte(joinParts(parts)))
		})
	}
}

func TestRenderDigestNothingNew(t *testing.T) {
	day := time.Date(2024, 3, 14, 8, 0, 0, 0, time.UTC)
	if parts := RenderDigest(digest.Digest{Lang: "en", Day: day, Articles: 2}); len(parts) != 0 {
		t.Errorf("no stories, no note: parts = %q, want none", parts)
	}
	got := RenderDigest(digest.Digest{Lang: "en", Day: day, EmptyNote: true})
	want := []string{"**Daily digest — Thursday 14 March 2024** · Nothing new since the last digest."}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("empty note (-want +got):\n%s", d)
	}
}

// TestRenderDigestEscapes checks that article text never formats, links or
// mentions: a title or publisher with @everyone, a Markdown link or a
// mention tag is shown literally.
func TestRenderDigestEscapes(t *testing.T) {
	d := digest.Digest{Lang: "en", Day: time.Date(2024, 3, 14, 8, 0, 0, 0, time.UTC), Stories: []digest.Story{{
		N: 1, Title: "@everyone read [this](https://evil.example) <@123> *now*",
		Line:     "A sentence with #tags, __underline__ and `code` @here.",
		Articles: []rag.Article{{URL: "https://news.example/a", Publisher: "The [Daily] @Post"}},
	}}}
	got := RenderDigest(d)
	want := []string{"**Daily digest — Thursday 14 March 2024**\n\n" +
		"**[1] @\u200beveryone read \\[this\\](https://evil.example) \\<@\u200b123\\> \\*now\\***\n" +
		"A sentence with \\#tags, \\_\\_underline\\_\\_ and \\`code\\` @\u200bhere. — [The \\[Daily\\] @\u200bPost](<https://news.example/a>)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("RenderDigest (-want +got):\n%s", diff)
	}
}

func TestPackMessages(t *testing.T) {
	long := strings.Repeat("word ", 30) // 150 characters
	link := "[Example News](<https://news.example/" + strings.Repeat("x", 40) + ">)"
	tests := []struct {
		name   string
		blocks []string
		limit  int
		want   []string
	}{
		{"packed", []string{"a", "b", "c"}, 10, []string{"a\n\nb\n\nc"}},
		{"split between blocks", []string{"aaaa", "bbbb", "cccc"}, 10, []string{"aaaa\n\nbbbb", "cccc"}},
		{"block split at lines", []string{"l1\nline2\nline3"}, 8, []string{"l1\nline2", "line3"}},
		{"long line split at spaces", []string{long}, 60, []string{
			strings.TrimSpace(strings.Repeat("word ", 12)), strings.TrimSpace(strings.Repeat("word ", 12)), strings.TrimSpace(strings.Repeat("word ", 6)),
		}},
		// Cut at the last space before the limit, this line would break the
		// second link after "[Example".
		{"long line not split inside a link", []string{"Sources — " + link + " · " + link}, 100, []string{
			"Sources — " + link + " ·", link,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := packMessages(tt.blocks, tt.limit)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("packMessages (-want +got):\n%s", diff)
			}
			for i, p := range got {
				if n := utf8.RuneCountInString(p); n > tt.limit {
					t.Errorf("message %d has %d characters, over %d", i+1, n, tt.limit)
				}
			}
		})
	}
}

// TestDigestDateArabic shows the Arabic digest's date written in words,
// with the month names used in Morocco, not as an ISO date.
func TestDigestDateArabic(t *testing.T) {
	for _, tc := range []struct {
		day  time.Time
		want string
	}{
		{time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC), "الجمعة 27 نونبر 2026"},
		{time.Date(2024, 8, 1, 8, 0, 0, 0, time.UTC), "الخميس 1 غشت 2024"},
		{time.Date(2025, 5, 4, 8, 0, 0, 0, time.UTC), "الأحد 4 ماي 2025"},
		{time.Date(2025, 7, 14, 8, 0, 0, 0, time.UTC), "الاثنين 14 يوليوز 2025"},
	} {
		if got := digestDate("ar", tc.day); got != tc.want {
			t.Errorf("digestDate(ar, %s) = %q, want %q", tc.day.Format(time.DateOnly), got, tc.want)
		}
	}
}
