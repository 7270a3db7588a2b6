package ingest

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/dalil-news/dalil/rag"
)

func TestExtractSeed(t *testing.T) {
	doc, err := ReadFile("testdata/lopinion-2023-10-24-mezzour-ia.txt", 0)
	if err != nil {
		t.Fatal(err)
	}
	a, err := Extract(doc)
	if err != nil {
		t.Fatal(err)
	}
	type meta struct {
		Title, Publisher, Lang string
		Published              time.Time
		Start                  string
	}
	start, _, _ := strings.Cut(a.Text, ",")
	got := meta{a.Title, a.Publisher, a.Lang, a.Published, start}
	want := meta{
		Title:     "Intelligence Artificielle : Mezzour annonce une instance nationale dédiée à l'IA",
		Publisher: "L'opinion",
		Lang:      "fr",
		Published: time.Date(2023, 10, 24, 0, 0, 0, 0, time.UTC),
		Start:     "Le Maroc réaffirme sa détermination à consolider son rôle dans le domaine de l'Intelligence Artificielle",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("metadata (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(a.URL, "file:///") || !strings.HasSuffix(a.URL, "/testdata/lopinion-2023-10-24-mezzour-ia.txt") {
		t.Errorf("URL = %q, want the file URL", a.URL)
	}
	if a.ContentHash != ContentHash(a.Text) {
		t.Errorf("ContentHash = %q, want the hash of the text", a.ContentHash)
	}
	paras := strings.Split(a.Text, "\n\n")
	if !containsString(paras, "## Une IA Homemade au Maroc") {
		t.Errorf("heading %q missing from paragraphs", "## Une IA Homemade au Maroc")
	}
	for _, junk := range []string{"Maroc-Espagne", "Conseil de gouvernement", "Merci d'avoir signalé", "Cette image sera", "Cliquez ici", "Publié dans", a.Title} {
		if strings.Contains(a.Text, junk) {
			t.Errorf("text contains %q", junk)
		}
	}
	if n := len(paras); n != 12 {
		t.Errorf("got %d paragraphs, want 12", n)
	}
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func TestCleanText(t *testing.T) {
	prose1 := "The central bank raised its main interest rate by a quarter point on Tuesday, the third increase this year, citing persistent inflation in services."
	prose2 := "Economists had expected the move, although several warned that higher borrowing costs could slow hiring in the second half of the year."
	prose3 := "Le gouvernement a présenté mardi un projet de loi sur l'eau qui prévoit de nouvelles règles pour les agriculteurs et les industriels du pays."
	tests := []struct {
		name string
		in   string
		want parsed
	}{
		{
			name: "menu lines before the title",
			in:   "Home\nWorld\nBusiness\nSport\n\nRates rise again\n\n" + prose1 + "\n" + prose2 + "\n",
			want: parsed{title: "Rates rise again", text: prose1 + "\n\n" + prose2},
		},
		{
			name: "english byline with publisher and date",
			in:   "Rates rise again\nPublished in The Daily on October 24, 2023\n" + prose1 + "\n",
			want: parsed{title: "Rates rise again", publisher: "The Daily", published: time.Date(2023, 10, 24, 0, 0, 0, 0, time.UTC), text: prose1},
		},
		{
			name: "french author byline gives the date only",
			in:   "La loi sur l'eau présentée\nPar Jean Dupont, le 1er mars 2024\n\n" + prose3 + "\n",
			want: parsed{title: "La loi sur l'eau présentée", published: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), text: prose3},
		},
		{
			name: "ticker line, UI lines and source link dropped",
			in: "First story here    Second story there    Third story !    Fourth one\n" +
				"Share\nAccept all cookies to continue\nRates rise again\n" + prose1 + "\n\nRead more\n" + prose2 + "\n\nSource: https://example.com/rates\n",
			want: parsed{title: "Rates rise again", text: prose1 + "\n\n" + prose2},
		},
		{
			name: "short lines repeated in the page are navigation",
			in:   "Rates rise again\n" + prose1 + "\nMost read\n" + prose2 + "\nMost read\n",
			want: parsed{title: "Rates rise again", text: prose1 + "\n\n" + prose2},
		},
		{
			name: "heading kept inside the body",
			in:   "Rates rise again\n" + prose1 + "\n\nWhat comes next\n" + prose2 + "\n",
			want: parsed{title: "Rates rise again", text: prose1 + "\n\n## What comes next\n\n" + prose2},
		},
		{
			name: "no title: the body starts at the first sentence",
			in:   "The bank acted.\n" + prose1 + "\n",
			want: parsed{text: "The bank acted.\n\n" + prose1},
		},
		{
			name: "no prose at all is kept whole",
			in:   "\n  apples   and pears\nplums\n",
			want: parsed{text: "apples and pears\n\nplums"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cleanText(tt.in)
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(parsed{})); diff != "" {
				t.Errorf("cleanText (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExtractTextTitleFromFileName(t *testing.T) {
	doc := &Document{Source: "x", URL: "file:///data/rates-rise_again.txt", ContentType: "text/plain", Body: []byte("The bank acted.\n")}
	a, err := Extract(doc)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := a.Title, "Rates rise again"; got != want {
		t.Errorf("Title = %q, want %q", got, want)
	}
}

func FuzzCleanText(f *testing.F) {
	f.Add("Title here\nPublié dans L'opinion le 24 - 10 - 2023\n\nA first paragraph that is long enough to count as prose in the article body, with a period.\nShort heading\nAnother paragraph that is long enough to count as prose in the article body, with a period.\nCliquez ici\n")
	f.Add("a    b    c    d\n\x00\xff\r\n## x\n\u00a0\u00a0")
	f.Add("")
	f.Fuzz(func(t *testing.T, in string) {
		got := cleanText(in)
		if !utf8.ValidString(in) {
			return // Extract only cleans decoded, valid UTF-8
		}
		for _, s := range []string{got.text, got.title, got.publisher} {
			if !utf8.ValidString(s) {
				t.Fatalf("output not valid UTF-8: %q", s)
			}
		}
		if got.text == "" {
			return
		}
		// Every paragraph is a trimmed, single-line line of the input, with
		// white space normalized: the cleaner removes, it never invents.
		lines := map[string]bool{}
		for _, l := range splitLines(in) {
			lines[normalizeSpace(l)] = true
		}
		for _, p := range strings.Split(got.text, "\n\n") {
			if p == "" || p != strings.TrimSpace(p) || strings.Contains(p, "\n") {
				t.Fatalf("bad paragraph %q in %q", p, got.text)
			}
			if !lines[p] && !lines[strings.TrimPrefix(p, rag.HeadingPrefix)] {
				t.Fatalf("paragraph %q is not a line of the input", p)
			}
		}
		// Cleaning again keeps the body (the title may be re-detected in it).
		again := cleanText(got.text)
		if !strings.HasSuffix(got.text, again.text) {
			t.Fatalf("cleaning twice lost text:\nfirst  %q\nsecond %q", got.text, again.text)
		}
	})
}
