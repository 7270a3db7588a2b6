package ingest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"

	"github.com/dalil-news/dalil/rag"
)

// tokenF1 is the bag-of-words F1 of got against want (lower-cased runs of
// letters and digits), the score of docs/readability.md.
func tokenF1(got, want string) float64 {
	count := func(s string) (map[string]int, int) {
		m, n := map[string]int{}, 0
		for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r)
		}) {
			m[w]++
			n++
		}
		return m, n
	}
	g, ng := count(got)
	w, nw := count(want)
	common := 0
	for k, v := range g {
		common += min(v, w[k])
	}
	if common == 0 {
		return 0
	}
	p, r := float64(common)/float64(ng), float64(common)/float64(nw)
	return 2 * p * r / (p + r)
}

func TestExtractReadabilityPages(t *testing.T) {
	type meta struct {
		Title, Publisher, Lang, Published, URL string
	}
	tests := []struct {
		page string
		want meta
	}{
		{"lemonde-1", meta{"Le projet de loi sur le renseignement massivement approuvé à l'Assemblée", "Le Monde.fr", "fr", "2015-05-04", "http://www.lemonde.fr/pixels/article/2015/05/04/que-contient-la-loi-sur-le-renseignement_4627068_4408996.html"}},
		// The page declares lang="en"; the text is French.
		{"liberation-1", meta{"Un troisième Français mort dans le séisme au Népal", "Libération.fr", "fr", "2015-04-30", "http://www.liberation.fr/monde/2015/04/30/un-troisieme-francais-mort-dans-le-seisme-au-nepal_1278483"}},
		{"bbc-1", meta{"Obama admits US gun laws are his 'biggest frustration'", "BBC News", "en", "2015-07-24", "http://www.bbc.com/news/world-us-canada-33646704"}},
		{"guardian-1", meta{"'What is the sea telling us?': Māori tribes fearful over whale strandings | Eleanor Ainge Roy", "the Guardian", "en", "2019-01-03", "https://www.theguardian.com/environment/2019/jan/03/what-is-the-sea-telling-us-maori-tribes-fearful-over-whale-strandings"}},
		// The page names no publisher: the host of its canonical URL does.
		{"nytimes-2", meta{"Yahoo’s Sale to Verizon Leaves Shareholders With Little Say", "nytimes.com", "en", "2016-08-01", "https://www.nytimes.com/2016/07/30/business/dealbook/yahoos-sale-to-verizon-leaves-shareholders-with-little-say.html"}},
	}
	for _, tt := range tests {
		t.Run(tt.page, func(t *testing.T) {
			dir := filepath.Join("testdata", "pages", tt.page)
			doc, err := ReadFile(filepath.Join(dir, "source.html"), 0)
			if err != nil {
				t.Fatal(err)
			}
			a, err := Extract(doc)
			if err != nil {
				t.Fatal(err)
			}
			got := meta{a.Title, a.Publisher, a.Lang, a.Published.UTC().Format(time.DateOnly), a.URL}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("metadata (-want +got):\n%s", diff)
			}
			expected, err := os.ReadFile(filepath.Join(dir, "expected.html"))
			if err != nil {
				t.Fatal(err)
			}
			root, err := html.Parse(strings.NewReader(string(expected)))
			if err != nil {
				t.Fatal(err)
			}
			if f1 := tokenF1(a.Text, textContent(root)); f1 < 0.95 {
				t.Errorf("token F1 against expected.html = %.3f, want >= 0.95", f1)
			}
			for _, p := range strings.Split(a.Text, "\n\n") {
				if p == "" || strings.Contains(p, "\n") || p != strings.TrimSpace(p) {
					t.Fatalf("bad paragraph %q", p)
				}
			}
		})
	}
}

func TestExtractHTML(t *testing.T) {
	body := `<!DOCTYPE html><html lang="en-GB"><head>
<title>Rates rise again - The Daily</title>
<meta property="og:title" content="Rates rise again">
<meta property="og:site_name" content="The Daily">
<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"NewsArticle","datePublished":"2023-10-24T09:30:00+02:00"}]}</script>
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article>
<h1>Rates rise again</h1>
<p>The central bank raised its main interest rate by a quarter point on Tuesday, the third increase this year, citing persistent inflation in services and wages.</p>
<div class="share-bar"><a href="#">Share on Facebook</a> <a href="#">Share on Twitter</a></div>
<figure><img src="a.jpg"><figcaption>Photo: Getty Images</figcaption></figure>
<h2>What comes next</h2>
<p>Economists had expected the move, although several warned that higher borrowing costs could slow hiring in the second half of the year, and the bank said it would watch the data.</p>
<ul><li>Inflation is at 4.2 per cent, well above the target of the bank.</li><li>Unemployment is at 3.9 per cent, close to a record low for the country.</li></ul>
<blockquote><p>We will do what it takes to bring inflation back to target, the governor told reporters after the meeting.</p></blockquote>
<script>var x = "not text";</script>
</article>
<footer>All rights reserved</footer>
</body></html>`
	doc := &Document{Source: "https://www.example.com/rates?utm_source=x", URL: "https://WWW.Example.com/rates/?utm_source=x#top", ContentType: "text/html", Body: []byte(body)}
	got, err := Extract(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := rag.Article{
		Title:     "Rates rise again",
		URL:       "https://www.example.com/rates",
		Publisher: "The Daily",
		Published: time.Date(2023, 10, 24, 7, 30, 0, 0, time.UTC),
		Lang:      "en",
		Text: "The central bank raised its main interest rate by a quarter point on Tuesday, the third increase this year, citing persistent inflation in services and wages.\n\n" +
			"## What comes next\n\n" +
			"Economists had expected the move, although several warned that higher borrowing costs could slow hiring in the second half of the year, and the bank said it would watch the data.\n\n" +
			"Inflation is at 4.2 per cent, well above the target of the bank.\n\n" +
			"Unemployment is at 3.9 per cent, close to a record low for the country.\n\n" +
			"We will do what it takes to bring inflation back to target, the governor told reporters after the meeting.",
	}
	want.ContentHash = ContentHash(want.Text)
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("Extract (-want +got):\n%s", diff)
	}
}
