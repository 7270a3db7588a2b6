package digest_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dalil-news/dalil/digest"
	"github.com/dalil-news/dalil/embeddings"
	goldenfile "github.com/dalil-news/dalil/internal/testing/golden"
	"github.com/dalil-news/dalil/rag"
)

// loadArticles reads the fixture articles, ingested on 2024-03-14.
func loadArticles(t *testing.T) []rag.Article {
	t.Helper()
	var arts []rag.Article
	b, err := os.ReadFile("testdata/articles.json")
	if err == nil {
		err = json.Unmarshal(b, &arts)
	}
	if err != nil {
		t.Fatal(err)
	}
	for i := range arts {
		arts[i].ID, arts[i].IngestedAt = int64(i+1), time.Date(2024, 3, 14, 9, 0, 0, 0, time.UTC)
	}
	return arts
}

// chatFunc is a rag.Chat that answers every request with its result.
type chatFunc func(req rag.ChatRequest) string

func (f chatFunc) Complete(_ context.Context, req rag.ChatRequest, _ func(string)) (rag.Completion, error) {
	return rag.Completion{Text: f(req)}, nil
}

func (chatFunc) Model() string { return "fake" }

func TestGroupStories(t *testing.T) {
	arts := loadArticles(t)
	emb := embeddings.NewOffline(embeddings.OfflineConfig{})
	comp := digest.NewComposer(emb, nil, digest.ComposerConfig{})
	d, err := comp.Compose(context.Background(), arts, digest.Options{Lang: "en", Day: time.Date(2024, 3, 14, 8, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	var got [][]string
	for _, st := range d.Stories {
		var pubs []string
		for _, a := range st.Articles {
			pubs = append(pubs, a.Publisher)
		}
		got = append(got, append([]string{st.Title}, pubs...))
	}
	// Two-publisher stories first (the more recent first), then singles,
	// most recent first; each story's lead is its earliest article.
	want := [][]string{
		{"Morocco unveils national AI strategy to train 100,000 young people by 2030", "Example News", "Daily Herald"},
		{"Rainfall 30% below average this winter, drought feared", "Example News", "Example Wire"},
		{"City council approves the 2024 budget after a long debate", "Daily Herald"},
		{"Football: national team wins friendly against Ghana", "Example Wire"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stories (-want +got):\n%s", diff)
	}
}

func TestSameStory(t *testing.T) {
	tests := []struct {
		cos, title float64
		want       bool
	}{
		{0.90, 0, true},
		{0.70, 0.59, true},
		{0.70, 0.10, false},
		{0.20, 0.80, false},
	}
	for _, tt := range tests {
		if got := digest.SameStory(tt.cos, tt.title); got != tt.want {
			t.Errorf("SameStory(%v, %v) = %v, want %v", tt.cos, tt.title, got, tt.want)
		}
	}
}

// TestComposeGolden writes the composed digests to
// testdata/compose/name.json (-update rewrites them): the bot's rendering
// tests render these same digests into messages.
func TestComposeGolden(t *testing.T) {
	arts := loadArticles(t)
	emb := embeddings.NewOffline(embeddings.OfflineConfig{})
	day := time.Date(2024, 3, 14, 8, 0, 0, 0, mustLoc(t, "Africa/Casablanca"))
	// The opening cites stories 1, 2 and 9 (there are four): [9] goes,
	// and the sentence that cites nothing with it.
	intro := chatFunc(func(rag.ChatRequest) string {
		return "Le Maroc a présenté une stratégie pour former 100 000 jeunes à l'intelligence artificielle d'ici 2030 [1]. Les pluies de l'hiver ont été inférieures de 30 % à la moyenne [2][9]. Rien d'autre ne compte."
	})
	tests := []struct {
		name string
		chat rag.Chat
		opt  digest.Options
		arts []rag.Article
	}{
		{"extractive_en", nil, digest.Options{Lang: "en", Day: day}, arts},
		{"llm_fr", intro, digest.Options{Lang: "fr", Day: day}, arts},
		{"capped_small_messages", nil, digest.Options{Lang: "en", Day: day, MaxStories: 3}, arts},
		{"empty_note_ar", nil, digest.Options{Lang: "ar", Day: day, EmptyNote: true}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := digest.NewComposer(emb, tt.chat, digest.ComposerConfig{}).Compose(context.Background(), tt.arts, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(d, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			goldenfile.Assert(t, filepath.Join("testdata", "compose", tt.name+".json"), append(got, '\n'))
		})
	}
}

func TestComposeNothingNew(t *testing.T) {
	comp := digest.NewComposer(embeddings.NewOffline(embeddings.OfflineConfig{}), nil, digest.ComposerConfig{})
	d, err := comp.Compose(context.Background(), nil, digest.Options{Day: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Stories) != 0 || d.EmptyNote {
		t.Errorf("stories = %v, empty note %v; want none and no note (nothing to post)", d.Stories, d.EmptyNote)
	}
}

// TestComposeIntroLanguage: an opening in another language than the
// digest's is asked for again in it, as answers are, and left out when it
// still is.
func TestComposeIntroLanguage(t *testing.T) {
	arts := loadArticles(t)
	emb := embeddings.NewOffline(embeddings.OfflineConfig{})
	day := time.Date(2024, 3, 14, 8, 0, 0, 0, mustLoc(t, "Africa/Casablanca"))
	const (
		english = "Morocco presented an AI strategy to train 100,000 young people by 2030 [1]."
		french  = "Le Maroc a présenté une stratégie pour former 100 000 jeunes à l'intelligence artificielle d'ici 2030 [1]."
		arabic  = "قدّم المغرب استراتيجية لتكوين مئة ألف شاب في الذكاء الاصطناعي بحلول 2030 [1]."
	)
	tests := []struct {
		name    string
		lang    string
		replies []string // in order; the last repeats
		want    string
		calls   int
	}{
		{"french at once", "fr", []string{french}, french, 1},
		{"english asked again in french", "fr", []string{english, french}, french, 2},
		{"english asked again in arabic", "ar", []string{english, arabic}, arabic, 2},
		{"still english: no opening", "fr", []string{english}, "", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var reqs []rag.ChatRequest
			chat := chatFunc(func(req rag.ChatRequest) string {
				reqs = append(reqs, req)
				return tt.replies[min(len(reqs), len(tt.replies))-1]
			})
			d, err := digest.NewComposer(emb, chat, digest.ComposerConfig{}).Compose(context.Background(), arts, digest.Options{Lang: tt.lang, Day: day})
			if err != nil {
				t.Fatal(err)
			}
			if d.Intro != tt.want || len(reqs) != tt.calls {
				t.Errorf("intro %q after %d calls, want %q after %d", d.Intro, len(reqs), tt.want, tt.calls)
			}
			for _, r := range reqs {
				if r.MaxTokens == 0 {
					t.Errorf("request without max tokens: %+v", r)
				}
			}
		})
	}
}
