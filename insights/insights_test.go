package insights

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestAllDays(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, paris) }
	dates := func(days []Day) []string {
		var out []string
		for _, d := range days {
			out = append(out, d.Date)
		}
		return out
	}
	tests := []struct {
		name string
		p    Period
		want []string
	}{
		{"within a day", Period{at(2024, 5, 1, 9), at(2024, 5, 1, 17)}, []string{"2024-05-01"}},
		{"ends at midnight", Period{at(2024, 5, 1, 9), at(2024, 5, 3, 0)}, []string{"2024-05-01", "2024-05-02"}},
		{"over summer time", Period{at(2024, 3, 30, 12), at(2024, 4, 1, 12)}, []string{"2024-03-30", "2024-03-31", "2024-04-01"}},
		{"over the year's end", Period{at(2023, 12, 31, 23), at(2024, 1, 1, 1)}, []string{"2023-12-31", "2024-01-01"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := cmp.Diff(tt.want, dates(allDays(tt.p, paris, nil))); d != "" {
				t.Errorf("days (-want +got):\n%s", d)
			}
		})
	}
	got := allDays(Period{at(2024, 5, 1, 9), at(2024, 5, 3, 9)}, paris, []Day{{Date: "2024-05-02", Asked: 3, Answered: 1, NotFound: 2}})
	want := []Day{{Date: "2024-05-01"}, {Date: "2024-05-02", Asked: 3, Answered: 1, NotFound: 2}, {Date: "2024-05-03"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("days with counts (-want +got):\n%s", d)
	}
}

func TestReportPeriod(t *testing.T) {
	now := time.Now()
	svc := New(nil, Config{}) // a bad period is refused before the store is read
	for _, p := range []Period{
		{To: now},
		{From: now, To: now},
		{From: now, To: now.Add(-time.Hour)},
		{From: now.AddDate(-4, 0, 0), To: now},
	} {
		if _, err := svc.Report(context.Background(), p); !errors.Is(err, ErrPeriod) {
			t.Errorf("Report(%v – %v) = %v, want ErrPeriod", p.From, p.To, err)
		}
	}
}

func TestAnsweredShare(t *testing.T) {
	if got := (Report{}).AnsweredShare(); got != 0 {
		t.Errorf("no questions: %v, want 0", got)
	}
	if got := (Report{Asked: 4, Answered: 3}).AnsweredShare(); got != 0.75 {
		t.Errorf("3 of 4: %v, want 0.75", got)
	}
}
