package nlp

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// evalQuestion is one line of the question files in testdata.
type evalQuestion struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Script   string `json:"script"`
	Question string `json:"question"`
}

// loadQuestions reads a JSONL question file in testdata.
func loadQuestions(tb testing.TB, name string) []evalQuestion {
	tb.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var qs []evalQuestion
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var q evalQuestion
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			tb.Fatalf("%s line %d: %v", name, len(qs)+1, err)
		}
		qs = append(qs, q)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return qs
}

func TestDetectDarijaDevQuestions(t *testing.T) {
	qs := loadQuestions(t, "questions-darija-dev.jsonl")
	if len(qs) != 10 {
		t.Fatalf("got %d Darija questions, want 10", len(qs))
	}
	for _, q := range qs {
		if ok, script := DetectDarija(q.Question); !ok || script != q.Script {
			t.Errorf("%s: DetectDarija(%q) = %v, %q, want true, %q", q.ID, q.Question, ok, script, q.Script)
		}
	}
}

func TestDetectDarijaOrdinaryQuestions(t *testing.T) {
	qs := loadQuestions(t, "questions-not-darija.jsonl")
	if len(qs) < 100 {
		t.Fatalf("got %d questions, want at least 100", len(qs))
	}
	for _, q := range qs {
		if ok, script := DetectDarija(q.Question); ok {
			t.Errorf("%s (%s): DetectDarija(%q) = true, %q, want false", q.ID, q.Kind, q.Question, script)
		}
		if got, want := AskerLang(q.Question), DetectLang(q.Question); got != want {
			t.Errorf("%s: AskerLang(%q) = %q, want DetectLang's %q", q.ID, q.Question, got, want)
		}
	}
}

func TestDetectDarija(t *testing.T) {
	// Darija written for the test, not from the dev set, by script.
	darija := map[string][]string{
		"latn": {
			"chkoun howa ra2is l7okouma?",
			"ch7al dyal lflous khessat lwizara l ta3lim?",
			"wach lmghrib 3ndo strategie f l'intelligence artificielle?",
			"Wach kayn chi 9anoun 3la l'IA f lmghrib?",
			"3lach l'IA mohimma?",
			"imta bda lprojet dyal TGV?",
		},
		"arab": {
			"شحال ديال الفلوس عطات الحكومة للتعليم؟",
			"واش المغرب عندو استراتيجية فالذكاء الاصطناعي؟",
			"فين غادي يبنيو المعمل الجديد؟",
			"كيفاش كاتشوف الوزارة مستقبل الشباب؟",
		},
		// Digits among letters, initials and names that are not Arabizi;
		// MSA with a Latin formula or the MSA "خاص" (special).
		"": {
			"Quel est le prix du mp3 en 2005 ?",
			"Qui a gagné la F1 en 2019 ?",
			"Le G7 s'est réuni à 9h30 le 3e jour.",
			"Li Keqiang a-t-il visité le Maroc ?",
			"What is the 3rd largest city in Morocco?",
			"Combien d'abonnés à la 4G et à la 5G fin 2020 ?",
			"Who wrote about the B2B and p2p markets in 2010?",
			"covid19 a fait combien de morts ?",
			"Est-ce que le gpt3 est meilleur que llama2 ?",
			"ما هي الدول التي حضرت المؤتمر في الرباط؟",
			"تتوفر طرق سريعة بشكل خاص لأعداد النماذج الخاصة",
			"يمكن حل مسألة القرار A في الوقت f(n) إذا كانت الآلة تعمل في الزمن f(n).",
			"",
			"2023 ?",
		},
	}
	for want, texts := range darija {
		for _, text := range texts {
			ok, script := DetectDarija(text)
			if ok != (want != "") || ok && script != want {
				t.Errorf("DetectDarija(%q) = %v, %q; want Darija in script %q", text, ok, script, want)
			}
		}
	}
}

func TestDarijaQuery(t *testing.T) {
	tests := []struct {
		text, latin, arabic string
	}{
		{
			"3lach bghat Mezzour système dyal l'IA f lmghrib?",
			"Mezzour système l'IA", "المغرب",
		},
		{
			"kifach lwizara kat3awen les secteurs ystafdo mn la révolution technologique?",
			"les secteurs la révolution technologique", "الوزارة تعاون يستافدو",
		},
		{
			"f ach khass lmghrib yzid yistatmer bach ynje7 f l'IA 3la 7sab Maha Gmira?",
			"l'IA Maha Gmira", "المغرب يزيد يستاتمر ينجح",
		},
		{
			"ach khass ykoun l kolchi f l'IA 3la 7sab UNESCO, b7al b7al?",
			"l'IA UNESCO", "",
		},
		{
			"على شنو هضرو الخبراء فالپانلات ديال الكولوك؟",
			"", "الخبراء الپانلات الكولوك",
		},
		{
			"شنو غادي يجيب السيستيم ديال الذكاء الاصطناعي للمغرب حسب الوزيرة؟",
			"", "يجيب السيستيم الذكاء الاصطناعي المغرب الوزيرة",
		},
		{
			"علاش المغرب مزيان باش يدير النماذج ديالو ديال اللغة؟",
			"", "المغرب يدير النماذج اللغة",
		},
		{
			"شكون هي الوزيرة اللي هضرات فالكولوك ديال سلا على الذكاء الاصطناعي؟",
			"", "الوزيرة الكولوك سلا الذكاء الاصطناعي",
		},
		// Written for the test.
		{"ch7al dyal lflous khessat lwizara l ta3lim f 2024?", "2024", "الأموال خسات الوزارة التعليم 2024"},
		{"chnou galt lwazira 3la les start-ups?", "galt les start-ups", "الوزيرة"},
		{"واش Ghita Mezzour هضرات على الذكاء الاصطناعي؟", "Ghita Mezzour", "الذكاء الاصطناعي"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			latin, arabic := DarijaQuery(tt.text)
			if diff := cmp.Diff([]string{tt.latin, tt.arabic}, []string{latin, arabic}); diff != "" {
				t.Errorf("DarijaQuery(%q) (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

func TestAskerLangSearchLangAndTransliterate(t *testing.T) {
	funcs := map[string]struct {
		f     func(string) string
		cases map[string]string
	}{
		"AskerLang": {AskerLang, map[string]string{
			"3lach bghat Mezzour système dyal l'IA f lmghrib?":                    "fr",
			"شكون هي الوزيرة اللي هضرات فالكولوك ديال سلا على الذكاء الاصطناعي؟":  "ar",
			"Quel est le rôle de la ministre dans le colloque sur l'IA ?":         "fr",
			"What did the minister say about artificial intelligence in Morocco?": "en",
			"ما هو دور الوزيرة في ندوة الذكاء الاصطناعي؟":                         "ar",
			"Bonjour": "",
		}},
		"SearchLang": {SearchLang, map[string]string{
			"3lach bghat Mezzour système dyal l'IA f lmghrib?":                   LangDarija,
			"شكون هي الوزيرة اللي هضرات فالكولوك ديال سلا على الذكاء الاصطناعي؟": LangDarija,
			"Quel est le rôle de la ministre dans le colloque sur l'IA ?":        "fr",
			"ما هو دور الوزيرة في ندوة الذكاء الاصطناعي؟":                        "ar",
		}},
		"transliterate": {transliterate, map[string]string{
			"ynje7": "ينجح", "t3awen": "تعاون", "kat3awen": "تعاون", "lkhobara": "الخوبارة",
			"nnas": "الناس", "chbab": "شباب", "ghadi": "غادي", "ra2is": "راءيس", "système": "",
		}},
	}
	for name, fc := range funcs {
		for in, want := range fc.cases {
			if got := fc.f(in); got != want {
				t.Errorf("%s(%q) = %q, want %q", name, in, got, want)
			}
		}
	}
}

func TestIsArabizi(t *testing.T) {
	for _, w := range strings.Fields("3lach ch7al ynje7 7sab m3a kat3awen 9anoun Ch7al") {
		if !isArabizi(w) {
			t.Errorf("isArabizi(%q) = false, want true", w)
		}
	}
	for _, w := range strings.Fields("mp3 ps5 gpt3 G7 CO2 b2b 3e 2nd 5km 9h30 covid19 2024 4G 1er système") {
		if isArabizi(w) {
			t.Errorf("isArabizi(%q) = true, want false", w)
		}
	}
}

func FuzzDarija(f *testing.F) {
	for _, s := range []string{
		"3lach bghat Mezzour système dyal l'IA f lmghrib?",
		"شكون هي الوزيرة اللي هضرات فالكولوك ديال سلا على الذكاء الاصطناعي؟",
		"Le G7 s'est réuni à 9h30 le 3e jour.",
		"ll'' -- 7 ـ فال لل كا \xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		ok, script := DetectDarija(text)
		if script != "" && script != "latn" && script != "arab" || ok && script == "" {
			t.Errorf("DetectDarija(%q) = %v, %q", text, ok, script)
		}
		latin, arabic := DarijaQuery(text)
		for _, part := range []string{latin, arabic} {
			if utf8.ValidString(text) && !utf8.ValidString(part) {
				t.Errorf("DarijaQuery(%q): invalid UTF-8 %q", text, part)
			}
			if part != strings.Join(strings.Fields(part), " ") {
				t.Errorf("DarijaQuery(%q): part %q is not single-spaced", text, part)
			}
		}
		_ = AskerLang(text)
	})
}
