package lexicon

import (
	"compress/gzip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// entry is one synthetic dictionary entry: a headword and its text, whose
// first line is the headword line, as in FreeDict.
type entry struct{ head, body string }

// encodeNumber writes n in dictd's base64.
func encodeNumber(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	if n == 0 {
		return "A"
	}
	var s []byte
	for ; n > 0; n >>= 6 {
		s = append([]byte{alphabet[n&63]}, s...)
	}
	return string(s)
}

// writeDict writes dir/name.index and dir/name.dict.dz (gzip) holding the
// entries, after a dictd metadata entry.
func writeDict(tb testing.TB, dir, name string, entries []entry) {
	tb.Helper()
	var index, data strings.Builder
	entries = append([]entry{{"00databaseinfo", "00-database-info\nsynthetic\n"}}, entries...)
	for _, e := range entries {
		index.WriteString(e.head + "\t" + encodeNumber(data.Len()) + "\t" + encodeNumber(len(e.body)) + "\n")
		data.WriteString(e.body)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".index"), []byte(index.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, name+".dict.dz"))
	if err != nil {
		tb.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	if _, err := zw.Write([]byte(data.String())); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

func TestDecodeNumber(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"A", 0, true}, {"B", 1, true}, {"/", 63, true}, {"BA", 64, true},
		{"LNK", 11<<12 | 13<<6 | 10, true}, {"", 0, false}, {"A-", 0, false},
		{"//////", 0, false}, // beyond maxNumber
	} {
		got, err := decodeNumber(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("decodeNumber(%q) = %d, %v; want %d, ok %v", c.in, got, err, c.want, c.ok)
		}
		if back, err := decodeNumber(encodeNumber(c.want)); c.ok && (err != nil || back != c.want) {
			t.Errorf("decodeNumber(encodeNumber(%d)) = %d, %v", c.want, back, err)
		}
	}
}

func TestParseIndex(t *testing.T) {
	for _, c := range []struct {
		name, in string
		want     []indexEntry
		err      string
	}{
		{"entries", "00databaseinfo\tc\tc/\n ago\tLNK\tg\nmaison close\tBA\tC\n\n",
			[]indexEntry{{"ago", 11<<12 | 13<<6 | 10, 32}, {"maison close", 64, 2}}, ""},
		{"crlf", "a\tA\tB\r\n", []indexEntry{{"a", 0, 1}}, ""},
		{"two fields", "house\tAB\n", nil, "line 1: 2 tab-separated fields"},
		{"bad offset", "ok\tA\tB\nhouse\tA*\tB\n", nil, "line 2: offset"},
		{"bad length", "house\tA\t\n", nil, "line 1: length: empty number"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseIndex([]byte(c.in))
			if (err == nil) != (c.err == "") || err != nil && !strings.Contains(err.Error(), c.err) {
				t.Fatalf("err = %v, want %q", err, c.err)
			}
			if diff := cmp.Diff(c.want, got, cmp.AllowUnexported(indexEntry{})); diff != "" {
				t.Errorf("parseIndex (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParseIndex(f *testing.F) {
	f.Add("house\tLNK\tg\n00databaseinfo\tc\tc/\n")
	f.Add(" to\tLNq\tX\r\n\nbad line\n")
	f.Add("a\t//////\tB\n")
	f.Fuzz(func(t *testing.T, in string) {
		entries, err := parseIndex([]byte(in))
		if err != nil {
			return
		}
		for _, e := range entries {
			if e.offset < 0 || e.len < 0 || e.offset >= maxNumber || e.len >= maxNumber {
				t.Fatalf("entry %+v out of range", e)
			}
			if e.headword == "" || strings.HasPrefix(e.headword, "00database") {
				t.Fatalf("entry %+v should have been skipped", e)
			}
		}
	})
}

func TestParseEntry(t *testing.T) {
	for _, c := range []struct {
		name, body string
		target     script
		want       []string
	}{
		{"numbered senses", "cover /kʌvər/\n1. couvrir, recouvrir\n2. couverture\n3. revêtir; tapisser\n", latin,
			[]string{"couvrir", "recouvrir", "couverture", "revetir", "tapisser"}},
		{"grammar and pronunciation", "maison /mɛzɔ̃/ <n, fem>\nhouse\n", latin, []string{"house"}},
		{"capitalized Arabic headword", "House /hˈaʊs/\nالمنزل\n", arabic, []string{"المنزل"}},
		{"notes dropped", "canard\n(female) duck\n2. (act of) loading\nleft luggage (office\n", latin,
			[]string{"duck", "loading", "left luggage"}},
		{"long and leading function words", "expire\nse terminer, to go on and on forever, la maison\n", latin,
			[]string{"terminer", "maison"}},
		{"wrong script dropped", "Kingbird\nطائر أمريكي يقتات على صيد الذباب\nBett\nفي الميدان، الملكيّ\n", arabic,
			[]string{"الميدان", "الملكي"}},
		{"arabic separators", "البيت\nالمسكن؛ الدار - المنزل\n", arabic, []string{"المسكن", "الدار", "المنزل"}},
		{"stop words alone", "the\nle, la, les\n", latin, nil},
		{"duplicates after folding", "x\nÉcole, ecole, ÉCOLE\n", latin, []string{"ecole"}},
		{"headword only", "lonely /ˈləʊnli/\n", latin, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			if diff := cmp.Diff(c.want, parseEntry(c.body, c.target)); diff != "" {
				t.Errorf("parseEntry (-want +got):\n%s", diff)
			}
		})
	}
}

func TestForms(t *testing.T) {
	for _, c := range []struct {
		word string
		want []string // forms that must be among the result
	}{
		{"countries", []string{"countries", "country"}},
		{"houses", []string{"house"}},
		{"boxes", []string{"box"}},
		{"stopped", []string{"stop"}},
		{"making", []string{"make"}},
		{"chevaux", []string{"cheval"}},
		{"nationale", []string{"national"}},
		{"heureuse", []string{"heureux"}},
		{"organisee", []string{"organiser"}},
		{"والبيت", []string{"البيت", "بيت"}},
		{"بالحكومه", []string{"الحكومه", "حكومه"}},
		{"فبيتهم", []string{"بيت", "البيت"}},
		{"الجامعات", []string{"الجامعه", "جامعه"}},
		{"مدرستها", []string{"مدرسه"}},
		{"سيسمح", []string{"يسمح"}},
		{"وستفتح", []string{"تفتح"}},
		{"سنعمل", []string{"نعمل"}},
	} {
		got := forms(c.word)
		if got[0] != c.word {
			t.Errorf("forms(%q)[0] = %q, want the word itself", c.word, got[0])
		}
		for _, w := range c.want {
			if !strings.Contains(" "+strings.Join(got, " ")+" ", " "+w+" ") {
				t.Errorf("forms(%q) = %q, missing %q", c.word, got, w)
			}
		}
	}
}

// TestFormsNotFuture: a name or a short word that starts as the future's
// س does not lose it.
func TestFormsNotFuture(t *testing.T) {
	for word, not := range map[string]string{"سالم": "الم", "ستين": "تين", "سامر": "امر"} {
		if slices.Contains(forms(word), not) {
			t.Errorf("forms(%q) = %q: holds %q", word, forms(word), not)
		}
	}
}

func TestTransliterate(t *testing.T) {
	for _, c := range []struct{ latin, arabic string }{
		{"macron", "ماكرون"}, {"paris", "باريس"}, {"casablanca", "كاسابلانكا"},
		{"google", "جوجل"}, {"chirac", "شيراك"}, {"x", ""}, {"xo", "كسو"}, {"2023", ""},
	} {
		if got := toArabic(c.latin); got != c.arabic {
			t.Errorf("toArabic(%q) = %q, want %q", c.latin, got, c.arabic)
		}
	}
	for _, c := range []struct{ arabic, latin string }{
		{"باريس", "baris"}, {"الرباط", "rbat"}, {"مدرسه", "mdrsa"}, {"اب", ""},
	} {
		if got := toLatin(c.arabic); got != c.latin {
			t.Errorf("toLatin(%q) = %q, want %q", c.arabic, got, c.latin)
		}
	}
}
