package digest

import (
	"math"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dalil-news/dalil/nlp"
	"github.com/dalil-news/dalil/rag"
)

// Thresholds for grouping two articles into one story: the cosine
// similarity of their embeddings (title and lead) and the Dice overlap of
// their titles' terms. Measured on the offline embedder with
// digest/testdata/articles.json: the same story from two publishers
// scores 0.70 and 0.78, different stories 0.04 to 0.19.
const (
	storyCosineAlone = 0.86 // enough on its own
	storyCosine      = 0.55 // enough with storyTitle
	storyTitle       = 0.25
)

// GroupStories groups articles (with text) whose embeddings vecs (one per
// article, same order) and titles are similar enough into stories, and
// orders the stories: more publishers first, then the most recent. Each
// story's lead is its earliest article; its Line is a sentence of the lead.
func GroupStories(articles []rag.Article, vecs [][]float32) []Story {
	n := len(articles)
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	titles := make([]nlp.TermSet, n)
	for i, a := range articles {
		titles[i] = nlp.NewTermSet(a.Title)
	}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if SameStory(cosine(vecs[i], vecs[j]), titles[i].Dice(titles[j])) {
				parent[find(j)] = find(i)
			}
		}
	}
	groups := map[int][]rag.Article{}
	var roots []int
	for i, a := range articles {
		r := find(i)
		if _, ok := groups[r]; !ok {
			roots = append(roots, r)
		}
		groups[r] = append(groups[r], a)
	}
	stories := make([]Story, 0, len(roots))
	for _, r := range roots {
		arts := groups[r]
		sort.SliceStable(arts, func(i, j int) bool { return articleTime(arts[i]).Before(articleTime(arts[j])) })
		st := Story{Title: nlp.OneLine(arts[0].Title, 200), Line: leadSentence(arts[0])}
		for _, a := range arts {
			if t := articleTime(a); t.After(st.Latest) {
				st.Latest = t
			}
			a.Text = "" // stories name their sources without carrying them
			st.Articles = append(st.Articles, a)
		}
		if st.Title == "" {
			st.Title = st.Articles[0].URL
		}
		stories = append(stories, st)
	}
	sort.SliceStable(stories, func(i, j int) bool {
		pi, pj := stories[i].Publishers(), stories[j].Publishers()
		if pi != pj {
			return pi > pj
		}
		if !stories[i].Latest.Equal(stories[j].Latest) {
			return stories[i].Latest.After(stories[j].Latest)
		}
		return stories[i].Title < stories[j].Title
	})
	for i := range stories {
		stories[i].N = i + 1
	}
	return stories
}

// SameStory decides from the cosine similarity of two articles' embeddings
// and the Dice overlap of their titles' terms whether they report the same
// story.
func SameStory(cos, titleDice float64) bool {
	return cos >= storyCosineAlone || cos >= storyCosine && titleDice >= storyTitle
}

// articleTime is when an article appeared: its publication date, else its
// ingestion time.
func articleTime(a rag.Article) time.Time {
	if !a.Published.IsZero() {
		return a.Published
	}
	return a.IngestedAt
}

// cosine is the cosine similarity of two vectors (0 when either is zero
// or their lengths differ).
func cosine(a, b []float32) float64 {
	if len(a) != len(b) || len(a) == 0 {
		return 0
	}
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}

// leadSentence is the first sentence of a's text that says more than the
// title, between 40 and 300 characters, or "".
func leadSentence(a rag.Article) string {
	title := nlp.NewTermSet(a.Title)
	for i, sp := range nlp.Sentences(a.Text) {
		if i >= 8 {
			break
		}
		s := a.Text[sp.Start:sp.End]
		n := utf8.RuneCountInString(s)
		if strings.HasPrefix(s, rag.HeadingPrefix) || n < 40 || n > 300 {
			continue
		}
		terms := nlp.NewTermSet(s)
		if len(terms) > 0 && terms.Coverage(title) > 0.8 {
			continue
		}
		return nlp.Collapse(s)
	}
	return ""
}
