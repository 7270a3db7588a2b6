package feeds

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/dalil-news/dalil/rag"
)

// Listed is a feed as 'dalil feeds list --json' prints it: with its
// interval as a duration ("30m0s", as --interval takes it) and in seconds,
// and its health.
type Listed struct {
	rag.Feed
	Interval        string         `json:"interval"`
	IntervalSeconds int64          `json:"interval_seconds"`
	Health          rag.FeedHealth `json:"health"`
}

// Listing lists fl for JSON output; maxFailures makes a feed unhealthy.
func Listing(fl []rag.Feed, maxFailures int) []Listed {
	out := make([]Listed, len(fl))
	for i, f := range fl {
		out[i] = Listed{f, f.Interval.String(), int64(f.Interval / time.Second), f.Health(maxFailures)}
	}
	return out
}

// WriteTable prints feeds as 'dalil feeds list' does: one row a feed with
// its health (maxFailures makes a feed unhealthy), failures, items, last
// success and next poll (written by formatTime), URL and last error; a
// hint to add one when there are none.
func WriteTable(w io.Writer, fl []rag.Feed, maxFailures int, formatTime func(time.Time) string) error {
	if len(fl) == 0 {
		_, err := fmt.Fprintln(w, "no feeds; add one with 'dalil feeds add URL'")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tHEALTH\tFAILURES\tITEMS\tLAST OK\tNEXT POLL\tURL\tLAST ERROR")
	for _, f := range fl {
		fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%s\t%s\t%s\t%s\n", f.ID, f.Health(maxFailures), f.Failures, f.Items,
			formatTime(f.LastOK), formatTime(f.NextPoll), f.URL, f.LastError)
	}
	return tw.Flush()
}
