package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/dalil-news/dalil/internal/cliflags"
	"github.com/dalil-news/dalil/nlp"
	"github.com/dalil-news/dalil/rag"
)

// jsonArticle is an article as the CLI's JSON output shows it.
type jsonArticle struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	URL       string `json:"url"`
	Publisher string `json:"publisher"`
	Published string `json:"published"`
	Lang      string `json:"lang"`
}

func toJSONArticle(a rag.Article) jsonArticle {
	return jsonArticle{ID: strconv.FormatInt(a.ID, 10), Title: a.Title, URL: a.URL, Publisher: a.Publisher, Published: dateOf(a), Lang: a.Lang}
}

// dateOf formats an article's publication date, "" when unknown.
func dateOf(a rag.Article) string {
	if a.Published.IsZero() {
		return ""
	}
	return a.Published.Format("2006-01-02")
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// parseQuestion parses the flags and returns the question: the positional
// arguments joined, which must not be empty.
func parseQuestion(fs *flag.FlagSet, args []string) (string, error) {
	pos, err := cliflags.Parse(fs, args)
	if err != nil {
		return "", err
	}
	q := strings.TrimSpace(strings.Join(pos, " "))
	if q == "" {
		return "", cliflags.UsageError(fs, "%s: give a question", fs.Name())
	}
	return q, nil
}

func cmdSearch(ctx context.Context, a *app, args []string) error {
	fs := cliflags.New(a.stdout, "search", "[--k N] [--json] QUESTION\n\nPrints the passages that best match QUESTION, best first.")
	k := fs.Int("k", a.cfg.SearchK, "number of passages")
	asJSON := fs.Bool("json", false, "print JSON")
	q, err := parseQuestion(fs, args)
	if err != nil {
		return err
	}
	if *k < 1 {
		return cliflags.UsageError(fs, "search: --k %d: want 1 or more", *k)
	}
	if err := a.open(ctx); err != nil {
		return err
	}
	ps, err := a.rag.Search(ctx, q, rag.SearchOptions{K: *k})
	if err != nil {
		return err
	}
	if *asJSON {
		type result struct {
			Rank    int         `json:"rank"`
			Score   float64     `json:"score"`
			ChunkID string      `json:"chunk_id"`
			Text    string      `json:"text"`
			Article jsonArticle `json:"article"`
		}
		out := struct {
			Results []result `json:"results"`
		}{Results: []result{}}
		for i, p := range ps {
			out.Results = append(out.Results, result{i + 1, p.Score, strconv.FormatInt(p.Chunk.ID, 10), p.Chunk.Text, toJSONArticle(p.Article)})
		}
		return writeJSON(a.stdout, out)
	}
	if len(ps) == 0 {
		fmt.Fprintln(a.stdout, "no passages found")
	}
	for i, p := range ps {
		fmt.Fprintf(a.stdout, "%d. %.4f  %s — %s\n   %s\n\n", i+1, p.Score, p.Article.Title, sourceLine(p.Article), nlp.OneLine(p.Chunk.Text, 240))
	}
	return nil
}

// sourceLine is "publisher, date · url" for an article.
func sourceLine(a rag.Article) string {
	var parts []string
	if a.Publisher != "" {
		parts = append(parts, a.Publisher)
	}
	if d := dateOf(a); d != "" {
		parts = append(parts, d)
	}
	s := strings.Join(parts, ", ")
	if a.URL != "" {
		if s != "" {
			s += " · "
		}
		s += a.URL
	}
	return s
}

func cmdAsk(ctx context.Context, a *app, args []string) error {
	fs := cliflags.New(a.stdout, "ask", "[--json] [--mode llm|extractive] QUESTION\n\nAnswers QUESTION from the archive, citing its sources.\nThe mode defaults to llm when CHAT_MODEL is set, extractive otherwise.")
	asJSON := fs.Bool("json", false, "print JSON")
	mode := fs.String("mode", "", "llm or extractive")
	q, err := parseQuestion(fs, args)
	if err != nil {
		return err
	}
	if *mode != "" && *mode != rag.ModeLLM && *mode != rag.ModeExtractive {
		return fmt.Errorf("ask: --mode %q: want llm or extractive", *mode)
	}
	if err := a.open(ctx); err != nil {
		return err
	}
	ans, err := a.rag.Ask(ctx, rag.Question{Text: q, Mode: *mode})
	if err != nil {
		return err
	}
	if *asJSON {
		type citation struct {
			N       int         `json:"n"`
			Article jsonArticle `json:"article"`
			Quote   string      `json:"quote"`
		}
		out := struct {
			Question  string     `json:"question"`
			Found     bool       `json:"found"`
			Answer    string     `json:"answer"`
			Citations []citation `json:"citations"`
			Mode      string     `json:"mode"`
			Note      string     `json:"note,omitempty"`
			Usage     rag.Usage  `json:"usage"`
		}{Question: ans.Question, Found: ans.Found, Answer: ans.Text, Citations: []citation{}, Mode: ans.Mode, Note: ans.Note, Usage: ans.Usage}
		for _, c := range ans.Citations {
			out.Citations = append(out.Citations, citation{c.N, toJSONArticle(c.Article), c.Quote})
		}
		return writeJSON(a.stdout, out)
	}
	fmt.Fprintln(a.stdout, ans.Text)
	if ans.Note != "" {
		fmt.Fprintf(a.stdout, "\n(%s)\n", ans.Note)
	}
	if len(ans.Citations) > 0 {
		fmt.Fprintln(a.stdout, "\nSources:")
		for _, c := range ans.Citations {
			fmt.Fprintf(a.stdout, "[%d] %s — %s\n", c.N, c.Article.Title, sourceLine(c.Article))
		}
	}
	return nil
}
