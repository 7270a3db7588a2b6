package bot

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	goldenfile "github.com/dalil-news/dalil/internal/testing/golden"
	"github.com/dalil-news/dalil/nlp"
	"github.com/dalil-news/dalil/rag"
)

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Assert(t, filepath.Join("testdata", name), got)
}

func article(n int, title, url, publisher string) rag.Article {
	return rag.Article{ID: int64(n), Title: title, URL: url, Publisher: publisher, Lang: "fr",
		Published: time.Date(2023, 10, 20+n, 0, 0, 0, 0, time.UTC)}
}

// longAnswer is an answer of many cited sentences, with a link and a code block.
func longAnswer() string {
	var b strings.Builder
	for p := range 6 {
		for s := range 9 {
			fmt.Fprintf(&b, "Paragraphe %d, phrase %d : le ministre de la Transition numérique a présenté une stratégie [%d]. ", p, s, s%3+1)
		}
		b.WriteString("\n\n")
	}
	b.WriteString("Voir https://example.com/strategie-ia-2030 pour le détail [2].\n\n```\n")
	for l := range 80 {
		fmt.Fprintf(&b, "ligne de code %02d\n", l)
	}
	b.WriteString("```\n\nFin [3].")
	return b.String()
}

func TestRenderAnswer(t *testing.T) {
	cites := []rag.Citation{
		{N: 1, Article: article(1, "L'IA au Maroc : la stratégie [2030]", "https://www.lopinion.ma/ia-maroc_a1.html", "L'Opinion")},
		{N: 2, Article: article(2, "Digital *strategy* unveiled", "https://example.com/a(b)", "Example News")},
		{N: 3, Article: rag.Article{ID: 9, Title: "Notes locales", URL: "file:///data/notes.txt"}},
	}
	tests := []struct {
		name string
		ans  rag.Answer
		lang string
		ref  string
	}{
		{"short", rag.Answer{Found: true, Text: "Le ministre a présenté la stratégie [1], saluée par @everyone [2].", Citations: cites[:2]}, "fr", "abc123"},
		{"not-found", rag.Answer{Text: "The archive does not say."}, "en", "abc123"},
		{"note-and-link", rag.Answer{Found: true, Text: "See https://example.com/x. It was announced [1].", Citations: cites[:1], Note: "the model cited no source"}, "en", ""},
		{"long", rag.Answer{Found: true, Text: longAnswer(), Citations: cites}, "fr", "ref9"},
		{"empty", rag.Answer{}, "en", "r"},
		{"arabic", rag.Answer{Found: true, Text: "أعلن الوزير عن الاستراتيجية [1].", Citations: cites[:2]}, "ar", "ar1"},
		{"arabic-not-found", rag.Answer{}, "ar", "r"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs := renderAnswer(tt.ans, tt.lang, tt.ref)
			checkMessages(t, msgs)
			got, err := json.MarshalIndent(msgs, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "render/"+tt.name+".golden", append(got, '\n'))
		})
	}
}

// checkMessages asserts Discord's limits on rendered messages.
func checkMessages(t *testing.T, msgs []message) {
	t.Helper()
	if len(msgs) == 0 {
		t.Fatal("no messages")
	}
	for i, m := range msgs {
		if n := utf8.RuneCountInString(m.Content); n > maxContent || n == 0 {
			t.Errorf("message %d: content of %d runes", i, n)
		}
		if len(m.Embeds) > 10 {
			t.Errorf("message %d: %d embeds", i, len(m.Embeds))
		}
		total := 0
		for _, e := range m.Embeds {
			n := utf8.RuneCountInString(e.Title) + utf8.RuneCountInString(e.Description)
			if utf8.RuneCountInString(e.Title) > maxEmbedTitle || utf8.RuneCountInString(e.Description) > maxEmbedDesc || len(e.Fields) > maxEmbedFields {
				t.Errorf("message %d: embed over the limits", i)
			}
			for _, f := range e.Fields {
				n += utf8.RuneCountInString(f.Name) + utf8.RuneCountInString(f.Value)
				if utf8.RuneCountInString(f.Value) > maxFieldValue {
					t.Errorf("message %d: field value over 1024", i)
				}
			}
			total += n
		}
		if total > maxEmbedTotal {
			t.Errorf("message %d: embeds total %d", i, total)
		}
		if i < len(msgs)-1 && (len(m.Embeds) > 0 || len(m.Components) > 0) {
			t.Errorf("message %d of %d has embeds or buttons; only the last should", i, len(msgs))
		}
	}
}

func TestSplitText(t *testing.T) {
	sentence := "Le gouvernement a adopté le projet de loi sur la protection des données personnelles [1]. "
	tests := []struct {
		name  string
		text  string
		limit int
		want  []string // nil: only the invariants are checked
	}{
		{"fits", "Short [1].", 50, []string{"Short [1]."}},
		{"paragraphs", "First paragraph here [1].\n\nSecond paragraph here [2].", 40,
			[]string{"First paragraph here [1].", "Second paragraph here [2]."}},
		{"sentences keep their citation", "One sentence ends here. [1] Another sentence follows it [2]. Third one [3].", 40,
			[]string{"One sentence ends here. [1]", "Another sentence follows it [2].", "Third one [3]."}},
		{"no cut before a citation", "aaaa bbbb cccc dddd [12] eeee", 22, []string{"aaaa bbbb cccc", "dddd [12] eeee"}},
		{"link kept whole", "Read [the full report](https://example.com/a/very/long/path) now.", 58,
			[]string{"Read", "[the full report](https://example.com/a/very/long/path)", "now."}},
		{"arabic", "قال الوزير إن الحكومة ستطلق برنامجا جديدا [1]. وأضاف أن البرنامج سيبدأ العام المقبل [2].", 60,
			[]string{"قال الوزير إن الحكومة ستطلق برنامجا جديدا [1].", "وأضاف أن البرنامج سيبدأ العام المقبل [2]."}},
		{"long code block", "Intro.\n\n```go\n" + strings.Repeat("x := 1\n", 30) + "```", 80, nil},
		{"many sentences", strings.Repeat(sentence, 80), maxContent, nil},
		{"one huge word", strings.Repeat("é", 4500), maxContent, nil},
		{"code on the fence's line", "```" + strings.Repeat("a", 4500) + "```", maxContent, nil},
		{"one-line code block", "```json{" + strings.Repeat(`"k": 1, `, 400) + "}```", maxContent, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := splitText(tt.text, tt.limit)
			if tt.want != nil {
				if d := cmp.Diff(tt.want, got); d != "" {
					t.Errorf("splitText (-want +got):\n%s", d)
				}
			}
			for i, p := range got {
				if n := utf8.RuneCountInString(p); n > tt.limit || n == 0 {
					t.Errorf("part %d has %d runes (limit %d)", i, n, tt.limit)
				}
				if !utf8.ValidString(p) {
					t.Errorf("part %d is not valid UTF-8", i)
				}
				if strings.Count(p, "```")%2 != 0 {
					t.Errorf("part %d leaves a code block open: %q", i, p)
				}
				if regexp.MustCompile(`^\s*\[\d+\]`).MatchString(p) && i > 0 && !strings.HasSuffix(got[i-1], ".") {
					t.Errorf("part %d starts with a citation cut from its sentence", i)
				}
			}
			// Nothing is lost: the parts hold the same characters (spaces
			// and the fences added around split code blocks aside).
			words := func(s string) string {
				return strings.Join(strings.Fields(strings.ReplaceAll(strings.ReplaceAll(s, "```go", ""), "```", "")), "")
			}
			if w, g := words(tt.text), words(strings.Join(got, " ")); w != g {
				t.Errorf("words changed:\nwant %q\n got %q", nlp.Truncate(w, 300), nlp.Truncate(g, 300))
			}
		})
	}
}

func TestWrapLinks(t *testing.T) {
	tests := []struct{ in, want string }{
		{"see https://example.com/a.", "see <https://example.com/a>."},
		{"already <https://example.com/a> wrapped", "already <https://example.com/a> wrapped"},
		{"[text](https://example.com/a)", "[text](<https://example.com/a>)"},
		{"(https://en.wikipedia.org/wiki/Foo_(bar))", "(<https://en.wikipedia.org/wiki/Foo_(bar)>)"},
		{"code ```https://example.com``` stays", "code ```https://example.com``` stays"},
		{"no link", "no link"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := wrapLinks(tt.in); got != tt.want {
				t.Errorf("wrapLinks(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSourcesEmbedManyCitations(t *testing.T) {
	var cs []rag.Citation
	for n := 1; n <= 60; n++ {
		cs = append(cs, rag.Citation{N: n, Article: article(n%5, strings.Repeat("Titre très long ", 20), "https://example.com/"+strings.Repeat("x", 150), "Éditeur")})
	}
	e := sourcesEmbed(cs, "fr")
	if n := utf8.RuneCountInString(e.Description); n > maxEmbedDesc {
		t.Fatalf("description of %d runes", n)
	}
	if !strings.Contains(e.Description, "autres") {
		t.Errorf("description does not say sources were left out:\n%s", e.Description[len(e.Description)-200:])
	}
}

func TestVoteID(t *testing.T) {
	tests := []struct {
		id   string
		vote int
		ref  string
		ok   bool
	}{
		{voteID(1, "abc"), 1, "abc", true},
		{voteID(-1, "abc"), -1, "abc", true},
		{"vote:sideways:abc", 0, "", false},
		{"vote:up:", 0, "", false},
		{"src:1", 0, "", false},
		{"vote:up:" + strings.Repeat("a", 65), 0, "", false},
	}
	for _, tt := range tests {
		vote, ref, ok := parseVoteID(tt.id)
		if vote != tt.vote || ref != tt.ref || ok != tt.ok {
			t.Errorf("parseVoteID(%q) = %d, %q, %v; want %d, %q, %v", tt.id, vote, ref, ok, tt.vote, tt.ref, tt.ok)
		}
	}
	if n := len(voteID(-1, strconv.FormatInt(math.MaxInt64, 10))); n > 100 {
		t.Errorf("custom ID of %d characters, Discord allows 100", n)
	}
}
