package insights

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dalil-news/dalil/nlp"
	"github.com/dalil-news/dalil/rag"
)

// WriteText prints r for a terminal, as `dalil report` does: the figures,
// the days, the unanswered topics, the most cited articles and the
// disliked answers, each section left out when empty. Members' text is
// printed on one line each, cut, without control characters (terminal
// escapes) or bidirectional overrides, so that it cannot disguise
// itself or the output around it.
func WriteText(w io.Writer, r Report) error {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 4, 2, ' ', 0)
	const stamp = "2006-01-02 15:04"
	fmt.Fprintf(tw, "Questions from %s to %s (%s)\n", r.From.Format(stamp), r.To.Format(stamp), r.TimeZone)
	if r.Asked == 0 {
		fmt.Fprintln(tw, "no questions in this period")
	} else {
		fmt.Fprintf(tw, "asked\t%d\n", r.Asked)
		fmt.Fprintf(tw, "answered\t%d (%.0f%%)\n", r.Answered, 100*r.AnsweredShare())
		fmt.Fprintf(tw, "not found\t%d\n", r.NotFound)
		fmt.Fprintf(tw, "members\t%d (who asked)\n", r.Members)
		fmt.Fprintf(tw, "latency\tp50 %s, p95 %s\n", FormatMillis(r.LatencyP50ms), FormatMillis(r.LatencyP95ms))
	}
	fmt.Fprintf(tw, "votes\t%d 👍, %d 👎\n", r.VotesUp, r.VotesDown)
	if r.Asked > 0 {
		fmt.Fprint(tw, "\nDAY\tASKED\tANSWERED\tNOT FOUND\n")
		for _, d := range r.Days {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\n", d.Date, d.Asked, d.Answered, d.NotFound)
		}
	}
	if len(r.Unanswered) > 0 {
		fmt.Fprint(tw, "\nUnanswered questions, by topic (near-duplicates merged)\nCOUNT\tLANGS\tQUESTION\n")
		for _, t := range r.Unanswered {
			fmt.Fprintf(tw, "%d\t%s\t%s\n", t.Count, orDash(strings.Join(t.Langs, " ")), oneLine(t.Question, 120))
			for _, v := range t.Variants {
				fmt.Fprintf(tw, "\t\t  also: %s\n", oneLine(v, 112))
			}
		}
	}
	if len(r.TopArticles) > 0 {
		fmt.Fprint(tw, "\nMost cited articles\nANSWERS\tARTICLE\n")
		for _, a := range r.TopArticles {
			fmt.Fprintf(tw, "%d\t%s\n", a.Answers, sourceLine(a.Source))
		}
	}
	tw.Flush() // into buf: cannot fail
	if len(r.Disliked) > 0 {
		fmt.Fprint(&buf, "\nDisliked answers (👎), latest first\n")
		for _, v := range r.Disliked {
			found := "found"
			if !v.Found {
				found = "not found"
			}
			fmt.Fprintf(&buf, "👎 %d 👍 %d  %s  %s  %s\n", v.Down, v.Up, v.LastVote.In(r.From.Location()).Format(stamp), orDash(v.Lang), found)
			fmt.Fprintf(&buf, "  Q: %s\n  A: %s\n", orDash(oneLine(v.Question, 200)), oneLine(v.Answer, 300))
			for _, c := range v.Citations {
				fmt.Fprintf(&buf, "  [%d] %s\n", c.N, sourceLine(c))
			}
		}
	}
	fmt.Fprintf(&buf, "\nMembers appear only as keyed hashes. %s\n", retentionNote(r.RetentionSeconds))
	_, err := w.Write(buf.Bytes())
	return err
}

// oneLine is s for one line of a terminal: white space collapsed, control
// characters (terminal escapes) and bidirectional embeddings, overrides
// and isolates dropped, cut to n characters.
func oneLine(s string, n int) string {
	return nlp.OneLine(strings.Map(func(r rune) rune {
		switch {
		case r == '\n', r == '\t', r == '\r':
			return ' '
		case r < 0x20, 0x7f <= r && r < 0xa0, 0x202a <= r && r <= 0x202e, 0x2066 <= r && r <= 0x2069:
			return -1
		}
		return r
	}, s), n)
}

// sourceLine is "Title — Publisher, 2023-10-24 · URL", as the other
// commands show sources.
func sourceLine(s Source) string {
	var meta []string
	for _, m := range []string{oneLine(s.Publisher, 60), s.Published} {
		if m != "" {
			meta = append(meta, m)
		}
	}
	rest := strings.Join(meta, ", ")
	if s.URL != "" {
		if rest != "" {
			rest += " · "
		}
		rest += oneLine(s.URL, 300)
	}
	return oneLine(s.Title, 100) + " — " + rest
}

// WriteVotes prints votes for review, newest first as given, the way
// `dalil feedback` lists them: the vote, its time in loc, the voter's
// keyed hash (its first 12 characters), the message, then the question,
// the answer and its sources, members' text made safe as by oneLine.
func WriteVotes(w io.Writer, votes []rag.Feedback, loc *time.Location) error {
	var buf bytes.Buffer
	for i, v := range votes {
		if i > 0 {
			buf.WriteString("\n")
		}
		mark := "👍"
		if v.Vote < 0 {
			mark = "👎"
		}
		fmt.Fprintf(&buf, "%s %s  member %.12s  message %s\n", mark, v.CreatedAt.In(loc).Format("2006-01-02 15:04"), v.MemberHash, oneLine(v.MessageID, 30))
		fmt.Fprintf(&buf, "  Q: %s\n  A: %s\n", oneLine(v.Question, 200), oneLine(v.Answer, 300))
		for _, c := range v.Citations {
			fmt.Fprintf(&buf, "  [%d] %s\n", c.N, sourceLine(SourceOf(c)))
		}
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// retentionNote says how far back reports can reach.
func retentionNote(seconds int64) string {
	if seconds <= 0 {
		return "Answers and votes are kept until deleted (ANSWERS_RETENTION=0)."
	}
	d := time.Duration(seconds) * time.Second
	kept := d.String()
	if d%(24*time.Hour) == 0 && d > 24*time.Hour {
		kept = fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return "Answers and votes are kept " + kept + " (ANSWERS_RETENTION): no report reaches further back."
}

// FormatMillis writes a latency in milliseconds for people: "850 ms",
// "1.2 s".
func FormatMillis(ms int64) string {
	if ms < 1000 {
		return fmt.Sprintf("%d ms", ms)
	}
	return fmt.Sprintf("%.1f s", float64(ms)/1000)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
