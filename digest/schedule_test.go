package digest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/dalil-news/dalil/digest"
)

func parseSchedule(spec string) (digest.Schedule, error) { return cron.ParseStandard(spec) }

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestCronSpec(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{in: "", want: "0 8 * * *"},
		{in: "08:00", want: "0 8 * * *"},
		{in: "7h30", want: "30 7 * * *"},
		{in: " 0  8 * * 1-5 ", want: "0 8 * * 1-5"},
		{in: "@daily", want: "@daily"},
		{in: "25:00", err: "want a time of day"},
		{in: "CRON_TZ=Europe/Paris 0 8 * * *", err: "time zone separately"},
		{in: "tomorrow", err: "want a time of day"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := digest.CronSpec(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("CronSpec(%q) = %q, %v; want error with %q", tt.in, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("CronSpec(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

// TestLatestDue checks the schedule across time zones and DST changes:
// Casablanca leaves UTC+1 for UTC+0 during Ramadan (2024-03-10 to
// 2024-04-14), Paris springs forward on 2024-03-31, New York on 2024-03-10
// (02:30 does not exist that day).
func TestLatestDue(t *testing.T) {
	tests := []struct {
		name, spec, tz string
		after, now     string
		want           string // "" when nothing is due
	}{
		{"casablanca before ramadan", "0 8 * * *", "Africa/Casablanca", "2024-03-08T12:00:00Z", "2024-03-09T09:00:00Z", "2024-03-09T07:00:00Z"},
		{"casablanca during ramadan", "0 8 * * *", "Africa/Casablanca", "2024-03-19T12:00:00Z", "2024-03-20T09:00:00Z", "2024-03-20T08:00:00Z"},
		{"casablanca not yet", "0 8 * * *", "Africa/Casablanca", "2024-03-20T08:00:00Z", "2024-03-21T07:59:00Z", ""},
		{"paris winter", "0 8 * * *", "Europe/Paris", "2024-03-29T12:00:00Z", "2024-03-30T12:00:00Z", "2024-03-30T07:00:00Z"},
		{"paris spring forward", "0 8 * * *", "Europe/Paris", "2024-03-30T12:00:00Z", "2024-03-31T12:00:00Z", "2024-03-31T06:00:00Z"},
		{"new york missing hour", "30 2 * * *", "America/New_York", "2024-03-09T12:00:00Z", "2024-03-10T12:00:00Z", ""},
		{"new york fall back fires once", "30 1 * * *", "America/New_York", "2024-11-03T04:00:00Z", "2024-11-03T12:00:00Z", "2024-11-03T05:30:00Z"},
		{"new york repeated hour after the first", "30 1 * * *", "America/New_York", "2024-11-03T05:30:00Z", "2024-11-03T12:00:00Z", ""},
		{"tokyo weekdays on saturday", "0 8 * * 1-5", "Asia/Tokyo", "2024-03-10T00:00:00Z", "2024-03-16T03:00:00Z", "2024-03-14T23:00:00Z"},
		{"latest of several missed", "0 8 * * *", "UTC", "2024-03-01T09:00:00Z", "2024-03-05T09:00:00Z", "2024-03-05T08:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sched, err := parseSchedule(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			after, _ := time.Parse(time.RFC3339, tt.after)
			now, _ := time.Parse(time.RFC3339, tt.now)
			due, ok := digest.LatestDue(sched, mustLoc(t, tt.tz), after, now)
			got := ""
			if ok {
				got = due.UTC().Format(time.RFC3339)
			}
			if got != tt.want {
				t.Errorf("LatestDue = %q, want %q", got, tt.want)
			}
		})
	}
}
