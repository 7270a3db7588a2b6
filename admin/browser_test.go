package admin_test

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/dalil-news/dalil/admin"
	"github.com/dalil-news/dalil/digest"
	"github.com/dalil-news/dalil/embeddings"
	"github.com/dalil-news/dalil/insights"
	"github.com/dalil-news/dalil/internal/testing/pgtest"
	"github.com/dalil-news/dalil/postgres"
	"github.com/dalil-news/dalil/rag"
)

var screenshot = flag.String("screenshot", "", "with TestBrowser, also save the English page as a PNG at this path (docs/admin-page.png)")

// hostileQuestion and longQuestion are asked in the database the page
// reads: the first must show as text, the second cut.
const hostileQuestion = "<script>alert(1)</script> @everyone \u202eevil"

var longQuestion = strings.Repeat("Pourquoi ", 500) // 4,500 characters

// mustFill fills a fresh database as the bot and the poller would over a
// week: articles of three publishers and languages (none published in
// February), questions on six of the last seven days, some not answered
// (hostile ones among them), feeds and digests. It returns the page's
// source over it.
func mustFill(t *testing.T) admin.Source {
	t.Helper()
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	store, err := postgres.Open(ctx, url, postgres.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	emb := embeddings.NewOffline(embeddings.OfflineConfig{})
	if err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := store.EnsureEmbedder(ctx, emb.Name(), emb.Dimensions()); err != nil {
		t.Fatal(err)
	}
	svc := rag.NewService(store, emb, nil, rag.Config{})
	var articles []rag.Article
	for i, a := range []struct{ title, publisher, lang, published string }{
		{"Le Maroc présente son IA souveraine", "Le Desk", "fr", "2025-01-14"},
		{"Le port de Tanger Med bat un record", "Le Desk", "fr", "2025-01-20"},
		{"La sécheresse pèse sur les barrages", "Le Desk", "fr", "2025-03-03"},
		{"Rabat accueille un sommet africain", "Médias24", "fr", "2025-03-18"},
		{"الرباط تحتضن قمة إفريقية", "هسبريس", "ar", "2025-03-19"},
		{"ارتفاع صادرات الفوسفاط", "هسبريس", "ar", "2025-04-02"},
		{"Morocco's new high-speed line", "Morocco World News", "en", "2025-04-11"},
		{"Casablanca tramway extension opens", "Morocco World News", "en", ""},
	} {
		pub, _ := time.Parse("2006-01-02", a.published)
		art := rag.Article{Title: a.title, URL: fmt.Sprintf("https://news.example/%d", i), Publisher: a.publisher, Lang: a.lang,
			Published: pub, Text: a.title + ". " + strings.Repeat("Un paragraphe de l'article, pour l'archive. ", 5)}
		res, err := svc.Ingest(ctx, art)
		if err != nil {
			t.Fatal(err)
		}
		art.ID = res.ArticleID
		articles = append(articles, art)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	questions := []struct {
		q, lang string
		found   bool
	}{
		{"Qu'a annoncé le Maroc sur l'IA ?", "fr", true},
		{"What record did Tanger Med break?", "en", true},
		{"ماذا عن صادرات الفوسفاط؟", "ar", true},
		{"Où en sont les barrages ?", "fr", true},
		{"What is Morocco's sovereign AI?", "en", true},
		{"Quel est le prix du ticket de tramway ?", "fr", false},
		{"Who won the 1958 cup?", "en", false},
		{"من فاز بكأس 1958؟", "ar", false},
		{hostileQuestion, "en", false},
		{longQuestion, "fr", false},
	}
	perDay := []int{6, 9, 0, 4, 7, 5, 8} // today first; none three days ago
	n := 0
	for ago, count := range perDay {
		for range count {
			q := questions[n%len(questions)]
			rec := rag.AnswerRecord{Question: q.q, Answer: "…", Found: q.found, Lang: q.lang, UserID: fmt.Sprint(1000 + n%5),
				Latency: time.Duration(400+n*97%2600) * time.Millisecond}
			if q.found {
				rec.Citations = []rag.Citation{{N: 1, Article: articles[n%3]}}
			}
			id, err := store.SaveAnswer(ctx, rec)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := conn.Exec(ctx, "UPDATE answers SET created_at = now() - make_interval(days => $2) WHERE id = $1", id, ago); err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	for i, u := range []string{"https://www.ledesk.example/rss", "https://www.hespress.example/feed", "https://down.example/rss"} {
		f, _, err := store.AddFeed(ctx, u, 30*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		f.LastPolled, f.LastOK, f.NextPoll = time.Now(), time.Now(), time.Now().Add(30*time.Minute)
		if i == 2 {
			f.LastOK, f.Failures, f.LastError = time.Time{}, 5, "GET https://down.example/rss: HTTP 503 Service Unavailable"
		}
		if err := store.UpdateFeedState(ctx, f); err != nil {
			t.Fatal(err)
		}
		for j := range 3 - i {
			a := articles[3*i+j]
			if err := store.RecordFeedItem(ctx, f.ID, a.URL, a.URL, a.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	for ago := range 3 {
		period := time.Now().AddDate(0, 0, -ago).Truncate(time.Hour)
		rec := digest.Record{ChannelID: "1187654321098765432", Period: period, Status: digest.Pending, Parts: []string{"…", "…"}}
		if ago == 1 {
			rec.Status, rec.Parts, rec.Note = digest.Empty, nil, "nothing new since the last digest"
		}
		if err := store.BeginDigest(ctx, rec); err != nil {
			t.Fatal(err)
		}
		if rec.Status == digest.Pending {
			rec.Status, rec.MessageIDs = digest.Posted, []string{"m1", "m2"}
			if err := store.FinishDigest(ctx, rec); err != nil {
				t.Fatal(err)
			}
		}
	}
	loc := casablanca(t)
	return admin.NewSource(store.AdminSource(5, loc), insights.New(store, insights.Config{Location: loc}).Report, loc)
}

// casablanca is the time zone of the page and its source.
func casablanca(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Africa/Casablanca")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestPageFromDatabase renders the page over a database filled through
// the store, as dalil serve does.
func TestPageFromDatabase(t *testing.T) {
	srv := httptest.NewServer(admin.Handler(prometheus.NewRegistry(), admin.Options{Source: mustFill(t), Retention: 90 * 24 * time.Hour, Location: casablanca(t)}))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/?lang=fr")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	body := string(raw)
	for _, want := range []string{
		"Questions par jour", "<dd>39</dd>", // 6+9+4+7+5+8 questions
		"&lt;script&gt;alert(1)&lt;/script&gt; @everyone evil", strings.Repeat("Pourquoi ", 33) + "Po…", // as the report cuts it, to 300 characters
		"Le Maroc présente son IA souveraine", "هسبريس", "hors service", "HTTP 503", "publiée", "rien de neuf",
		"<title>2025-02: 0</title>", "gardés 90 jours",
		// Today's 6 questions are the first 6: 5 answered.
		time.Now().In(casablanca(t)).Format("2006-01-02") + ": Avec réponse 5, Absentes des archives 1</title>",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(body, "<script>") || strings.Contains(body, longQuestion) {
		t.Error("the page has the raw hostile or long question")
	}
}

// chromium finds Debian's chromium; the test is skipped without it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	t.Skip("chromium is not installed, so the admin page is not tested in a browser: " +
		"scripts/chromium.sh installs it (apt-get install chromium), as make test and .ci/run do")
	return ""
}

// runChromium runs headless chromium on url with extra flags, in a
// profile of its own, and returns what it printed.
func runChromium(t *testing.T, bin, url string, flags ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
		"--user-data-dir=" + t.TempDir()}, flags...)
	cmd := exec.CommandContext(ctx, bin, append(args, url)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %s: %v\n%s", url, err, stderr.String())
	}
	return string(out)
}

// TestBrowser loads the page, over a filled database, in headless
// Chromium and checks the DOM it built: the title, the charts, Arabic
// right to left, and the hostile question as text. With -screenshot it
// also saves the English page as a PNG (for the README).
func TestBrowser(t *testing.T) {
	bin := chromium(t)
	srv := httptest.NewServer(admin.Handler(prometheus.NewRegistry(), admin.Options{Source: mustFill(t), Retention: 90 * 24 * time.Hour, Location: casablanca(t)}))
	defer srv.Close()
	tests := []struct {
		lang string
		want []string
	}{
		{"en", []string{`<html lang="en" dir="ltr">`, "<title>dalil — admin</title>", "Questions per day", "Most cited articles"}},
		{"fr", []string{`<html lang="fr" dir="ltr">`, "<title>dalil — administration</title>", "Questions sans réponse"}},
		{"ar", []string{`<html lang="ar" dir="rtl">`, "<title>دليل — الإدارة</title>", "أسئلة بلا إجابة", "الخصوصية"}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			dom := runChromium(t, bin, srv.URL+"/?lang="+tt.lang, "--dump-dom")
			want := append(tt.want,
				`<svg viewBox="0 0 720 200" role="img"`, // the charts
				"&lt;script&gt;alert(1)&lt;/script&gt; @everyone evil")
			for _, w := range want {
				if !strings.Contains(dom, w) {
					t.Errorf("the DOM lacks %q", w)
				}
			}
			if n := strings.Count(dom, "<rect"); n < 10 {
				t.Errorf("%d bars in the DOM", n)
			}
			if strings.Contains(dom, "<script") {
				t.Error("the hostile question became a script element")
			}
		})
	}
	if *screenshot != "" {
		path, err := filepath.Abs(*screenshot)
		if err != nil {
			t.Fatal(err)
		}
		runChromium(t, bin, srv.URL+"/?lang=en", "--screenshot="+path, "--window-size=1280,1600", "--hide-scrollbars")
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot %s: %d bytes", path, fi.Size())
	}
}
