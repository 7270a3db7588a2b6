package lexicon

import (
	"slices"
	"testing"
)

func TestCognates(t *testing.T) {
	for _, c := range []struct {
		w, from string
		want    []string // among the cognates
		not     []string // not among them
	}{
		{"society", "en", []string{"society", "societe"}, nil},
		{"economic", "en", []string{"economique"}, nil},
		{"political", "en", []string{"politique"}, nil},
		{"experts", "en", []string{"experts", "expert"}, nil},
		{"success", "en", []string{"succes"}, nil},
		{"democracy", "en", []string{"democratie"}, nil},
		{"algerian", "en", []string{"algerien"}, nil},
		{"societe", "fr", []string{"societe", "society"}, nil},
		{"economique", "fr", []string{"economic"}, nil},
		{"bus", "en", []string{"bus"}, []string{"bu"}},     // too short a stem to lose its s
		{"city", "en", []string{"city"}, []string{"cite"}}, // too short a stem to trade -ty
	} {
		got := cognates(c.w, c.from)
		for _, w := range c.want {
			if !slices.Contains(got, w) {
				t.Errorf("cognates(%q, %s) = %v, want %q among them", c.w, c.from, got, w)
			}
		}
		for _, w := range c.not {
			if slices.Contains(got, w) {
				t.Errorf("cognates(%q, %s) = %v, want no %q", c.w, c.from, got, w)
			}
		}
		if got[0] != c.w {
			t.Errorf("cognates(%q, %s) = %v, want the word itself first", c.w, c.from, got)
		}
	}
	if got := cognates("بيت", "ar"); got != nil {
		t.Errorf("cognates of an Arabic word = %v, want none", got)
	}
}
