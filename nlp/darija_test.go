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
	tests := []struct {
		text   string
		want   bool
		script string
	}{
		// Darija written for the test, not from the dev set.
		{"chkoun howa ra2is l7okouma?", true, "latn"},
		{"ch7al dyal lflous khessat lwizara l ta3lim?", true, "latn"},
		{"wach lmghrib 3ndo strategie f l'intelligence artificielle?", true, "latn"},
		{"Wach kayn chi 9anoun 3la l'IA f lmghrib?", true, "latn"},
		{"3lach l'IA mohimma?", true, "latn"},
		{"imta bda lprojet dyal TGV?", true, "latn"},
		{"شحال ديال الفلوس عطات الحكومة للتعليم؟", true, "arab"},
		{"واش المغرب عندو استراتيجية فالذكاء الاصطناعي؟", true, "arab"},
		{"فين غادي يبنيو المعمل الجديد؟", true, "arab"},
		{"كيفاش كاتشوف الوزارة مستقبل الشباب؟", true, "arab"},
		// Digits among letters, initials and names that are not Arabizi.
		{"Quel est le prix du mp3 en 2005 ?", false, "latn"},
		{"Qui a gagné la F1 en 2019 ?", false, "latn"},
		{"Le G7 s'est réuni à 9h30 le 3e jour.", false, "latn"},
		{"Li Keqiang a-t-il visité le Maroc ?", false, "latn"},
		{"What is the 3rd largest city in Morocco?", false, "latn"},
		{"Combien d'abonnés à la 4G et à la 5G fin 2020 ?", false, "latn"},
		{"Who wrote about the B2B and p2p markets in 2010?", false, "latn"},
		{"covid19 a fait combien de morts ?", false, "latn"},
		{"Est-ce que le gpt3 est meilleur que llama2 ?", false, "latn"},
		{"ما هي الدول التي حضرت المؤتمر في الرباط؟", false, "arab"},
		{"تتوفر طرق سريعة بشكل خاص لأعداد النماذج الخاصة", false, "arab"},
		{"يمكن حل مسألة القرار A في الوقت f(n) إذا كانت الآلة تعمل في الزمن f(n).", false, "arab"},
		{"", false, ""},
		{"2023 ?", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			ok, script := DetectDarija(tt.text)
			if ok != tt.want || script != tt.script {
				t.Errorf("DetectDarija(%q) = %v, %q, want %v, %q", tt.text, ok, script, tt.want, tt.script)
			}
		})
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

func TestAskerLang(t *testing.T) {
	tests := []struct{ text, want string }{
		{"3lach bghat Mezzour système dyal l'IA f lmghrib?", "fr"},
		{"شكون هي الوزيرة اللي هضرات فالكولوك ديال سلا على الذكاء الاصطناعي؟", "ar"},
		{"Quel est le rôle de la ministre dans le colloque sur l'IA ?", "fr"},
		{"What did the minister say about artificial intelligence in Morocco?", "en"},
		{"ما هو دور الوزيرة في ندوة الذكاء الاصطناعي؟", "ar"},
		{"Bonjour", ""},
	}
	for _, tt := range tests {
		if got := AskerLang(tt.text); got != tt.want {
			t.Errorf("AskerLang(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestIsArabizi(t *testing.T) {
	tests := []struct {
		word string
		want bool
	}{
		{"3lach", true}, {"ch7al", true}, {"ynje7", true}, {"7sab", true}, {"m3a", true},
		{"kat3awen", true}, {"9anoun", true}, {"Ch7al", true},
		{"mp3", false}, {"ps5", false}, {"gpt3", false}, {"G7", false}, {"CO2", false},
		{"b2b", false}, {"3e", false}, {"2nd", false}, {"5km", false}, {"9h30", false},
		{"covid19", false}, {"2024", false}, {"4G", false}, {"1er", false}, {"système", false},
	}
	for _, tt := range tests {
		if got := isArabizi(tt.word); got != tt.want {
			t.Errorf("isArabizi(%q) = %v, want %v", tt.word, got, tt.want)
		}
	}
}

func TestTransliterate(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ynje7", "ينجح"},
		{"t3awen", "تعاون"},
		{"kat3awen", "تعاون"},
		{"lkhobara", "الخوبارة"},
		{"nnas", "الناس"},
		{"chbab", "شباب"},
		{"ghadi", "غادي"},
		{"ra2is", "راءيس"},
		{"système", ""},
	}
	for _, tt := range tests {
		if got := transliterate(tt.in); got != tt.want {
			t.Errorf("transliterate(%q) = %q, want %q", tt.in, got, tt.want)
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
