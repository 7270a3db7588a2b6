package feeds_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dalil-news/dalil/feeds"
	"github.com/dalil-news/dalil/rag"
)

func TestWriteTable(t *testing.T) {
	ok := time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)
	format := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.Format("01-02 15:04")
	}
	tests := []struct {
		name string
		fl   []rag.Feed
		want string
	}{
		{"none", nil, "no feeds; add one with 'dalil feeds add URL'\n"},
		{"two", []rag.Feed{
			{ID: 1, URL: "https://a.example/rss", Items: 12, LastOK: ok, NextPoll: ok.Add(time.Hour)},
			{ID: 2, URL: "https://b.example/atom", Failures: 5, LastError: "HTTP 500"},
		}, "" +
			"ID  HEALTH     FAILURES  ITEMS  LAST OK      NEXT POLL    URL                     LAST ERROR\n" +
			"1   ok         0         12     05-01 08:00  05-01 09:00  https://a.example/rss   \n" +
			"2   unhealthy  5         0      -            -            https://b.example/atom  HTTP 500\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := feeds.WriteTable(&buf, tt.fl, 5, format); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, buf.String()); d != "" {
				t.Errorf("WriteTable (-want +got):\n%s", d)
			}
		})
	}
}
