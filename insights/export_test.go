package insights

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dalil-news/dalil/eval"
)

func TestExportVoted(t *testing.T) {
	src := func(n int, url string) Source { return Source{N: n, Title: "T", URL: url} }
	vs := []VotedAnswer{
		{MessageID: "m1", AnswerID: 11, Up: 2, Question: "Qu'a annoncé la ministre ?", Lang: "fr", Found: true,
			Citations: []Source{src(1, "https://news.example/a"), src(2, "https://news.example/b"), src(3, "https://news.example/a")}},
		{MessageID: "m2", AnswerID: 12, Up: 1, Question: "Combien coûte le tramway à Rabat ?", Lang: "fr"},
		{MessageID: "m3", AnswerID: 13, Down: 2, Up: 1, Question: "Who won the 2030 World Cup?", Lang: "en", Found: true,
			Citations: []Source{src(1, "https://news.example/c")}},
		{MessageID: "m4", AnswerID: 14, Down: 1, Question: "Et le port ?", Lang: "fr"},                // 👎 on "not found"
		{MessageID: "m5", AnswerID: 15, Up: 1, Down: 1, Question: "Tied?", Found: true},               // tie
		{MessageID: "m6", Up: 1, Question: "", Found: true, Citations: []Source{src(1, "https://x")}}, // purged before the vote
		{MessageID: "m7", AnswerID: 17, Up: 1, Question: "Uploaded?", Found: true, Citations: []Source{src(1, "")}},
		{MessageID: "m8", AnswerID: 18, Up: 1, Question: " qu'a ANNONCÉ la  ministre ? ", Found: true, Citations: []Source{src(1, "https://news.example/z")}},
		{MessageID: "1400000000000000009", Up: 3, Question: "Quel temps fait-il ?", Lang: "fr"}, // voted on before votes named their answer
	}
	tests := []struct {
		name    string
		opts    ExportOptions
		wantIDs []string
		want    ExportSummary
	}{
		{"👍 only", ExportOptions{}, []string{"feedback-11", "feedback-12", "feedback-m1400000000000000009"},
			ExportSummary{Found: 1, NotFound: 2, SkippedDown: 2, SkippedTied: 1, SkippedUnknown: 2, SkippedDuplicate: 1}},
		{"with 👎", ExportOptions{Down: true}, []string{"feedback-11", "feedback-12", "feedback-13", "feedback-m1400000000000000009"},
			ExportSummary{Found: 1, NotFound: 2, Down: 1, SkippedDown: 1, SkippedTied: 1, SkippedUnknown: 2, SkippedDuplicate: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			qs, sum := exportVoted(vs, tt.opts)
			var ids []string
			for _, q := range qs {
				ids = append(ids, q.ID)
			}
			if d := cmp.Diff(tt.wantIDs, ids); d != "" {
				t.Errorf("IDs (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tt.want, sum); d != "" {
				t.Errorf("summary (-want +got):\n%s", d)
			}
			if sum.Written() != len(qs) {
				t.Errorf("Written() = %d, want %d", sum.Written(), len(qs))
			}
		})
	}
	qs, _ := exportVoted(vs, ExportOptions{Down: true})
	want := []eval.Question{
		{ID: "feedback-11", Kind: KindFeedback, Lang: "fr", Text: "Qu'a annoncé la ministre ?",
			ExpectedURLs: []string{"https://news.example/a", "https://news.example/b"}, Answers: []string{}},
		{ID: "feedback-12", Kind: KindFeedbackNone, Lang: "fr", Text: "Combien coûte le tramway à Rabat ?", ExpectedURLs: []string{}, Answers: []string{}},
		{ID: "feedback-13", Kind: KindFeedbackDown, Lang: "en", Text: "Who won the 2030 World Cup?", ExpectedURLs: []string{}, Answers: []string{}},
		{ID: "feedback-m1400000000000000009", Kind: KindFeedbackNone, Lang: "fr", Text: "Quel temps fait-il ?", ExpectedURLs: []string{}, Answers: []string{}},
	}
	if d := cmp.Diff(want, qs); d != "" {
		t.Errorf("questions (-want +got):\n%s", d)
	}
}

// TestWriteJSONLRoundTrip: what Export writes, `dalil eval --questions`
// reads back unchanged, hostile and long text included.
func TestWriteJSONLRoundTrip(t *testing.T) {
	qs := []eval.Question{
		{ID: "feedback-1", Kind: KindFeedback, Lang: "fr", Text: "<script>alert(1)</script> @everyone \"quoi\" ?\nligne 2",
			ExpectedURLs: []string{"https://news.example/a?x=1&y=<2>"}, Answers: []string{}},
		{ID: "feedback-2", Kind: KindFeedbackNone, Lang: "ar", Text: strings.Repeat("س", 4000), ExpectedURLs: []string{}, Answers: []string{}},
	}
	var buf bytes.Buffer
	if err := WriteJSONL(&buf, qs); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "\n"); n != 2 {
		t.Errorf("%d lines, want one a question:\n%s", n, buf.String())
	}
	path := filepath.Join(t.TempDir(), "feedback.jsonl")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := eval.ReadQuestions(path)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(qs, got); d != "" {
		t.Errorf("read back (-want +got):\n%s", d)
	}
}

// TestExportLatestVoteWins: a question asked twice is written once, as
// its latest vote says: an older 👍 answer does not stand for a question
// whose latest answer members voted 👎.
func TestExportLatestVoteWins(t *testing.T) {
	vs := []VotedAnswer{ // most recently voted first, as the store returns them
		{MessageID: "m2", AnswerID: 2, Down: 1, Question: "Qui dirige la banque centrale ?", Found: true,
			Citations: []Source{{N: 1, URL: "https://news.example/2025-new-governor"}}},
		{MessageID: "m1", AnswerID: 1, Up: 1, Question: "Qui dirige la banque centrale ?", Found: true,
			Citations: []Source{{N: 1, URL: "https://news.example/2019-old-governor"}}},
	}
	qs, sum := exportVoted(vs, ExportOptions{})
	if len(qs) != 0 || sum.SkippedDown != 1 || sum.SkippedDuplicate != 1 {
		t.Errorf("exported %+v (%+v); want nothing: the latest vote is 👎", qs, sum)
	}
	qs, _ = exportVoted(vs, ExportOptions{Down: true})
	if len(qs) != 1 || qs[0].ID != "feedback-2" || qs[0].Kind != KindFeedbackDown {
		t.Errorf("with --down: exported %+v, want the latest answer, for review", qs)
	}
}
