package lexicon

import (
	"os"
	"path/filepath"
	"testing"
)

// realDir returns DefaultDir when the four FreeDict dictionaries are
// installed there, and skips tb otherwise.
func realDir(tb testing.TB) string {
	tb.Helper()
	for _, f := range files {
		if _, err := os.Stat(filepath.Join(DefaultDir, f.name+".index")); err != nil {
			tb.Skipf("the FreeDict dictionaries are not installed in %s (scripts/dicts.sh installs them): %v", DefaultDir, err)
		}
	}
	return DefaultDir
}

func BenchmarkOpen(b *testing.B) {
	dir := realDir(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Open(dir); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTranslate(b *testing.B) {
	d, err := Open(realDir(b))
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, text, from, to string }{
		{"en-fr", "What topics did the expert panels at the Moroccan AI event cover?", "en", "fr"},
		{"en-ar", "What topics did the expert panels at the Moroccan AI event cover?", "en", "ar"},
		{"ar-fr", "ماذا قالت الحكومة عن المدارس والجامعات في الرباط؟", "ar", "fr"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				d.Translate(c.text, c.from, c.to)
			}
		})
	}
}
