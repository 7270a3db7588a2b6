package postgres

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/dalil-news/dalil/insights"
	"github.com/dalil-news/dalil/rag"
)

// saveAnswerAt saves a as given at t and returns its ID.
func saveAnswerAt(t *testing.T, s *Store, a rag.AnswerRecord, at time.Time) int64 {
	t.Helper()
	id := mustSaveAnswer(t, s, a)
	if _, err := s.pool.Exec(context.Background(), `UPDATE answers SET created_at = $1 WHERE id = $2`, at, id); err != nil {
		t.Fatal(err)
	}
	return id
}

// saveVoteAt saves f as cast at t.
func saveVoteAt(t *testing.T, s *Store, f rag.Feedback, at time.Time) {
	t.Helper()
	ctx := context.Background()
	if err := s.SaveFeedback(ctx, f); err != nil {
		t.Fatal(err)
	}
	member, err := s.memberHash(ctx, f.UserID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `UPDATE feedback SET created_at = $1 WHERE message_id = $2 AND member_hash = $3`, at, f.MessageID, member); err != nil {
		t.Fatal(err)
	}
}

func TestInsights(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t, Config{})
	tokyo, err := time.LoadLocation("Asia/Tokyo") // UTC+9, no summer time
	if err != nil {
		t.Fatal(err)
	}
	day1 := time.Date(2024, 5, 1, 0, 0, 0, 0, tokyo)
	p := insights.Period{From: day1, To: day1.AddDate(0, 0, 3)}
	cite := func(n int, title, url string) rag.Citation {
		return rag.Citation{N: n, Quote: "q", Article: rag.Article{ID: int64(n), Title: title, URL: url, Publisher: "Le Test",
			Published: time.Date(2023, 10, 24, 0, 0, 0, 0, time.UTC), Lang: "fr", Text: "not stored"}}
	}
	a, b := cite(1, "Article A", "https://news.example/a"), cite(2, "Article B", "https://news.example/b")
	bRenamed := b
	bRenamed.N, bRenamed.Article.Title = 1, "Article B, corrigé"
	const tram = "Combien coûte le tramway à Rabat ?"
	answers := []struct {
		rec rag.AnswerRecord
		at  time.Time
	}{
		{rag.AnswerRecord{Question: "Qu'a annoncé la ministre ?", Answer: "Une instance [1][2].", Citations: []rag.Citation{a, b},
			Found: true, Mode: rag.ModeLLM, Latency: 100 * time.Millisecond, UserID: "u1", Lang: "fr"}, day1.Add(time.Hour)},
		{rag.AnswerRecord{Question: "What did the minister announce?", Answer: "A body [1].", Citations: []rag.Citation{a},
			Found: true, Latency: 200 * time.Millisecond, UserID: "u2", Lang: "en"}, day1.Add(2 * time.Hour)},
		// 2024-05-01 20:00 UTC is already 2024-05-02 in Tokyo.
		{rag.AnswerRecord{Question: tram, Answer: "Les archives ne le disent pas.", Found: false,
			Latency: 300 * time.Millisecond, UserID: "u1", Lang: "fr"}, time.Date(2024, 5, 1, 20, 0, 0, 0, time.UTC)},
		{rag.AnswerRecord{Question: "  combien coûte le Tramway   à Rabat ? ", Answer: "…", Latency: 400 * time.Millisecond, UserID: "u3", Lang: "fr"},
			day1.Add(30 * time.Hour)},
		{rag.AnswerRecord{Question: "What is the price of the Rabat tramway?", Answer: "…", Latency: 500 * time.Millisecond, UserID: "u3", Lang: "en"},
			day1.Add(50 * time.Hour)},
		{rag.AnswerRecord{Question: "Qui a gagné la coupe du monde 2030 ?", Answer: "…", Latency: 600 * time.Millisecond, UserID: "u3", Lang: "fr"},
			day1.Add(51 * time.Hour)},
		{rag.AnswerRecord{Question: "Et l'article B ?", Answer: "B [1].", Citations: []rag.Citation{bRenamed}, Found: true,
			Latency: 50 * time.Millisecond, UserID: "u2", Lang: "fr"}, day1.Add(52 * time.Hour)},
		// Outside the period, before and after.
		{rag.AnswerRecord{Question: tram, Answer: "…", Latency: 9000 * time.Millisecond, UserID: "u4", Lang: "fr"}, day1.Add(-time.Second)},
		{rag.AnswerRecord{Question: tram, Answer: "…", Citations: []rag.Citation{a}, Latency: 9000 * time.Millisecond, UserID: "u4", Lang: "fr"}, p.To},
	}
	var ids []int64
	for _, an := range answers {
		ids = append(ids, saveAnswerAt(t, s, an.rec, an.at))
	}
	// Votes: two 👍 on the first answer; a 👎 on the tram question; a 👎
	// cast before votes named their answer, on an answer with a source; a
	// vote outside the period.
	saveVoteAt(t, s, rag.Feedback{MessageID: "m1", AnswerID: ids[0], UserID: "u1", Question: answers[0].rec.Question,
		Answer: answers[0].rec.Answer, Citations: []rag.Citation{a, b}, Vote: 1}, day1.Add(3*time.Hour))
	saveVoteAt(t, s, rag.Feedback{MessageID: "m1", AnswerID: ids[0], UserID: "u2", Question: answers[0].rec.Question,
		Answer: answers[0].rec.Answer, Citations: []rag.Citation{a, b}, Vote: 1}, day1.Add(4*time.Hour))
	saveVoteAt(t, s, rag.Feedback{MessageID: "m3", AnswerID: ids[2], UserID: "u1", Question: tram, Answer: "Les archives ne le disent pas.", Vote: -1},
		day1.Add(25*time.Hour))
	saveVoteAt(t, s, rag.Feedback{MessageID: "m-old", UserID: "u2", Question: "Who said it, and when was it announced?", Answer: "She did [1].",
		Citations: []rag.Citation{a}, Vote: -1}, day1.Add(26*time.Hour))
	saveVoteAt(t, s, rag.Feedback{MessageID: "m-late", AnswerID: ids[8], UserID: "u4", Question: tram, Vote: -1}, p.To)

	t.Run("counts", func(t *testing.T) {
		got, err := s.AnswerCounts(ctx, p, tokyo)
		if err != nil {
			t.Fatal(err)
		}
		want := insights.Counts{
			Days: []insights.Day{
				{Date: "2024-05-01", Asked: 2, Answered: 2},
				{Date: "2024-05-02", Asked: 2, NotFound: 2},
				{Date: "2024-05-03", Asked: 3, Answered: 1, NotFound: 2},
			},
			Members: 3, LatencyP50ms: 300, LatencyP95ms: 600, VotesUp: 2, VotesDown: 2,
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("AnswerCounts (-want +got):\n%s", d)
		}
	})
	t.Run("unanswered", func(t *testing.T) {
		got, err := s.UnansweredQuestions(ctx, p, 10)
		if err != nil {
			t.Fatal(err)
		}
		want := []insights.Question{
			{Text: "  combien coûte le Tramway   à Rabat ? ", Count: 2, Langs: []string{"fr"}, LastAsked: day1.Add(30 * time.Hour)},
			{Text: "Qui a gagné la coupe du monde 2030 ?", Count: 1, Langs: []string{"fr"}, LastAsked: day1.Add(51 * time.Hour)},
			{Text: "What is the price of the Rabat tramway?", Count: 1, Langs: []string{"en"}, LastAsked: day1.Add(50 * time.Hour)},
		}
		if d := cmp.Diff(want, got, cmpopts.EquateApproxTime(0)); d != "" {
			t.Errorf("UnansweredQuestions (-want +got):\n%s", d)
		}
		if one, err := s.UnansweredQuestions(ctx, p, 1); err != nil || len(one) != 1 || one[0].Count != 2 {
			t.Errorf("UnansweredQuestions(limit 1) = %+v, %v; want the most asked", one, err)
		}
	})
	t.Run("cited articles", func(t *testing.T) {
		got, err := s.CitedArticles(ctx, p, 10)
		if err != nil {
			t.Fatal(err)
		}
		src := func(title, url string) insights.Source {
			return insights.Source{Title: title, URL: url, Publisher: "Le Test", Published: "2023-10-24", Lang: "fr"}
		}
		want := []insights.CitedArticle{
			{Source: src("Article A", "https://news.example/a"), Answers: 2},
			{Source: src("Article B, corrigé", "https://news.example/b"), Answers: 2}, // the latest title
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("CitedArticles (-want +got):\n%s", d)
		}
	})
	t.Run("voted answers", func(t *testing.T) {
		got, err := s.VotedAnswers(ctx, p, false, 10)
		if err != nil {
			t.Fatal(err)
		}
		srcA := insights.Source{N: 1, Title: "Article A", URL: "https://news.example/a", Publisher: "Le Test", Published: "2023-10-24", Lang: "fr"}
		srcB := insights.Source{N: 2, Title: "Article B", URL: "https://news.example/b", Publisher: "Le Test", Published: "2023-10-24", Lang: "fr"}
		want := []insights.VotedAnswer{
			{MessageID: "m-old", LastVote: day1.Add(26 * time.Hour), Down: 1, Question: "Who said it, and when was it announced?", Answer: "She did [1].",
				Citations: []insights.Source{srcA}, Found: true},
			{MessageID: "m3", AnswerID: ids[2], LastVote: day1.Add(25 * time.Hour), Down: 1, Question: tram,
				Answer: "Les archives ne le disent pas.", Citations: []insights.Source{}, Lang: "fr"},
			{MessageID: "m1", AnswerID: ids[0], LastVote: day1.Add(4 * time.Hour), Up: 2, Question: answers[0].rec.Question,
				Answer: answers[0].rec.Answer, Citations: []insights.Source{srcA, srcB}, Lang: "fr", Found: true, Mode: rag.ModeLLM},
		}
		if d := cmp.Diff(want, got, cmpopts.EquateApproxTime(0)); d != "" {
			t.Errorf("VotedAnswers (-want +got):\n%s", d)
		}
		down, err := s.VotedAnswers(ctx, p, true, 1)
		if err != nil || len(down) != 1 || down[0].MessageID != "m-old" {
			t.Errorf("VotedAnswers(down, limit 1) = %+v, %v; want the latest 👎", down, err)
		}
	})
	t.Run("report", func(t *testing.T) {
		r, err := insights.New(s, insights.Config{Location: tokyo, Retention: 90 * 24 * time.Hour}).Report(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		type brief struct {
			Asked, Answered, NotFound, Members int
			Days                               int
			Topics                             []string
			Articles, Disliked                 int
			TimeZone                           string
			Retention                          int64
		}
		var topics []string
		for _, tp := range r.Unanswered {
			topics = append(topics, strings.Join(tp.Langs, "+")+" "+tp.Question)
		}
		got := brief{r.Asked, r.Answered, r.NotFound, r.Members, len(r.Days), topics, len(r.TopArticles), len(r.Disliked), r.TimeZone, r.RetentionSeconds}
		// The English tram question shares "tramway" and "Rabat" with the French one.
		want := brief{7, 3, 4, 3, 3, []string{"en+fr combien coûte le Tramway à Rabat ?", "fr Qui a gagné la coupe du monde 2030 ?"}, 2, 2,
			"Asia/Tokyo", 90 * 24 * 3600}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("Report (-want +got):\n%s", d)
		}
		if r.Disliked[0].Lang != "en" {
			t.Errorf("the 👎 on an unknown answer: lang %q, want it detected from the question", r.Disliked[0].Lang)
		}
	})
}

// TestInsightsEmpty: no answers at all, and a period without any.
func TestInsightsEmpty(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t, Config{})
	svc := insights.New(s, insights.Config{})
	now := time.Now()
	r, err := svc.Report(ctx, insights.Last(7*24*time.Hour, now))
	if err != nil {
		t.Fatal(err)
	}
	if r.Asked != 0 || len(r.Days) != 8 || len(r.Unanswered) != 0 || r.TopArticles == nil || r.Disliked == nil || r.Unanswered == nil {
		t.Errorf("empty archive: %+v, want no questions, 8 days and empty lists", r)
	}
	saveAnswerAt(t, s, rag.AnswerRecord{Question: "Old?", Answer: "…", UserID: "u"}, now.AddDate(0, -2, 0))
	if r, err = svc.Report(ctx, insights.Last(7*24*time.Hour, now)); err != nil || r.Asked != 0 {
		t.Errorf("a week without questions: %+v, %v", r, err)
	}
	qs, sum, err := svc.Export(ctx, insights.Period{To: now}, insights.ExportOptions{Down: true})
	if err != nil || len(qs) != 0 || sum != (insights.ExportSummary{}) {
		t.Errorf("export without votes: %v, %+v, %v", qs, sum, err)
	}
}
