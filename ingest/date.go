package ingest

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// machineLayouts are the timestamp forms found in HTML metadata and JSON.
var machineLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05",
	"2006-01-02",
	time.RFC1123Z,
	time.RFC1123,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
}

// parseTimestamp parses a machine-readable timestamp (ISO 8601, RFC 1123);
// a timestamp without a zone is taken as UTC.
func parseTimestamp(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range machineLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

var months = map[string]time.Month{
	"janvier": 1, "janv": 1, "january": 1, "jan": 1,
	"février": 2, "fevrier": 2, "févr": 2, "fevr": 2, "february": 2, "feb": 2,
	"mars": 3, "march": 3, "mar": 3,
	"avril": 4, "avr": 4, "april": 4, "apr": 4,
	"mai": 5, "may": 5,
	"juin": 6, "june": 6, "jun": 6,
	"juillet": 7, "juil": 7, "july": 7, "jul": 7,
	"août": 8, "aout": 8, "august": 8, "aug": 8,
	"septembre": 9, "sept": 9, "september": 9, "sep": 9,
	"octobre": 10, "oct": 10, "october": 10,
	"novembre": 11, "nov": 11, "november": 11,
	"décembre": 12, "decembre": 12, "déc": 12, "dec": 12, "december": 12,
}

var (
	isoDate     = regexp.MustCompile(`\b(\d{4})\s*-\s*(\d{1,2})\s*-\s*(\d{1,2})\b`)
	numericDate = regexp.MustCompile(`\b(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4})\b`)
	dayMonth    = regexp.MustCompile(`(?i)\b(\d{1,2})(?:er|st|nd|rd|th)?\s+(\p{L}+)\.?,?\s+(\d{4})\b`)
	monthDay    = regexp.MustCompile(`(?i)\b(\p{L}+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b`)
)

// findDate finds a calendar date written for people in s: "24 - 10 - 2023"
// (day first), "2023-10-24", "24 octobre 2023", "1er mai 2024",
// "October 24, 2023", "24 Oct. 2023". The date is midnight UTC.
func findDate(s string) (time.Time, bool) {
	if t, ok := parseTimestamp(s); ok {
		return t, true
	}
	if m := isoDate.FindStringSubmatch(s); m != nil {
		if t, ok := makeDate(m[1], m[2], m[3]); ok {
			return t, true
		}
	}
	if m := numericDate.FindStringSubmatch(s); m != nil {
		if t, ok := makeDate(m[3], m[2], m[1]); ok {
			return t, true
		}
	}
	for _, m := range dayMonth.FindAllStringSubmatch(s, -1) {
		if mo, ok := months[strings.ToLower(m[2])]; ok {
			if t, ok := makeDate(m[3], strconv.Itoa(int(mo)), m[1]); ok {
				return t, true
			}
		}
	}
	for _, m := range monthDay.FindAllStringSubmatch(s, -1) {
		if mo, ok := months[strings.ToLower(m[1])]; ok {
			if t, ok := makeDate(m[3], strconv.Itoa(int(mo)), m[2]); ok {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

// makeDate builds a valid date (no 31 February) between 1900 and 2200.
func makeDate(year, month, day string) (time.Time, bool) {
	y, err1 := strconv.Atoi(year)
	m, err2 := strconv.Atoi(month)
	d, err3 := strconv.Atoi(day)
	if err1 != nil || err2 != nil || err3 != nil || y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}
