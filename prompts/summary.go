package prompts

import (
	"fmt"
	"strings"
)

// SummaryInput is what Summary needs to summarize one article, or one part
// of a long article in a map-reduce summary.
type SummaryInput struct {
	// Lang is the language of the summary: "fr", "en", "ar", or "" for the
	// article's language.
	Lang string
	// Article is the article (its N is ignored: it is cited as [1]).
	Article Source
	// Part and Parts number this text when it is one part of a long article
	// (1-based); 0 and 0 when Article.Text is the whole article.
	Part, Parts int
}

// SummaryCombineInput is what SummaryCombine needs to merge the summaries of
// an article's parts into one.
type SummaryCombineInput struct {
	// Lang is the language of the summary: "fr", "en", "ar", or "" for the
	// article's language.
	Lang string
	// Article is the article; its Text and N are ignored.
	Article Source
	// Partials are the summaries of the article's parts, in order.
	Partials []string
}

// summaryData is the view the summary templates render.
type summaryData struct {
	SummaryInput
	Language string
}

// summaryCombineData is the view the summary_combine templates render.
type summaryCombineData struct {
	SummaryCombineInput
	Language string
}

// Summary renders the messages asking a model for 3 to 5 bullets that
// summarize in.Article (or one part of it), each citing [1], with the
// article fenced as untrusted data.
func Summary(in SummaryInput) ([]Message, error) {
	if strings.TrimSpace(in.Article.Text) == "" {
		return nil, fmt.Errorf("summary prompt: article %q has no text: %w", in.Article.Title, ErrEmptyInput)
	}
	if in.Part < 0 || in.Parts < 0 || in.Part > in.Parts || (in.Parts > 0) != (in.Part > 0) {
		return nil, fmt.Errorf("summary prompt: part %d of %d is not a valid part number", in.Part, in.Parts)
	}
	in.Article.N = 1
	msgs, err := render("summary", summaryData{SummaryInput: in, Language: languageName(in.Lang)}, nil)
	if err != nil {
		return nil, fmt.Errorf("summary prompt: %w", err)
	}
	return msgs, nil
}

// SummaryCombine renders the messages asking a model to merge the summaries
// of an article's parts into 3 to 5 bullets, each citing [1], with the
// partial summaries fenced as untrusted data.
func SummaryCombine(in SummaryCombineInput) ([]Message, error) {
	if len(in.Partials) == 0 {
		return nil, fmt.Errorf("summary combine prompt: article %q has no partial summaries: %w", in.Article.Title, ErrEmptyInput)
	}
	for i, p := range in.Partials {
		if strings.TrimSpace(p) == "" {
			return nil, fmt.Errorf("summary combine prompt: partial summary %d is empty: %w", i+1, ErrEmptyInput)
		}
	}
	msgs, err := render("summary_combine", summaryCombineData{SummaryCombineInput: in, Language: languageName(in.Lang)}, nil)
	if err != nil {
		return nil, fmt.Errorf("summary combine prompt: %w", err)
	}
	return msgs, nil
}
