package insights

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/dalil-news/dalil/internal/testing/golden"
	"github.com/dalil-news/dalil/rag"
)

func TestOneLine(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"  Qui a\n\tgagné ?  ", 100, "Qui a gagné ?"},
		{"\x1b[2J\x1b]0;pwned\x07Question", 100, "[2J]0;pwnedQuestion"}, // no escape reaches the terminal
		{"abc\u202edcba\u2066x\u2069", 100, "abcdcbax"},                 // no bidirectional override
		{"<script>alert(1)</script> @everyone", 100, "<script>alert(1)</script> @everyone"},
		{"مرحبا\u200fبكم", 100, "مرحبا\u200fبكم"}, // marks that only hint direction stay
		{strings.Repeat("a", 20), 10, "aaaaaaaaa…"},
	}
	for _, tt := range tests {
		if got := oneLine(tt.in, tt.n); got != tt.want {
			t.Errorf("oneoneLine(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestWriteText(t *testing.T) {
	casa := time.FixedZone("+01", 3600)
	from := time.Date(2024, 5, 1, 9, 30, 0, 0, casa)
	full := Report{
		From: from, To: from.AddDate(0, 0, 2), TimeZone: "Africa/Casablanca", RetentionSeconds: 90 * 24 * 3600,
		Asked: 7, Answered: 4, NotFound: 3, Members: 3, LatencyP50ms: 850, LatencyP95ms: 2345, VotesUp: 2, VotesDown: 1,
		Days: []Day{{"2024-05-01", 3, 2, 1}, {"2024-05-02", 0, 0, 0}, {"2024-05-03", 4, 2, 2}},
		Unanswered: []Topic{
			{Question: "Combien coûte le tramway à Rabat ?", Count: 2, Langs: []string{"en", "fr"}, Variants: []string{"What is the price of the Rabat tramway?"}},
			{Question: "<script>alert(1)</script> @everyone \x1b[31mrouge", Count: 1, Langs: []string{}, Variants: []string{}},
		},
		TopArticles: []CitedArticle{{Source: Source{Title: "Mezzour annonce une instance nationale dédiée à l'IA", URL: "https://news.example/ia",
			Publisher: "L'Opinion", Published: "2023-10-24"}, Answers: 3}},
		Disliked: []VotedAnswer{{MessageID: "1", Down: 1, LastVote: time.Date(2024, 5, 2, 8, 0, 0, 0, time.UTC), Lang: "fr",
			Question: "Combien coûte le tramway à Rabat ?", Answer: "Les archives ne disent rien à ce sujet.", Citations: []Source{}}},
	}
	for _, tt := range []struct {
		name string
		r    Report
	}{
		{"report", full},
		{"empty", Report{From: from, To: from.AddDate(0, 0, 7), TimeZone: "Africa/Casablanca", Days: []Day{}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteText(&buf, tt.r); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(buf.String(), "\x1b") {
				t.Error("an escape character reaches the terminal")
			}
			golden.Assert(t, "testdata/"+tt.name+".txt", buf.Bytes())
		})
	}
}

func TestWriteVotes(t *testing.T) {
	votes := []rag.Feedback{
		{CreatedAt: time.Date(2024, 5, 2, 8, 0, 0, 0, time.UTC), MessageID: "1500", MemberHash: "0123456789abcdef0123", Vote: -1,
			Question: "Quoi ?\x1b[2J", Answer: "Ceci [1].", Citations: []rag.Citation{{N: 1, Article: rag.Article{Title: "Titre", URL: "https://news.example/a", Publisher: "Le Test"}}}},
		{CreatedAt: time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC), MessageID: "1400", MemberHash: "fedcba", Vote: 1, Question: "Qui ?", Answer: "Elle."},
	}
	var buf bytes.Buffer
	if err := WriteVotes(&buf, votes, time.FixedZone("+01", 3600)); err != nil {
		t.Fatal(err)
	}
	want := "👎 2024-05-02 09:00  member 0123456789ab  message 1500\n  Q: Quoi ?[2J\n  A: Ceci [1].\n  [1] Titre — Le Test · https://news.example/a\n" +
		"\n👍 2024-05-01 09:00  member fedcba  message 1400\n  Q: Qui ?\n  A: Elle.\n"
	if got := buf.String(); got != want {
		t.Errorf("WriteVotes:\n%s\nwant\n%s", got, want)
	}
}
