package ingest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/dalil-news/dalil/nlp"
	"github.com/dalil-news/dalil/rag"
)

// DefaultMaxLine is the longest JSONL line ReadJSONL accepts when maxLine
// is not positive.
const DefaultMaxLine = 4 << 20

// jsonlArticle is one line of a JSONL archive.
type jsonlArticle struct {
	Title     string `json:"title"`
	URL       string `json:"url"`
	Publisher string `json:"publisher"`
	Published string `json:"published"`
	Lang      string `json:"lang"`
	Text      string `json:"text"`
}

// ReadJSONL reads one article a line ({"title","url","publisher",
// "published","lang","text"}; published is empty, a date 2006-01-02 or
// RFC 3339) and calls fn for each non-blank line with its 1-based number
// and either the article or the reason the line is bad (invalid JSON,
// missing text, a line longer than maxLine bytes, a bad date or URL).
// Reading goes on after a bad line; it stops when fn returns an error,
// which ReadJSONL returns, or when ctx is done. The text is cleaned lightly:
// white space normalized, one paragraph a line. URLs are canonicalized,
// a missing lang is detected.
func ReadJSONL(ctx context.Context, r io.Reader, maxLine int, fn func(line int, a rag.Article, err error) error) error {
	if maxLine <= 0 {
		maxLine = DefaultMaxLine
	}
	return scanLines(ctx, r, maxLine, func(n int, line []byte, tooLong bool) error {
		if tooLong {
			return fn(n, rag.Article{}, fmt.Errorf("line %d: longer than %d bytes", n, maxLine))
		}
		a, err := parseJSONLine(line)
		if err != nil {
			err = fmt.Errorf("line %d: %w", n, err)
		}
		return fn(n, a, err)
	})
}

// scanLines calls fn for each non-blank line of r (maxLine 0:
// DefaultMaxLine) with its 1-based number, until fn returns an error,
// which it returns, or ctx is done.
func scanLines(ctx context.Context, r io.Reader, maxLine int, fn func(n int, line []byte, tooLong bool) error) error {
	if maxLine <= 0 {
		maxLine = DefaultMaxLine
	}
	br := bufio.NewReaderSize(r, 64<<10)
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("read jsonl line %d: %w", n, err)
		}
		line, tooLong, err := readLine(br, maxLine)
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read jsonl line %d: %w", n, err)
		}
		eof := errors.Is(err, io.EOF)
		if eof && len(line) == 0 && !tooLong {
			return nil
		}
		if tooLong || len(bytes.TrimSpace(line)) > 0 {
			if err := fn(n, line, tooLong); err != nil {
				return err
			}
		}
		if eof {
			return nil
		}
	}
}

// readLine reads one line without its end. A line longer than max is
// consumed and reported with tooLong, its content dropped.
func readLine(br *bufio.Reader, max int) (line []byte, tooLong bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(chunk) > max+1 { // +1: the newline
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		line = bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
		if !tooLong && len(line) > max {
			tooLong, line = true, nil
		}
		return line, tooLong, err
	}
}

func parseJSONLine(line []byte) (rag.Article, error) {
	var j jsonlArticle
	if err := json.Unmarshal(line, &j); err != nil {
		return rag.Article{}, fmt.Errorf("invalid JSON: %w", err)
	}
	u, published, err := j.fields()
	if err != nil {
		return rag.Article{}, err
	}
	a := rag.Article{
		URL:       u,
		Title:     normalizeSpace(j.Title),
		Publisher: normalizeSpace(j.Publisher),
		Text:      cleanLightly(j.Text),
		Published: published,
	}
	if a.Text == "" {
		return rag.Article{}, fmt.Errorf("missing text: %w", rag.ErrEmptyInput)
	}
	if a.Lang = nlp.NormalizeLang(j.Lang); a.Lang == "" {
		a.Lang = nlp.DetectLang(a.Title + "\n" + a.Text)
	}
	a.ContentHash = ContentHash(a.Text)
	return a, nil
}

// fields checks the line's text, URL and date, and returns its canonical
// URL ("" when it has none) and publication date.
func (j jsonlArticle) fields() (u string, published time.Time, err error) {
	if strings.TrimSpace(j.Text) == "" {
		return "", time.Time{}, fmt.Errorf("missing text: %w", rag.ErrEmptyInput)
	}
	if j.URL != "" {
		if u, err = CanonicalURL(j.URL); err != nil {
			return "", time.Time{}, fmt.Errorf("bad url: %w", err)
		}
	}
	if p := strings.TrimSpace(j.Published); p != "" {
		published, err = time.Parse(time.RFC3339, p)
		if err != nil {
			published, err = time.Parse(time.DateOnly, p)
		}
		if err != nil {
			return "", time.Time{}, fmt.Errorf("bad published date %q (want 2006-01-02 or RFC 3339)", p)
		}
	}
	return u, published, nil
}

// cleanLightly normalizes white space and makes every non-empty line a
// paragraph.
func cleanLightly(s string) string {
	var paras []string
	for _, l := range splitLines(s) {
		if l = normalizeSpace(l); l != "" {
			paras = append(paras, l)
		}
	}
	return strings.Join(paras, "\n\n")
}

// lastLines maps each URL of the JSONL archives at paths to its last line,
// "PATH:LINE", in input order: that line wins over the URL's earlier ones.
// Lines that are no article (bad JSON, no text, a bad date) are left out,
// so that they supersede nothing; reading them again reports them.
func lastLines(ctx context.Context, paths []string) map[string]string {
	last := map[string]string{}
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			continue
		}
		_ = scanLines(ctx, f, 0, func(n int, line []byte, tooLong bool) error {
			var j jsonlArticle
			if tooLong || json.Unmarshal(line, &j) != nil {
				return nil
			}
			if u, _, err := j.fields(); err == nil && u != "" {
				last[u] = fmt.Sprintf("%s:%d", path, n)
			}
			return nil
		})
		f.Close()
	}
	return last
}
