package admin

import (
	"context"
	"time"

	"github.com/dalil-news/dalil/insights"
)

// Reporter returns the insights report of a period;
// (*insights.Service).Report is one.
type Reporter func(ctx context.Context, p insights.Period) (insights.Report, error)

// NewSource returns the page's Source: the records of rec and the report
// of report, its days read in loc (DALIL_TIMEZONE; nil: UTC), so that the
// page shows what `dalil report` and /stats show.
func NewSource(rec Records, report Reporter, loc *time.Location) Source {
	if loc == nil {
		loc = time.UTC
	}
	return source{Records: rec, report: report, loc: loc}
}

type source struct {
	Records
	report Reporter
	loc    *time.Location
}

// Report implements Source: the insights report from since to now.
func (s source) Report(ctx context.Context, since time.Time) (Report, error) {
	r, err := s.report(ctx, insights.Period{From: since, To: time.Now()})
	if err != nil {
		return Report{}, err
	}
	return reportView(r, s.loc), nil
}

// reportView is the page's view of an insights report: the days with
// questions, the unanswered topics and the articles cited most.
func reportView(r insights.Report, loc *time.Location) Report {
	v := Report{
		Asked: r.Asked, NotFound: r.NotFound,
		LatencyP50: time.Duration(r.LatencyP50ms) * time.Millisecond, LatencyP95: time.Duration(r.LatencyP95ms) * time.Millisecond,
	}
	for _, d := range r.Days {
		if date, err := time.ParseInLocation(time.DateOnly, d.Date, loc); err == nil && d.Asked > 0 {
			v.Days = append(v.Days, Day{Date: date, Asked: d.Asked, NotFound: d.NotFound})
		}
	}
	for _, t := range r.Unanswered {
		v.Unanswered = append(v.Unanswered, Topic{Question: t.Question, Count: t.Count, Langs: t.Langs})
	}
	for _, a := range r.TopArticles {
		v.Articles = append(v.Articles, ArticleCount{Title: a.Title, URL: a.URL, Count: a.Answers})
	}
	return v
}
