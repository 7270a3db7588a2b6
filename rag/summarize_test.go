package rag_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dalil-news/dalil/internal/testing/mock"
	"github.com/dalil-news/dalil/rag"
)

// summaryArticles reads the test articles (see testdata/summarize/SOURCE.md).
func summaryArticles(t *testing.T) []rag.Article {
	t.Helper()
	b, err := os.ReadFile("testdata/summarize/articles.json")
	if err != nil {
		t.Fatal(err)
	}
	var arts []rag.Article
	if err := json.Unmarshal(b, &arts); err != nil {
		t.Fatal(err)
	}
	return arts
}

// roundup is a longer article: every test article's text, one after the
// other.
func roundup(arts []rag.Article) rag.Article {
	var all []string
	for _, a := range arts {
		all = append(all, a.Text)
	}
	return rag.Article{Title: "Roundup", URL: "https://example.com/roundup", Lang: "en", Text: strings.Join(all, "\n\n")}
}

func TestExtractiveSummary(t *testing.T) {
	arts := summaryArticles(t)
	long := roundup(arts)
	tests := []struct {
		name string
		a    rag.Article
		lang string
		want []string
		note bool
	}{
		{"short article keeps the lead", arts[2], "", []string{
			"- The city council approved the 2024 budget on Monday evening after a six-hour debate. [1]",
			"- Spending on public transport rises by 12 percent, while the road maintenance budget is cut. [1]",
			"- The opposition voted against the plan. [1]",
		}, false},
		{"other language noted", arts[3], "fr", nil, true},
		{"long article", long, "", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := rag.ExtractiveSummary(tt.a, tt.lang)
			lines := strings.Split(s.Text, "\n")
			if tt.want != nil {
				if diff := cmp.Diff(tt.want, lines); diff != "" {
					t.Errorf("summary (-want +got):\n%s", diff)
				}
			}
			if len(lines) < 1 || len(lines) > 3 {
				t.Errorf("%d bullets, want 1 to 3", len(lines))
			}
			first, _, _ := strings.Cut(tt.a.Text, ". ")
			if !strings.HasPrefix(lines[0], "- "+first) {
				t.Errorf("first bullet %q does not quote the lead %q", lines[0], first)
			}
			for _, l := range lines {
				sent := strings.TrimSuffix(strings.TrimPrefix(l, "- "), " [1]")
				if !strings.HasPrefix(l, "- ") || !strings.HasSuffix(l, " [1]") || !strings.Contains(tt.a.Text, sent) {
					t.Errorf("bullet %q is not a whole sentence of the article cited [1]", l)
				}
			}
			if (s.Note != "") != tt.note || s.Mode != rag.ModeExtractive {
				t.Errorf("mode %q note %q", s.Mode, s.Note)
			}
		})
	}
}

func TestLLMSummaryMapReduce(t *testing.T) {
	arts := summaryArticles(t)
	long := roundup(arts)
	var calls, combines atomic.Int32
	reply := func(r rag.ChatRequest) string {
		user := r.Messages[len(r.Messages)-1].Content
		calls.Add(1)
		if strings.HasPrefix(user, "Summaries of the") {
			combines.Add(1)
			return "- Morocco plans to train 100,000 young people by 2030 [1].\n- Rainfall was 30% below average [1]\n- Drought is feared [1]\n- An uncited claim.\n- A claim citing a source that does not exist [2]"
		}
		if strings.HasPrefix(user, "Part ") {
			n := strings.Fields(user)[1]
			return fmt.Sprintf("1. Fact of part %s [1]\n2. Another fact [1]\n3. A third fact [1]", n)
		}
		return "- Whole article fact [1]\n- Second fact [1]\n- Third fact [1]"
	}
	chat := &mock.Chat{ModelName: "test-model", CompleteFn: func(_ context.Context, r rag.ChatRequest, _ func(string)) (rag.Completion, error) {
		return rag.Completion{Text: reply(r), Usage: rag.Usage{PromptTokens: 100, CompletionTokens: 20}}, nil
	}}
	tests := []struct {
		name        string
		budget      int
		a           rag.Article
		want        string
		parts       int
		minCombines int32
	}{
		{"whole article", 6000, arts[0], "- Whole article fact [1]\n- Second fact [1]\n- Third fact [1]", 1, 0},
		{"map-reduce", 400, long, "- Morocco plans to train 100,000 young people by 2030 [1].\n- Rainfall was 30% below average [1]\n- Drought is feared [1]", 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls.Store(0)
			combines.Store(0)
			svc := rag.NewService(nil, &mock.Embedder{}, chat, rag.Config{ContextChars: tt.budget})
			s, err := svc.SummarizeArticle(context.Background(), tt.a, "en")
			if err != nil {
				t.Fatal(err)
			}
			if s.Text != tt.want || s.Mode != rag.ModeLLM {
				t.Errorf("summary %q mode %q, want %q", s.Text, s.Mode, tt.want)
			}
			if tt.parts > 0 && s.Parts != tt.parts {
				t.Errorf("parts %d, want %d", s.Parts, tt.parts)
			}
			if tt.parts == 0 && s.Parts < 2 {
				t.Errorf("parts %d, want a map-reduce over several", s.Parts)
			}
			if combines.Load() < tt.minCombines {
				t.Errorf("%d combine calls, want at least %d", combines.Load(), tt.minCombines)
			}
			if want := int(calls.Load()) * 100; s.Usage.PromptTokens != want {
				t.Errorf("prompt tokens %d, want %d (100 per call)", s.Usage.PromptTokens, want)
			}
		})
	}
}

// TestLLMSummaryLanguageAndBullets checks that a model's summary in another
// language than the one asked for is asked for again in it, as answers are,
// and that one with fewer than 3 bullets is asked for again once, then
// replaced by the extractive summary with a note.
func TestLLMSummaryLanguageAndBullets(t *testing.T) {
	a := summaryArticles(t)[0] // English
	const (
		english = "- Morocco presented an AI strategy [1]\n- It will train 100,000 young people [1]\n- Public and private partners fund it [1]"
		arabic  = "- قدّم المغرب استراتيجية للذكاء الاصطناعي [1]\n- ستكوّن مئة ألف شاب [1]\n- يموّلها شركاء من القطاعين العام والخاص [1]"
		oneAr   = "- قدّم المغرب استراتيجية للذكاء الاصطناعي [1]"
	)
	tests := []struct {
		name string
		lang string
		// replies are the model's replies, in order; the last repeats.
		replies   []string
		want      string
		wantMode  string
		wantNote  string
		wantCalls int
		// wantAsk is in the last message of the second call.
		wantAsk string
	}{
		{"in the language asked for", "ar", []string{arabic}, arabic, rag.ModeLLM, "", 1, ""},
		{"english asked again in arabic", "ar", []string{english, arabic}, arabic, rag.ModeLLM, "", 2, "not in Arabic"},
		{"still english after asking again", "ar", []string{english}, english, rag.ModeLLM, "كتب النموذج الملخص بلغة غير اللغة المطلوبة", 2, "not in Arabic"},
		{"one bullet asked again", "ar", []string{oneAr, arabic}, arabic, rag.ModeLLM, "", 2, "has 1 bullet"},
		{"one bullet twice", "ar", []string{oneAr}, "", rag.ModeExtractive, "تضمّن ملخص النموذج أقل من ثلاث نقاط، لذا هذه هي الجمل المحورية في المقال بدلًا منه", 2, "has 1 bullet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var reqs []rag.ChatRequest
			chat := &mock.Chat{CompleteFn: func(_ context.Context, r rag.ChatRequest, _ func(string)) (rag.Completion, error) {
				reqs = append(reqs, r)
				text := tt.replies[min(len(reqs), len(tt.replies))-1]
				return rag.Completion{Text: text, Usage: rag.Usage{PromptTokens: 100}}, nil
			}}
			svc := rag.NewService(nil, &mock.Embedder{}, chat, rag.Config{})
			s, err := svc.SummarizeArticle(context.Background(), a, tt.lang)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want != "" && s.Text != tt.want {
				t.Errorf("summary %q, want %q", s.Text, tt.want)
			}
			if s.Mode != tt.wantMode || s.Note != tt.wantNote {
				t.Errorf("mode %q note %q, want %q %q", s.Mode, s.Note, tt.wantMode, tt.wantNote)
			}
			if len(reqs) != tt.wantCalls || s.Usage.PromptTokens != 100*tt.wantCalls {
				t.Errorf("%d calls, %d prompt tokens; want %d calls", len(reqs), s.Usage.PromptTokens, tt.wantCalls)
			}
			if tt.wantAsk != "" && len(reqs) > 1 {
				msgs := reqs[1].Messages
				if last := msgs[len(msgs)-1].Content; !strings.Contains(last, tt.wantAsk) {
					t.Errorf("second call asks %q, want it to say %q", last, tt.wantAsk)
				}
			}
		})
	}
}

func TestSummarizeEmpty(t *testing.T) {
	svc := rag.NewService(nil, &mock.Embedder{}, nil, rag.Config{})
	if _, err := svc.SummarizeArticle(context.Background(), rag.Article{URL: "https://example.com/x", Text: " \n"}, ""); err == nil {
		t.Error("empty article summarized")
	}
}

// TestSummaryNoteInAskersLanguage: the note of a summary asked for in
// another language than the article's is in the language asked for.
func TestSummaryNoteInAskersLanguage(t *testing.T) {
	a := rag.Article{Title: "Port", URL: "https://example.com/port", Lang: "en", Text: "The port of Tangier broke its container record in 2024, the authority said on Monday."}
	for lang, want := range map[string]string{"fr": "sans modèle de langue", "ar": "دون نموذج لغوي", "en": ""} {
		got := rag.ExtractiveSummary(a, lang).Note
		if want == "" && got != "" || !strings.HasPrefix(got, want) {
			t.Errorf("ExtractiveSummary(%s).Note = %q, want it to start with %q", lang, got, want)
		}
	}
}
