package phrases

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEveryLanguageHasEveryPhrase(t *testing.T) {
	for lang, tab := range tables {
		t.Run(lang, func(t *testing.T) {
			var missing []string // key and English phrase
			for k := range numKeys {
				if tab[k] == "" {
					missing = append(missing, fmt.Sprintf("%d %q", k, en[k]))
				}
			}
			if d := cmp.Diff([]string(nil), missing); d != "" {
				t.Errorf("keys without a phrase (-want +got):\n%s", d)
			}
		})
	}
}

// verb matches a fmt verb with its flags, width and precision.
var verb = regexp.MustCompile(`%[-+# 0]*(\[\d+\])?(\d+|\*)?(\.(\d+|\*)?)?[a-zA-Z%]`)

func TestEveryLanguageTakesTheSameVerbs(t *testing.T) {
	for lang, tab := range tables {
		t.Run(lang, func(t *testing.T) {
			for k := range numKeys {
				want, got := verb.FindAllString(en[k], -1), verb.FindAllString(tab[k], -1)
				if d := cmp.Diff(want, got); d != "" {
					t.Errorf("key %d (%q in English): verbs (-English +%s):\n%s", k, en[k], lang, d)
				}
			}
		})
	}
}

func TestText(t *testing.T) {
	tests := []struct {
		name string
		lang string
		key  Key
		args []any
		want string
	}{
		{"english", "en", NotFound, nil, "The archive does not say."},
		{"french", "fr", NotFound, nil, "Les archives ne disent rien à ce sujet."},
		{"arabic", "ar", NotFound, nil, "لا يذكر الأرشيف شيئًا عن هذا الموضوع."},
		{"unknown language falls back to English", "de", QuoteOpen, nil, "“"},
		{"no language falls back to English", "", Sources, nil, "Sources"},
		{"formatted", "fr", Queued, []any{3}, "⏳ Beaucoup de questions en ce moment : la vôtre est la 3ᵉ dans la file."},
		{"formatted in Arabic", "ar", Page, []any{2}, "الصفحة 2"},
		{"verbs kept without arguments", "en", Page, nil, "Page %d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := cmp.Diff(tt.want, Text(tt.lang, tt.key, tt.args...)); d != "" {
				t.Errorf("Text(%q, %d) (-want +got):\n%s", tt.lang, tt.key, d)
			}
		})
	}
}

func TestHas(t *testing.T) {
	got := map[string]bool{}
	for _, lang := range []string{"en", "fr", "ar", "de", ""} {
		got[lang] = Has(lang)
	}
	want := map[string]bool{"en": true, "fr": true, "ar": true, "de": false, "": false}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Has (-want +got):\n%s", d)
	}
}

func TestSeconds(t *testing.T) {
	// By language, the phrase for each number of seconds.
	want := map[string]map[int]string{
		"en": {1: "1 second", 2: "2 seconds", 5: "5 seconds", 60: "60 seconds"},
		"fr": {1: "1 seconde", 2: "2 secondes", 45: "45 secondes"},
		"ar": {1: "ثانية واحدة", 2: "ثانيتين", 3: "3 ثوانٍ", 10: "10 ثوانٍ", 11: "11 ثانية", 60: "60 ثانية"},
		"de": {1: "1 second"}, // no table: English
	}
	for lang, byN := range want {
		for n, phrase := range byN {
			if got := Seconds(lang, n); got != phrase {
				t.Errorf("Seconds(%q, %d) = %q, want %q", lang, n, got, phrase)
			}
		}
	}
}

// TestCountsReadRight: counts that may be 1 are labels' values, never "1
// messages".
func TestCountsReadRight(t *testing.T) {
	for _, lang := range []string{"en", "fr", "ar"} {
		got := Text(lang, DigestPosted, 1, 1)
		for _, wrong := range []string{"1 stories", "1 messages", "1 sujets", "1 مواضيع", "1 رسائل"} {
			if strings.Contains(got, wrong) {
				t.Errorf("DigestPosted in %s = %q: says %q", lang, got, wrong)
			}
		}
	}
}
