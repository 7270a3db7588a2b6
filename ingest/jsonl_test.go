package ingest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/dalil-news/dalil/rag"
)

// lineResult is what ReadJSONL reported for one line.
type lineResult struct {
	Line    int
	Article rag.Article
	Err     string
}

func readAll(t *testing.T, in string, maxLine int) []lineResult {
	t.Helper()
	var got []lineResult
	err := ReadJSONL(t.Context(), strings.NewReader(in), maxLine, func(line int, a rag.Article, err error) error {
		r := lineResult{Line: line, Article: a}
		if err != nil {
			r.Err = err.Error()
		}
		got = append(got, r)
		return nil
	})
	if err != nil {
		t.Fatalf("ReadJSONL: %v", err)
	}
	return got
}

func TestReadJSONL(t *testing.T) {
	long := `{"text":"` + strings.Repeat("x", 300) + `"}`
	in := strings.Join([]string{
		`{"title":"Rates rise","url":"https://Example.com/rates/?utm_source=feed","publisher":"The Daily","published":"2023-10-24","lang":"en","text":"The bank  raised rates.\nIt was expected.\n\n\n## Next\nMore later."}`,
		`{"title":"Sans date","text":"Le gouvernement a présenté mardi un projet de loi sur l'eau.","published":""}`,
		``,
		`{"title":"RFC 3339","text":"x","published":"2023-10-24T09:30:00+02:00","lang":"fr-FR"}`,
		`{"title":"bad date","text":"x","published":"24/10/2023"}`,
		`not json`,
		`{"title":"no text"}`,
		`{"title":"blank text","text":"  \n "}`,
		long,
		`{"title":"bad url","text":"x","url":"ftp://example.com"}`,
		`{"title":"wrong type","text":42}`,
		"{\"title\":\"crlf\",\"text\":\"y\"}\r",
		`{"title":"last line without newline","text":"z"}`,
	}, "\n")
	got := readAll(t, in, 260)
	art := func(a rag.Article) rag.Article {
		a.ContentHash = ContentHash(a.Text)
		return a
	}
	want := []lineResult{
		{Line: 1, Article: art(rag.Article{Title: "Rates rise", URL: "https://example.com/rates", Publisher: "The Daily", Published: time.Date(2023, 10, 24, 0, 0, 0, 0, time.UTC), Lang: "en", Text: "The bank raised rates.\n\nIt was expected.\n\n## Next\n\nMore later."})},
		{Line: 2, Article: art(rag.Article{Title: "Sans date", Lang: "fr", Text: "Le gouvernement a présenté mardi un projet de loi sur l'eau."})},
		{Line: 4, Article: art(rag.Article{Title: "RFC 3339", Published: time.Date(2023, 10, 24, 9, 30, 0, 0, time.FixedZone("", 2*3600)), Lang: "fr", Text: "x"})},
		{Line: 5, Err: `line 5: bad published date "24/10/2023" (want 2006-01-02 or RFC 3339)`},
		{Line: 6, Err: "line 6: invalid JSON: invalid character 'o' in literal null (expecting 'u')"},
		{Line: 7, Err: "line 7: missing text: empty input"},
		{Line: 8, Err: "line 8: missing text: empty input"},
		{Line: 9, Err: "line 9: longer than 260 bytes"},
		{Line: 10, Err: `line 10: bad url: canonical URL "ftp://example.com": scheme must be http or https`},
		{Line: 11, Err: "line 11: invalid JSON: json: cannot unmarshal number into Go struct field jsonlArticle.text of type string"},
		{Line: 12, Article: art(rag.Article{Title: "crlf", Text: "y"})},
		{Line: 13, Article: art(rag.Article{Title: "last line without newline", Text: "z"})},
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("ReadJSONL (-want +got):\n%s", diff)
	}
}

func TestReadJSONLLongLinesAcrossBuffers(t *testing.T) {
	// Lines longer than the reader's internal buffer (64 KiB).
	big := `{"text":"` + strings.Repeat("a", 200<<10) + `"}`
	got := readAll(t, big+"\n"+`{"text":"ok"}`+"\n"+big, 100<<10)
	var errs []string
	for _, r := range got {
		errs = append(errs, fmt.Sprintf("%d:%s", r.Line, r.Err))
	}
	want := []string{"1:line 1: longer than 102400 bytes", "2:", "3:line 3: longer than 102400 bytes"}
	if diff := cmp.Diff(want, errs); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	if got := readAll(t, big, 300<<10); len(got) != 1 || got[0].Err != "" || len(got[0].Article.Text) != 200<<10 {
		t.Errorf("a long line under the limit was not read whole")
	}
}

func TestReadJSONLStops(t *testing.T) {
	in := `{"text":"a"}` + "\n" + `{"text":"b"}` + "\n"
	stop := errors.New("stop")
	calls := 0
	err := ReadJSONL(t.Context(), strings.NewReader(in), 0, func(int, rag.Article, error) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("ReadJSONL = %v after %d calls, want the callback's error after 1 call", err, calls)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err = ReadJSONL(ctx, strings.NewReader(in), 0, func(int, rag.Article, error) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("ReadJSONL with a canceled context = %v, want context.Canceled", err)
	}
}

func FuzzReadJSONL(f *testing.F) {
	f.Add(`{"title":"t","url":"https://example.com/a","published":"2023-10-24","lang":"fr","text":"Le texte.\nSuite."}` + "\n\nnot json\n{\"text\":\"x\"}")
	f.Add("\r\n\r\n{\"text\":\"\\u0000\"}")
	f.Add(`{"published":"2023-10-24T09:30:00Z","text":"a\u00a0b"}`)
	f.Fuzz(func(t *testing.T, in string) {
		last := 0
		err := ReadJSONL(context.Background(), strings.NewReader(in), 256, func(line int, a rag.Article, err error) error {
			if line <= last {
				t.Fatalf("line %d reported after line %d", line, last)
			}
			last = line
			if err != nil {
				if !strings.HasPrefix(err.Error(), fmt.Sprintf("line %d: ", line)) {
					t.Fatalf("error %q does not name line %d", err, line)
				}
				return nil
			}
			if a.Text == "" || a.ContentHash != ContentHash(a.Text) {
				t.Fatalf("line %d: article without text or with a wrong hash: %+v", line, a)
			}
			if !utf8.ValidString(a.Text) || strings.Contains(a.Text, "\n\n\n") || a.Text != strings.TrimSpace(a.Text) {
				t.Fatalf("line %d: badly cleaned text %q", line, a.Text)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("ReadJSONL: %v", err)
		}
		if n := strings.Count(in, "\n") + 1; last > n {
			t.Fatalf("line %d reported for %d lines", last, n)
		}
	})
}
