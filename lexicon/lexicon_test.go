package lexicon

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// synthetic returns a directory holding four small dictionaries shaped
// like FreeDict's (no FreeDict text: the words are common vocabulary).
func synthetic(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	writeDict(tb, dir, "freedict-eng-fra", []entry{
		{"house", "house /haus/\nmaison\n"},
		{"government", "government /gʌvnmənt/\ngouvernement\n"},
		{"artificial intelligence", "artificial intelligence /x/\nintelligence artificielle\n"},
		{"intelligence", "intelligence /x/\n1. intelligence\n2. renseignement\n"},
		{"cover", "cover /kʌvər/\n1. couvrir, recouvrir\n2. couverture\n3. revêtir, tapisser\n"},
		{"king", "king /kiŋ/\n1. roi\n2. souverain\n"},
		{"rabat", "rabat /x/\nrabat\n"},
		{"thing", "thing /θiŋ/\n1. chose, objet, truc, machin, bidule, affaire, article, élément, fait, point, sujet, trucmuche\n"},
		{"whereof", "whereof /x/\nle, la, les\n"},
		{"school", "school /x/\nécole\n"},
		{"election", "election /x/\nélection\n"},
	})
	writeDict(tb, dir, "freedict-fra-eng", []entry{
		{"maison", "maison /mɛzɔ̃/ <n, fem>\nhouse\n"},
		{"gouvernement", "gouvernement /x/ <n, masc>\n1. government\n2. rule\n"},
		{"école", "école /x/ <n, fem>\nschool\n"},
		{"élection", "élection /x/ <n, fem>\nelection\n"},
		{"roi", "roi /ʀwa/ <n, masc>\nking\n"},
	})
	writeDict(tb, dir, "freedict-eng-ara", []entry{
		{"house", "House /hˈaʊs/\nالمنزل\n"},
		{"home", "Home /x/\nالبيت\n"},
		{"government", "Government /x/\nالحكومة\n"},
		{"rule", "Rule /x/\n1. القاعدة\n2. الحكم\n"},
		{"school", "School /x/\nالمدرسة\n"},
		{"king", "King /x/\nالملك\n"},
		{"expert", "Expert /x/\nالخبير، Experte\n"},
		{"election", "Election /x/\nالانتخابات\n"},
	})
	writeDict(tb, dir, "freedict-ara-eng", []entry{
		{"البيت", "البيت /ʔalbˈajt/\nHome\n"},
		{"بيت", "بيت /bˈajt/\n1. Bett\n2. House\n"},
		{"الحكومة", "الحكومة /x/\n1. Government\n2. Polity\n"},
		{"مدرسة", "مدرسة /x/\nSchool\n"},
		{"الذكاء الاصطناعي", "الذكاء الاصطناعي /x/\nArtificial Intelligence\n"},
		{"الملك، العاهل", "الملك، العاهل /x/\nKing\n"},
	})
	return dir
}

// syntheticCore is the vocabulary of the synthetic dictionaries, in place
// of core.tsv, whose words change as it grows.
const syntheticCore = "# test\nمدينة|مدن\tville|cité\tcity|town\nقال|قالت|يقول\tdire|déclarer\tsay|said\n"

// openSynthetic opens the synthetic dictionaries, with syntheticCore.
func openSynthetic(tb testing.TB) *Dictionaries {
	tb.Helper()
	d, err := open(synthetic(tb), syntheticCore)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// parseTerms reads Terms written "source=alt|alt; source=alt", with a *
// before the source of a carried word.
func parseTerms(s string) []Term {
	var out []Term
	for part := range strings.SplitSeq(s, "; ") {
		if part == "" {
			continue
		}
		src, alts, _ := strings.Cut(part, "=")
		src, carried := strings.CutPrefix(src, "*")
		src, guessed := strings.CutPrefix(src, "?")
		out = append(out, Term{Source: src, Alternatives: strings.Split(alts, "|"), Carried: carried, Guessed: guessed})
	}
	return out
}

func TestTranslate(t *testing.T) {
	d := openSynthetic(t)
	for _, c := range []struct {
		name, text, from, to string
		want                 string // "source=alt|alt; …", a * before a carried source, a ? before a guessed one
	}{
		{"reduced forms and stop words", "Which houses did the government cover?", "en", "fr", "houses=maison|houses|house; government=gouvernement|government; cover=couvrir|recouvrir|couverture|cover|revetir|tapisser"},
		{"accents and case, cognates after the senses", "Quelle école ?", "fr", "en", "ecole=school|ecole"},
		{"senses in order, one term", "Who will cover it?", "en", "fr", "cover=couvrir|recouvrir|couverture|cover|revetir|tapisser"},
		{"phrase", "the artificial intelligence of schools", "en", "fr", "artificial intelligence=intelligence artificielle; schools=ecole|schools|school"},
		{"arabic phrase with a conjunction", "والذكاء الاصطناعي", "ar", "en", "الذكاء الاصطناعي=artificial intelligence"},
		{"capped", "thing", "en", "fr", "thing=chose|objet|truc|thing|machin|bidule|affaire|article"},
		{"a word no dictionary translates is guessed", "whereof", "en", "fr", "?whereof=whereof"},
		{"arabic clitics, unknown English dropped", "والبيت بالحكومة", "ar", "en", "والبيت=home; بالحكومه=government"},
		{"non-English junk dropped, reverse dictionary", "بيت", "ar", "en", "بيت=house|home"},
		{"several headwords in one index line", "العاهل", "ar", "en", "العاهل=king"},
		{"a word without its article found under it", "حكومة", "ar", "en", "حكومه=government"},
		{"latin words dropped from arabic output", "expert", "en", "ar", "expert=الخبير"},
		{"latin words of an arabic question, not names", "school", "ar", "en", ""},
		{"pivot through english, one term", "le gouvernement", "fr", "ar", "gouvernement=الحكومه|القاعده|الحكم"},
		{"pivot back", "المدرسة والملك", "ar", "fr", "المدرسه=ecole; والملك=roi|souverain"},
		{"own vocabulary first, inflected forms", "قالت المدينة", "ar", "fr", "قالت=dire|declarer; المدينه=ville|cite"},
		{"own vocabulary, then the dictionaries", "city house", "en", "fr", "city=ville|cite|city|citie; house=maison|house"},
		{"names and numbers carried", "Homemade houses in Tanger in ٢٠٢٣", "en", "fr", "*homemade=homemade; houses=maison|houses|house; *tanger=tanger; *2023=2023"},
		{"a word no dictionary knows is carried, with its French forms", "bitcoin phones", "en", "fr", "*bitcoin=bitcoin|bitcoine; *phones=phones|phone"},
		{"a name carried with its cognates", "Acadians", "en", "fr", "*acadians=acadians|acadian|acadien|acadiane"},
		{"but not with a form that is a word there", "affair", "en", "fr", "*affair=affair"}, // affaire is French
		{"and transliterated into Arabic", "bitcoin", "en", "ar", "*bitcoin=بيتكوين|bitcoin"},
		{"a word another dictionary knows is guessed, not carried", "expert", "en", "fr", "?expert=expert"},
		{"a word a translation knows is guessed, its longest ending traded", "polity", "en", "fr", "?polity=polity|polite"},
		{"nor into Arabic", "whereof", "en", "ar", ""},
		{"a name that is also a word", "the king of Rabat", "en", "fr", "king=roi|souverain|king; rabat=rabat"},
		{"names transliterated into Arabic", "Macron in Paris", "en", "ar", "*macron=ماكرون|macron; *paris=باريس|paris"},
		{"arabic names transliterated into Latin", "باريس ٢٠٢٤", "ar", "fr", "*باريس=baris; *2024=2024"},
		{"acronym is not a stop word", "AI", "en", "fr", "*ai=ai"},
		{"same language", "la maison", "fr", "fr", "maison=maison"},
		{"unknown language", "house", "en", "de", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := d.Translate(c.text, c.from, c.to)
			if diff := cmp.Diff(parseTerms(c.want), got); diff != "" {
				t.Errorf("Translate(%q, %s, %s) (-want +got):\n%s", c.text, c.from, c.to, diff)
			}
		})
	}
}

func TestOpenSomeOrNone(t *testing.T) {
	empty, err := Open(t.TempDir())
	if err != nil {
		t.Fatalf("Open(empty dir): %v", err)
	}
	if p, l := empty.Pairs(), empty.Languages(); p != nil || l != nil {
		t.Errorf("no dictionaries: Pairs %v, Languages %v; want none", p, l)
	}
	if got := empty.Translate("Rabat 2023 house", "en", "fr"); got != nil {
		t.Errorf("no dictionaries: Translate = %v, want nil", got)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "absent")); err != nil {
		t.Errorf("Open(absent dir): %v", err)
	}

	dir := t.TempDir()
	writeDict(t, dir, "freedict-eng-fra", []entry{{"house", "house\nmaison\n"}})
	one, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][2]string{{"en", "fr"}, {"fr", "en"}}, one.Pairs()); diff != "" {
		t.Errorf("eng-fra alone: Pairs (-want +got):\n%s", diff)
	}
	if got := one.Translate("maisons", "fr", "en"); len(got) != 1 || got[0].Alternatives[0] != "house" {
		t.Errorf("fr->en by the reverse of eng-fra = %v, want house first", got)
	}

	all := openSynthetic(t)
	want := [][2]string{{"en", "fr"}, {"en", "ar"}, {"fr", "en"}, {"fr", "ar"}, {"ar", "en"}, {"ar", "fr"}}
	if diff := cmp.Diff(want, all.Pairs()); diff != "" {
		t.Errorf("all four: Pairs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"en", "fr", "ar"}, all.Languages()); diff != "" {
		t.Errorf("all four: Languages (-want +got):\n%s", diff)
	}
}

func TestOpenMalformed(t *testing.T) {
	for _, c := range []struct {
		name   string
		break_ func(dir string) error
		want   string
	}{
		{"bad index", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "freedict-fra-eng.index"), []byte("maison\tA\n"), 0o644)
		}, "freedict-fra-eng.index: line 1"},
		{"entry beyond the data", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "freedict-eng-ara.index"), []byte("house\tA\tBAAA\n"), 0o644)
		}, "freedict-eng-ara.index: entry \"house\""},
		{"not gzip", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "freedict-ara-eng.dict.dz"), []byte("plain text"), 0o644)
		}, "decompress"},
		{"data missing", func(dir string) error {
			return os.Remove(filepath.Join(dir, "freedict-eng-fra.dict.dz"))
		}, "freedict-eng-fra"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := synthetic(t)
			if err := c.break_(dir); err != nil {
				t.Fatal(err)
			}
			_, err := Open(dir)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Open = %v, want an error containing %q", err, c.want)
			}
		})
	}
}

func TestTranslateConcurrently(t *testing.T) {
	d := openSynthetic(t)
	want := d.Translate("le gouvernement et la maison", "fr", "ar")
	for i := range 8 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			for range 50 {
				if got := d.Translate("le gouvernement et la maison", "fr", "ar"); !cmp.Equal(want, got) {
					t.Fatalf("concurrent Translate = %v, want %v", got, want)
				}
			}
		})
	}
}

// TestRealDictionaries checks a few translations with Debian's FreeDict
// files, where installed (scripts/dicts.sh; CI installs them).
func TestRealDictionaries(t *testing.T) {
	d, err := Open(realDir(t))
	if err != nil {
		t.Fatal(err)
	}
	alternatives := func(text, from, to string) []string {
		var out []string
		for _, term := range d.Translate(text, from, to) {
			out = append(out, term.Alternatives...)
		}
		return out
	}
	arabicWord := func(list []string) bool {
		return slices.ContainsFunc(list, func(s string) bool { return inScript(s, arabic) })
	}
	if got := alternatives("house", "en", "fr"); !slices.Contains(got, "maison") {
		t.Errorf("en house -> fr = %q, want maison among them", got)
	}
	if got := alternatives("expert", "en", "ar"); !arabicWord(got) {
		t.Errorf("en expert -> ar = %q, want Arabic", got)
	}
	if got := alternatives("maison", "fr", "en"); !slices.Contains(got, "house") {
		t.Errorf("fr maison -> en = %q, want house among them", got)
	}
	if got := alternatives("البيت", "ar", "en"); len(got) == 0 {
		t.Errorf("ar البيت -> en is empty")
	}
	if got := alternatives("gouvernement", "fr", "ar"); !arabicWord(got) {
		t.Errorf("fr gouvernement -> ar (through English) = %q, want Arabic", got)
	}
	if got := alternatives("What is Morocco's homemade AI?", "en", "fr"); !slices.Contains(got, "maroc") {
		t.Errorf("en question -> fr = %q, want maroc among them", got)
	}
}

func TestArabicSkeleton(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"مزور", "msr"},              // Mezzour
		{"فينيكس", "fnks"},           // Phoenix
		{"إنترناسيونالي", "ntrnsnl"}, // Internazionale
		{"جيسوالدو", "ksld"},         // Gesualdo
		{"الأكاديين", "kdn"},         // acadien, without the article
		{"غيثة", ""},                 // two consonants: too few
		{"مزور٣", ""},                // a letter with no mapping
	} {
		if got := ArabicSkeleton(tt.in); got != tt.want {
			t.Errorf("ArabicSkeleton(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCore(t *testing.T) {
	if _, err := core(coreText); err != nil {
		t.Fatalf("core.tsv: %v", err)
	}
	if _, err := core("# ok\nمدينة\tville\n"); err == nil || err.Error() != "core.tsv:2: 2 fields, want 3 (Arabic, French, English)" {
		t.Errorf("core of a line without English: %v", err)
	}
	// English forms all stop words: none, and the other pairs hold.
	c, err := core("أكثر\tplus|davantage\tmore|most\n")
	if err != nil {
		t.Fatal(err)
	}
	if got := c[[2]string{"ar", "fr"}].fwd.get("اكثر"); !cmp.Equal(got, []string{"davantage"}) {
		t.Errorf("ar→fr = %q, want davantage (plus is a stop word)", got)
	}
	if c[[2]string{"ar", "en"}] != nil || c[[2]string{"en", "fr"}] != nil {
		t.Error("a direction from or to English without English forms")
	}
	// A form loses a leading "to" or reflexive se, s', and keeps any
	// other function word: "غير مشروع", "tout à fait" and "the whole" are
	// phrases, not مشروع, "fait" and "whole".
	c, err = core("غير مشروع\tillégal|se dérouler|s'exprimer\tillegal|unlawful\nتماما\ttout à fait\tthe whole|on time\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		pair [2]string
		head string
		want []string
	}{
		{[2]string{"ar", "en"}, "غير مشروع", []string{"illegal", "unlawful"}},
		{[2]string{"ar", "en"}, "مشروع", nil},
		{[2]string{"fr", "en"}, "derouler", []string{"illegal", "unlawful"}},
		{[2]string{"fr", "en"}, "exprimer", []string{"illegal", "unlawful"}},
		{[2]string{"fr", "en"}, "tout a fait", []string{"the whole", "on time"}},
		{[2]string{"fr", "en"}, "fait", nil},
		{[2]string{"en", "fr"}, "time", nil},
	} {
		if got := c[tt.pair].fwd.get(tt.head); !cmp.Equal(got, tt.want) {
			t.Errorf("%s %q = %q, want %q", tt.pair, tt.head, got, tt.want)
		}
	}
}
