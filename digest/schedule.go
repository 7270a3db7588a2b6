package digest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/dalil-news/dalil/nlp"
)

// Schedule is a recurring time: Next returns the first activation strictly
// after t, in t's location, or the zero time when there is none. A
// github.com/robfig/cron/v3 Schedule satisfies it.
type Schedule interface {
	Next(t time.Time) time.Time
}

// timeOfDay matches "8:00", "08:00" and "08h00".
var timeOfDay = regexp.MustCompile(`^([01]?\d|2[0-3])[:hH]([0-5]\d)$`)

// CronSpec turns a digest schedule into a five-field cron expression: a time
// of day ("08:00", "8h30") becomes "M H * * *"; a cron expression or a
// descriptor (@daily) is returned trimmed. It checks only the form; the
// cron parser checks the fields.
func CronSpec(schedule string) (string, error) {
	s := nlp.Collapse(schedule)
	if s == "" {
		s = DefaultSchedule
	}
	if m := timeOfDay.FindStringSubmatch(s); m != nil {
		h, _ := strconv.Atoi(m[1])
		mi, _ := strconv.Atoi(m[2])
		return fmt.Sprintf("%d %d * * *", mi, h), nil
	}
	if strings.Contains(strings.ToUpper(s), "TZ=") {
		return "", fmt.Errorf("schedule %q: give the time zone separately, not as TZ=", schedule)
	}
	if strings.HasPrefix(s, "@") || len(strings.Fields(s)) == 5 {
		return s, nil
	}
	return "", fmt.Errorf("schedule %q: want a time of day such as 08:00 or a five-field cron expression such as \"0 8 * * 1-5\"", schedule)
}

// scanLimit bounds the look-back when searching for the latest due time,
// so that a per-minute schedule after a long downtime stays cheap.
const scanLimit = 8 * 24 * time.Hour

// LatestDue returns the latest activation of sched (in loc) in (after,
// now]; ok is false when there is none. A wall-clock time repeated when
// clocks fall back activates once (cron fires at both); a time skipped when
// they spring forward does not activate that day.
func LatestDue(sched Schedule, loc *time.Location, after, now time.Time) (due time.Time, ok bool) {
	if floor := now.Add(-scanLimit); after.Before(floor) {
		after = floor
	}
	const wall = "2006-01-02 15:04"
	prev := after.In(loc).Format(wall)
	for t := sched.Next(after.In(loc)); !t.IsZero() && !t.After(now); t = sched.Next(t) {
		if w := t.In(loc).Format(wall); w != prev {
			due, ok, prev = t, true, w
		}
	}
	return due, ok
}

// previousDue returns the activation before due (within scanLimit), or
// due minus a day.
func previousDue(sched Schedule, loc *time.Location, due time.Time) time.Time {
	prev, ok := LatestDue(sched, loc, due.Add(-scanLimit), due.Add(-time.Nanosecond))
	if !ok {
		return due.Add(-24 * time.Hour)
	}
	return prev
}
