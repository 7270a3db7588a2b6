package when

import (
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the tests use fixed zones whatever the machine has
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// mustZone loads a time zone or fails the test.
func mustZone(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatalf("load zone %s: %v", name, err)
	}
	return loc
}

// casablancaNow is Wednesday 16 October 2024, 14:30 in Casablanca.
func casablancaNow(tb testing.TB) time.Time {
	return time.Date(2024, 10, 16, 14, 30, 0, 0, mustZone(tb, "Africa/Casablanca"))
}

func TestParseWhen(t *testing.T) {
	now := casablancaNow(t)
	loc := now.Location()
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, loc) }
	in := func(since, until time.Time) Range { return Range{Since: since, Until: until} }
	tests := []struct {
		q        string
		want     Range
		wantRest string
		wantOK   bool
	}{
		// Named days, weeks, months and years.
		{"Qu'est-ce qui s'est passé aujourd'hui ?", in(day(2024, 10, 16), day(2024, 10, 17)), "Qu'est-ce qui s'est passé?", true},
		{"What happened yesterday in Rabat?", in(day(2024, 10, 15), day(2024, 10, 16)), "What happened in Rabat?", true},
		{"Qui a parlé hier soir ?", in(day(2024, 10, 15), day(2024, 10, 16)), "Qui a parlé?", true},
		{"HIER, qui a gagné ?", in(day(2024, 10, 15), day(2024, 10, 16)), "qui a gagné ?", true},
		{"les nouvelles d'avant-hier", in(day(2024, 10, 14), day(2024, 10, 15)), "les nouvelles d'", true},
		{"the day before yesterday", in(day(2024, 10, 14), day(2024, 10, 15)), "", true},
		{"news this week", in(day(2024, 10, 14), day(2024, 10, 21)), "news", true},
		{"Quoi de neuf cette semaine ?", in(day(2024, 10, 14), day(2024, 10, 21)), "Quoi de neuf?", true},
		{"La semaine dernière au Maroc", in(day(2024, 10, 7), day(2024, 10, 14)), "au Maroc", true},
		{"la semaine passee au Maroc", in(day(2024, 10, 7), day(2024, 10, 14)), "au Maroc", true},
		{"What did the king say last week?", in(day(2024, 10, 7), day(2024, 10, 14)), "What did the king say?", true},
		{"ce mois-ci", in(day(2024, 10, 1), day(2024, 11, 1)), "", true},
		{"inflation le mois dernier", in(day(2024, 9, 1), day(2024, 10, 1)), "inflation", true},
		{"inflation last month", in(day(2024, 9, 1), day(2024, 10, 1)), "inflation", true},
		{"this year's budget", in(day(2024, 1, 1), day(2025, 1, 1)), "'s budget", true},
		{"le budget de cette année", in(day(2024, 1, 1), day(2025, 1, 1)), "le budget de", true},
		{"le budget de l'année dernière", in(day(2023, 1, 1), day(2024, 1, 1)), "le budget de", true},
		{"le budget de l’an dernier", in(day(2023, 1, 1), day(2024, 1, 1)), "le budget de", true},
		{"last year", in(day(2023, 1, 1), day(2024, 1, 1)), "", true},
		// Months and years.
		{"Que s'est-il passé en janvier ?", in(day(2024, 1, 1), day(2024, 2, 1)), "Que s'est-il passé?", true},
		{"in December", in(day(2023, 12, 1), day(2024, 1, 1)), "", true},
		{"en octobre", in(day(2024, 10, 1), day(2024, 11, 1)), "", true},
		{"en janvier 2023", in(day(2023, 1, 1), day(2023, 2, 1)), "", true},
		{"floods in January 2024 in Spain", in(day(2024, 1, 1), day(2024, 2, 1)), "floods in Spain", true},
		{"élections février 2024", in(day(2024, 2, 1), day(2024, 3, 1)), "élections", true},
		{"elections FEVRIER 2024", in(day(2024, 2, 1), day(2024, 3, 1)), "elections", true},
		{"May 2024 elections", in(day(2024, 5, 1), day(2024, 6, 1)), "elections", true},
		{"en 2023", in(day(2023, 1, 1), day(2024, 1, 1)), "", true},
		{"the crisis in 1960", in(day(1960, 1, 1), day(1961, 1, 1)), "the crisis", true},
		{"during the year 2022", in(day(2022, 1, 1), day(2023, 1, 1)), "", true},
		{"pendant l'année 2022", in(day(2022, 1, 1), day(2023, 1, 1)), "", true},
		// Open ranges.
		{"depuis 2024", in(day(2024, 1, 1), time.Time{}), "", true},
		{"since 2024", in(day(2024, 1, 1), time.Time{}), "", true},
		{"depuis janvier", in(day(2024, 1, 1), time.Time{}), "", true},
		{"since March 3", in(day(2024, 3, 3), time.Time{}), "", true},
		{"depuis le 3 mars", in(day(2024, 3, 3), time.Time{}), "", true},
		{"depuis le 20 octobre", in(day(2023, 10, 20), time.Time{}), "", true},
		{"à partir du 1er mars", in(day(2024, 3, 1), time.Time{}), "", true},
		{"depuis hier", in(day(2024, 10, 15), time.Time{}), "", true},
		{"avant 2020", in(time.Time{}, day(2020, 1, 1)), "", true},
		{"before 2020", in(time.Time{}, day(2020, 1, 1)), "", true},
		{"après 2020", in(day(2021, 1, 1), time.Time{}), "", true},
		{"jusqu'en 2022", in(time.Time{}, day(2023, 1, 1)), "", true},
		{"entre janvier et mars", in(day(2024, 1, 1), day(2024, 4, 1)), "", true},
		{"between 2023 and 2021", in(day(2021, 1, 1), day(2024, 1, 1)), "", true},
		// Rolling windows and points in the past.
		{"les 7 derniers jours", in(day(2024, 10, 9), day(2024, 10, 17)), "", true},
		{"ces 3 derniers jours", in(day(2024, 10, 13), day(2024, 10, 17)), "", true},
		{"ces deux dernières semaines", in(day(2024, 10, 2), day(2024, 10, 17)), "", true},
		{"Gaza in the last 7 days", in(day(2024, 10, 9), day(2024, 10, 17)), "Gaza", true},
		{"past 7 days", in(day(2024, 10, 9), day(2024, 10, 17)), "", true},
		{"over the past week", in(day(2024, 10, 9), day(2024, 10, 17)), "", true},
		{"the last 24 hours", in(now.Add(-24*time.Hour), day(2024, 10, 17)), "", true},
		{"depuis 3 jours", in(day(2024, 10, 13), day(2024, 10, 17)), "", true},
		{"3 days ago", in(day(2024, 10, 13), day(2024, 10, 14)), "", true},
		{"il y a 3 jours", in(day(2024, 10, 13), day(2024, 10, 14)), "", true},
		{"a week ago", in(day(2024, 10, 9), day(2024, 10, 16)), "", true},
		// Dates.
		{"le 24 octobre 2023", in(day(2023, 10, 24), day(2023, 10, 25)), "", true},
		{"on 24 October 2023", in(day(2023, 10, 24), day(2023, 10, 25)), "", true},
		{"what happened on October 24, 2023?", in(day(2023, 10, 24), day(2023, 10, 25)), "what happened?", true},
		{"Oct. 24 2023", in(day(2023, 10, 24), day(2023, 10, 25)), "", true},
		{"the 24th of October 2023", in(day(2023, 10, 24), day(2023, 10, 25)), "", true},
		{"2023-10-24", in(day(2023, 10, 24), day(2023, 10, 25)), "", true},
		{"rapport 2023-10", in(day(2023, 10, 1), day(2023, 11, 1)), "rapport", true},
		{"le 1er mars", in(day(2024, 3, 1), day(2024, 3, 2)), "", true},
		{"le 29 février", in(day(2024, 2, 29), day(2024, 3, 1)), "", true},
		{"le ٢٤ octobre ٢٠٢٣", in(day(2023, 10, 24), day(2023, 10, 25)), "", true},
		// Combinations.
		{"en janvier cette année", in(day(2024, 1, 1), day(2024, 2, 1)), "", true},
		{"en 2022 et en 2023", in(day(2022, 1, 1), day(2024, 1, 1)), "et", true},
		{"depuis 2020 et avant 2023", in(day(2020, 1, 1), day(2023, 1, 1)), "et", true},
		// Arabic.
		{"ماذا حدث أمس؟", in(day(2024, 10, 15), day(2024, 10, 16)), "ماذا حدث؟", true},
		{"أخبار اليوم", in(day(2024, 10, 16), day(2024, 10, 17)), "أخبار", true},
		{"ماذا قال الملك هذا الأسبوع", in(day(2024, 10, 14), day(2024, 10, 21)), "ماذا قال الملك", true},
		{"الأسبوع الماضي", in(day(2024, 10, 7), day(2024, 10, 14)), "", true},
		{"التضخم هذا الشهر", in(day(2024, 10, 1), day(2024, 11, 1)), "التضخم", true},
		{"السنة الماضية", in(day(2023, 1, 1), day(2024, 1, 1)), "", true},
		// No date.
		{"Combien de victimes ?", Range{}, "Combien de victimes ?", false},
		{"2.373 agents ont été recrutés", Range{}, "2.373 agents ont été recrutés", false},
		{"1960 people were evacuated", Range{}, "1960 people were evacuated", false},
		{"plus de 2000 morts", Range{}, "plus de 2000 morts", false},
		{"a report in 2500 words", Range{}, "a report in 2500 words", false},
		{"What is the march about?", Range{}, "What is the march about?", false},
		{"prices may 2024 rise", Range{}, "prices may 2024 rise", false},
		{"the last of us", Range{}, "the last of us", false},
		{"a report on 2023 results", Range{}, "a report on 2023 results", false},
		{"loi 2023-1380", Range{}, "loi 2023-1380", false},
		{"", Range{}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			got, rest, ok := Parse(tt.q, now)
			if ok != tt.wantOK {
				t.Errorf("ok = %v, want %v", ok, tt.wantOK)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("range (-want +got):\n%s", diff)
			}
			if rest != tt.wantRest {
				t.Errorf("rest = %q, want %q", rest, tt.wantRest)
			}
		})
	}
}

func TestParseWhenDST(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	tests := []struct {
		name      string
		q         string
		now       time.Time
		want      Range
		wantHours float64
	}{
		{
			name:      "yesterday after the spring change is 23 hours",
			q:         "yesterday",
			now:       time.Date(2024, 4, 1, 9, 0, 0, 0, paris),
			want:      Range{Since: time.Date(2024, 3, 31, 0, 0, 0, 0, paris), Until: time.Date(2024, 4, 1, 0, 0, 0, 0, paris)},
			wantHours: 23,
		},
		{
			name:      "hier after the autumn change is 25 hours",
			q:         "hier",
			now:       time.Date(2024, 10, 28, 0, 30, 0, 0, paris),
			want:      Range{Since: time.Date(2024, 10, 27, 0, 0, 0, 0, paris), Until: time.Date(2024, 10, 28, 0, 0, 0, 0, paris)},
			wantHours: 25,
		},
		{
			name:      "last week across the spring change",
			q:         "last week",
			now:       time.Date(2024, 4, 3, 12, 0, 0, 0, paris),
			want:      Range{Since: time.Date(2024, 3, 25, 0, 0, 0, 0, paris), Until: time.Date(2024, 4, 1, 0, 0, 0, 0, paris)},
			wantHours: 7*24 - 1,
		},
		{
			name:      "the last 2 days from just after the change",
			q:         "les 2 derniers jours",
			now:       time.Date(2024, 4, 1, 0, 10, 0, 0, paris),
			want:      Range{Since: time.Date(2024, 3, 30, 0, 0, 0, 0, paris), Until: time.Date(2024, 4, 2, 0, 0, 0, 0, paris)},
			wantHours: 3*24 - 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, ok := Parse(tt.q, tt.now)
			if !ok {
				t.Fatalf("Parse(%q) found no date", tt.q)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("range (-want +got):\n%s", diff)
			}
			if h := got.Until.Sub(got.Since).Hours(); h != tt.wantHours {
				t.Errorf("range lasts %v hours, want %v", h, tt.wantHours)
			}
		})
	}
}

func TestParseWhenInvalidUTF8(t *testing.T) {
	now := casablancaNow(t)
	_, rest, ok := Parse("news \xff yesterday", now)
	if !ok {
		t.Fatal("no date found")
	}
	if want := "news \uFFFD"; rest != want {
		t.Errorf("rest = %q, want %q", rest, want)
	}
}

func TestTimeRangeIsZero(t *testing.T) {
	now := casablancaNow(t)
	tests := []struct {
		name string
		r    Range
		want bool
	}{
		{"zero", Range{}, true},
		{"since", Range{Since: now}, false},
		{"until", Range{Until: now}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.r.IsZero(); got != tt.want {
				t.Errorf("IsZero() = %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzParseWhen(f *testing.F) {
	for _, s := range []string{
		"what happened yesterday", "depuis le 3 mars", "en janvier 2023", "2023-10-24",
		"entre 2023 et 2021", "les 7 derniers jours", "ماذا حدث أمس؟", "October 24, 2023",
		"il y a 3 jours", "en 2022 et en 2023", "avant hier", "2.373 agents", "\xff hier",
	} {
		f.Add(s, int64(0))
	}
	loc := mustZone(f, "Europe/Paris")
	base := time.Date(2024, 3, 31, 1, 30, 0, 0, loc)
	f.Fuzz(func(t *testing.T, q string, offset int64) {
		now := base.Add(time.Duration(offset%(20*365*24)) * time.Hour)
		r, rest, ok := Parse(q, now)
		if !r.Since.IsZero() && !r.Until.IsZero() && !r.Since.Before(r.Until) {
			t.Errorf("Parse(%q) = [%v, %v): empty range", q, r.Since, r.Until)
		}
		if !utf8.ValidString(rest) {
			t.Errorf("Parse(%q) rest %q is not valid UTF-8", q, rest)
		}
		if !ok && (!r.IsZero() || rest != strings.ToValidUTF8(q, "\uFFFD")) {
			t.Errorf("Parse(%q) found nothing but returned %v, %q", q, r, rest)
		}
		if len(rest) > len(strings.ToValidUTF8(q, "\uFFFD")) {
			t.Errorf("Parse(%q) rest %q is longer than the question", q, rest)
		}
	})
}
