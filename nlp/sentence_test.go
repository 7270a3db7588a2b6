package nlp

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// spanTexts returns the texts of spans.
func spanTexts(text string, spans []Span) []string {
	var out []string
	for _, sp := range spans {
		out = append(out, text[sp.Start:sp.End])
	}
	return out
}

// checkSpans asserts the invariants of Sentences: spans in order,
// non-empty, within text, trimmed, on rune boundaries, and only white space
// left between them.
func checkSpans(t *testing.T, text string, spans []Span) {
	t.Helper()
	prev := 0
	for i, sp := range spans {
		if sp.Start < prev || sp.End <= sp.Start || sp.End > len(text) {
			t.Fatalf("span %d = %+v after offset %d in a text of %d bytes", i, sp, prev, len(text))
		}
		if gap := text[prev:sp.Start]; strings.TrimSpace(gap) != "" {
			t.Errorf("text %q between spans %d and %d is not in any sentence", gap, i-1, i)
		}
		s := text[sp.Start:sp.End]
		if strings.TrimFunc(s, unicode.IsSpace) != s {
			t.Errorf("sentence %d %q has surrounding white space", i, s)
		}
		if utf8.ValidString(text) && !utf8.ValidString(s) {
			t.Errorf("sentence %d %+v cuts a rune", i, sp)
		}
		prev = sp.End
	}
	if gap := text[prev:]; strings.TrimSpace(gap) != "" {
		t.Errorf("trailing text %q is not in any sentence", gap)
	}
}

func TestSentences(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"empty", "", nil},
		{"blank", " \n\t\r\n ", nil},
		{"no terminator", "  Un titre sans point  ", []string{"Un titre sans point"}},

		// French.
		{"fr numbers with period and comma",
			"Mme Seghrouchni: 2.373 agents amazighophones déployés à fin 2025. Suite…",
			[]string{"Mme Seghrouchni: 2.373 agents amazighophones déployés à fin 2025.", "Suite…"}},
		{"fr decimal comma",
			"Gasoil et Essence : la capacité de stockage s'élève à 1,56 MT. Le marché suit.",
			[]string{"Gasoil et Essence : la capacité de stockage s'élève à 1,56 MT.", "Le marché suit."}},
		{"fr titles",
			"M. Dupont et Mme. Durand sont arrivés avec Mlle. Roy. Le Dr. Martin et Pr. Alami aussi, avec MM. Naji et Me. Idrissi.",
			[]string{"M. Dupont et Mme. Durand sont arrivés avec Mlle. Roy.", "Le Dr. Martin et Pr. Alami aussi, avec MM. Naji et Me. Idrissi."}},
		{"fr references",
			"Voir cf. p. 12, art. 5 du code, vol. 3, chap. 2 et n° 7. Fin.",
			[]string{"Voir cf. p. 12, art. 5 du code, vol. 3, chap. 2 et n° 7.", "Fin."}},
		{"fr era and etc",
			"Né en 52 av. J.-C. Rome grandit. Pommes, poires, etc. Tout y est. L'église St. Pierre et Ste. Anne, éd. Gallimard. Fin.",
			[]string{"Né en 52 av. J.-C. Rome grandit.", "Pommes, poires, etc. Tout y est.", "L'église St. Pierre et Ste. Anne, éd. Gallimard.", "Fin."}},
		{"fr question and exclamation with spaces",
			"Est-ce vrai ? Oui ! Bien sûr.",
			[]string{"Est-ce vrai ?", "Oui !", "Bien sûr."}},
		{"fr ellipsis before lower case",
			"Il hésita... puis partit. Le soir tomba.",
			[]string{"Il hésita... puis partit.", "Le soir tomba."}},
		{"fr short quotation kept whole",
			"Il a dit : « Je pars. Tu restes. » Puis il est parti.",
			[]string{"Il a dit : « Je pars. Tu restes. »", "Puis il est parti."}},
		{"fr closing guillemet after period",
			"« C'est fini. » Le ministre quitte la salle.",
			[]string{"« C'est fini. »", "Le ministre quitte la salle."}},
		{"fr guillemet then period",
			"Il promet une riposte « robuste ». Les Etats-Unis répondent.",
			[]string{"Il promet une riposte « robuste ».", "Les Etats-Unis répondent."}},
		{"fr long quotation split",
			"Elle explique : « Le Maroc, grâce à ses ressources humaines qualifiées, est bien positionné pour emprunter cette voie. Toutefois, notre ambition ne se limite pas à cette technologie spécifique. Nous devons envisager de manière proactive l'ensemble des opportunités que nos ressources actuelles nous offrent. Nous devons être prêts ».",
			[]string{
				"Elle explique : « Le Maroc, grâce à ses ressources humaines qualifiées, est bien positionné pour emprunter cette voie.",
				"Toutefois, notre ambition ne se limite pas à cette technologie spécifique.",
				"Nous devons envisager de manière proactive l'ensemble des opportunités que nos ressources actuelles nous offrent.",
				"Nous devons être prêts ».",
			}},
		{"fr word that looks like an abbreviation",
			"Ils étaient sept. Le lendemain, ils partirent en oct. 2024 pour le nord.",
			[]string{"Ils étaient sept.", "Le lendemain, ils partirent en oct. 2024 pour le nord."}},
		{"fr next sentence starts with a digit",
			"Le bilan est lourd. 66 morts ont été recensés.",
			[]string{"Le bilan est lourd.", "66 morts ont été recensés."}},
		{"fr percent and version",
			"La croissance atteint 3.5% en 2024. La version v1.2 est sortie.",
			[]string{"La croissance atteint 3.5% en 2024.", "La version v1.2 est sortie."}},
		{"fr url and email",
			"Voir https://www.example.com/a.html?x=1. Écrire à contact@example.ma. Merci.",
			[]string{"Voir https://www.example.com/a.html?x=1.", "Écrire à contact@example.ma.", "Merci."}},
		{"fr initials",
			"J. K. Rowling a écrit Harry Potter. Il a eu du succès.",
			[]string{"J. K. Rowling a écrit Harry Potter.", "Il a eu du succès."}},
		{"newlines",
			"Titre\nCorps du texte. Suite.\r\nAutre ligne sans point\r\n",
			[]string{"Titre", "Corps du texte.", "Suite.", "Autre ligne sans point"}},
		{"elision mark",
			"Il a dit […] Le reste suit.",
			[]string{"Il a dit […] Le reste suit."}},

		// English.
		{"en titles",
			"Mr. Smith went to Washington. He met Mrs. Jones and Ms. Lee with Prof. Brown, Dr. Green Jr. and Sr. Black.",
			[]string{"Mr. Smith went to Washington.", "He met Mrs. Jones and Ms. Lee with Prof. Brown, Dr. Green Jr. and Sr. Black."}},
		{"en dotted abbreviations",
			"The U.S. Army met the U.K. Navy. Use e.g. apples, i.e. fruit. Then stop.",
			[]string{"The U.S. Army met the U.K. Navy.", "Use e.g. apples, i.e. fruit.", "Then stop."}},
		{"en companies and numbers",
			"Apple Inc. and Acme Ltd. and Foo Co. merged. No. 5 won vs. No. 6. Prices rose 3.5 percent in Jan. 2024. The end.",
			[]string{"Apple Inc. and Acme Ltd. and Foo Co. merged.", "No. 5 won vs. No. 6.", "Prices rose 3.5 percent in Jan. 2024.", "The end."}},
		{"en quotes and brackets",
			"He said \"Go.\" Then he left. (See below.) Was it true? Yes! It was.",
			[]string{"He said \"Go.\"", "Then he left.", "(See below.)", "Was it true?", "Yes!", "It was."}},
		{"en no after lower case",
			"He said no. Then he left.",
			[]string{"He said no.", "Then he left."}},
		{"en decimals",
			"The Panthers gave up just 308 points, 3.4 per drive. Denver scored 24.5 on average.",
			[]string{"The Panthers gave up just 308 points, 3.4 per drive.", "Denver scored 24.5 on average."}},

		// Arabic (excerpts from XQuAD, CC BY-SA 4.0, see testdata/chunk/SOURCE.md).
		{"ar periods",
			"أصبح بايتون مانينغ أول ظهير رباعي على الإطلاق يقود فريقين مختلفين لألقاب سوبر بول متعددة. وهو كذلك الظهير الرباعي الأكبر سناً على الإطلاق في مباراة سوبر بول في سن 39.",
			[]string{"أصبح بايتون مانينغ أول ظهير رباعي على الإطلاق يقود فريقين مختلفين لألقاب سوبر بول متعددة.", "وهو كذلك الظهير الرباعي الأكبر سناً على الإطلاق في مباراة سوبر بول في سن 39."}},
		{"ar question marks",
			"كم نقطة تخلى عنها دفاع البانثرز؟ كم عرقلة سجل لوك كوتشلي؟ أين كان يقع المسرح الصيفي؟",
			[]string{"كم نقطة تخلى عنها دفاع البانثرز؟", "كم عرقلة سجل لوك كوتشلي؟", "أين كان يقع المسرح الصيفي؟"}},
		{"ar numbers and brackets",
			"فعلى سبيل المثال، عمل محمد بن زكريا الرازي (865–915) على تعزيز الاستخدامات الطبية للمركبات الكيميائية. وكان أبو القاسم الزهراوي (936–1013) رائدًا في تحضير الأدوية.",
			[]string{"فعلى سبيل المثال، عمل محمد بن زكريا الرازي (865–915) على تعزيز الاستخدامات الطبية للمركبات الكيميائية.", "وكان أبو القاسم الزهراوي (936–1013) رائدًا في تحضير الأدوية."}},
		{"ar latin quote inside",
			"ويظهران باسم \"Medicineis universalibus\" من تأليف \"ماسويه الأصغر\". كما أن مساهمات الموفق بالله رائدة أيضًا.",
			[]string{"ويظهران باسم \"Medicineis universalibus\" من تأليف \"ماسويه الأصغر\".", "كما أن مساهمات الموفق بالله رائدة أيضًا."}},
		{"arabic-script full stop",
			"ہم گھر گئے۔ وہ کل آئے۔",
			[]string{"ہم گھر گئے۔", "وہ کل آئے۔"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spans := Sentences(tt.text)
			checkSpans(t, tt.text, spans)
			if diff := cmp.Diff(tt.want, spanTexts(tt.text, spans)); diff != "" {
				t.Errorf("Sentences(%q) mismatch (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

// TestSentencesArabicCorpus splits whole Arabic paragraphs from XQuAD; the
// counts were checked by reading the output.
func TestSentencesArabicCorpus(t *testing.T) {
	want := map[string]int{
		"https://data.example/xquad/ar/15/1": 16,
		"https://data.example/xquad/ar/15/2": 16,
		"https://data.example/xquad/ar/26/1": 15,
		"https://data.example/xquad/ar/0/0":  7,
		"https://data.example/xquad/ar/0/1":  3,
		"https://data.example/xquad/ar/0/2":  3,
	}
	got := map[string]int{}
	for _, a := range loadArabicParagraphs(t) {
		if a.Lang != "ar" {
			continue
		}
		spans := Sentences(a.Text)
		checkSpans(t, a.Text, spans)
		got[a.URL] = len(spans)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sentence counts mismatch (-want +got):\n%s", diff)
	}
}

// paragraph is a line of testdata/xquad-ar-paragraphs.jsonl.
type paragraph struct {
	URL  string `json:"url"`
	Lang string `json:"lang"`
	Text string `json:"text"`
}

// loadArabicParagraphs reads the Arabic XQuAD paragraphs in testdata.
func loadArabicParagraphs(tb testing.TB) []paragraph {
	tb.Helper()
	f, err := os.Open("testdata/xquad-ar-paragraphs.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []paragraph
	for dec := json.NewDecoder(f); dec.More(); {
		var p paragraph
		if err := dec.Decode(&p); err != nil {
			tb.Fatalf("xquad-ar-paragraphs.jsonl paragraph %d: %v", len(out)+1, err)
		}
		out = append(out, p)
	}
	return out
}

func FuzzSentences(f *testing.F) {
	f.Add("Mme Seghrouchni: 2.373 agents amazighophones déployés à fin 2025. Suite…")
	f.Add("Il a dit : « Je pars. Tu restes. » Puis il est parti.")
	f.Add("The U.S. Army met the U.K. Navy. Use e.g. apples.\r\n(See below.) Yes!")
	f.Add("كم نقطة تخلى عنها دفاع البانثرز؟ كم عرقلة سجل لوك كوتشلي؟")
	f.Add("« a. » . .\u00a0» «« x. Y")
	f.Fuzz(func(t *testing.T, text string) {
		checkSpans(t, text, Sentences(text))
	})
}
