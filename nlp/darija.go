package nlp

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// LangDarija is the ISO 639-3 code of Moroccan Arabic (Darija), which
// members write in Latin script with digits ("Arabizi") or in Arabic script.
const LangDarija = "ary"

// Darija function words in Latin script, folded (see Fold). The strong ones
// are not French or English words, so one of them with any other sign of
// Darija is enough; the weak ones ("f", "l", "li", "mn") occur in French or
// English text now and then (initials, abbreviations) and count only with
// others. DarijaQuery drops both, and the auxiliary verbs of dropLatin.
var (
	darijaLatinStrong = wordSet(`
dyal dial diyal dyali dyalo dyalou dyalha dyalhom dyalna dyalek dyalk dyalkom
chno chnou chnu chnoua chnowa achno achnou chnahowa chnahiya
wach wash wech ouach kifach kifash kifax kifch kifech
3lach 3lache 3lash 3lax 3lah 3la 3and 3nd 3ndo 3ndna m3a ma3a m3ak m3ah
bach bash bax khass khas khasso khassna khasha khassek khasshom
kayn kayna kaynin kayen kaina makaynch makaynach ghadi ghadia ghadin ghaykoun ghatkoun
hadchi hadak hadik hadok hada hadi hado dakchi dak dik dok
daba dba bzaf bezzaf bzzaf mzyan mezyan mzian mzyana
chkoun chkon chkun chkoune achkoun chkouna chkounhoma
imta emta fach fash fayn mnin mnine mnayn ch7al chhal chehal chal
kolchi koulchi kulshi kolshi walo walou b7al bhal b7alha b7alo kter ktar ktir
chwiya chwia chouia 7ta 7tta hatta
bgha bghat bghaw bghit bghina bghiti kanbghi kaybghi
fiha fih fihom fihoum fihum 3lih 3liha 3lihom lih liha lihom mnha mno mnhom
wla wela walakin lakin walakine
nta nti ntoma howa houwa hiya hia homa houma hna 7na 7nan
rah raha rahom wakha safi zwin mazal ba9i ma3rftch ma3rft
lli elli illi
ymken ymkn imken ykoun ykounou ykono tkoun ykon kayna
smiya smiyto smito 7sab hsab 3la7sab
`)
	darijaLatinWeak = wordSet(`f fl fel fi fin l li mn w o ach ash ila chi shi ana ki gha ra kan kant bla`)
)

// Darija function words in Arabic script, folded. The strong ones are not
// Modern Standard Arabic; the weak ones are also MSA words, rare in
// questions ("لي" to me, "ماشي" walking, "بلا" without, "خاص" special).
var (
	darijaArabicStrong = foldedSet(`
ديال ديالو ديالها ديالهم ديالنا ديالي ديالك ديالكم ديالهوم
شنو شنوا اشنو آشنو شنهو شنهي شنوة
علاش علاه شكون اشكون شكونة كيفاش كيداير فين فاين منين وقتاش فوقاش امتى إمتى فاش
واش باش غادي غادية غاديين غانمشي غايكون غاتكون
اللي دابا بزاف بزّاف هادشي هاداك هاديك هادوك هادا هاد هادو داكشي داك ديك دوك
شحال مزيان مزيانة كاين كاينة كاينين كاينا ماكاينش واخا زعما
بغيت بغا بغات بغاو بغينا خاصو خاصها خاصنا خصنا خاصهم خاصك
حيت كولشي كلشي والو بحال شوية هضر هضرو هضرات هضرت كيهضر كيهضرو
راه راها راهم حنا نتا نتي هوما
`)
	darijaArabicWeak = foldedSet(`لي ماشي بلا شي بلي خاص`)
)

// dropArabic lists the words DarijaQuery also drops from Arabic-script
// questions: the framing of "according to" and copulas, folded.
var dropArabic = foldedSet(`حسب حساب هي هو هما`)

// foldedSet is wordSet over the folded (see Fold) words of s.
func foldedSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[Fold(w)] = true
	}
	return m
}

// arabiziDigits maps the digits Arabizi writes for Arabic letters.
var arabiziDigits = map[byte]string{
	'2': "ء", '3': "ع", '5': "خ", '6': "ط", '7': "ح", '8': "غ", '9': "ق",
}

// arabiziWords maps frequent Darija content words written in Latin script,
// folded, to the Arabic-script word a news article would use, where
// letter-by-letter transliteration would miss it (short vowels are not
// written in Arabic: "lmghrib" → المغرب, not المغريب).
var arabiziWords = map[string]string{
	"lmghrib": "المغرب", "mghrib": "المغرب", "lmaghrib": "المغرب", "maghrib": "المغرب", "lmeghrib": "المغرب",
	"lwizara": "الوزارة", "wizara": "الوزارة", "lwazir": "الوزير", "wazir": "الوزير", "lwazira": "الوزيرة", "wazira": "الوزيرة",
	"l7okouma": "الحكومة", "7okouma": "الحكومة", "lhokouma": "الحكومة", "hokouma": "الحكومة", "l7ukuma": "الحكومة",
	"lmalik": "الملك", "malik": "الملك", "l9anoun": "القانون", "9anoun": "القانون", "lqanoun": "القانون",
	"lblad": "البلاد", "blad": "البلاد", "ddawla": "الدولة", "dawla": "الدولة",
	"lkhedma": "العمل", "khedma": "العمل", "lkhdma": "العمل", "lflous": "الأموال", "flous": "الأموال",
	"sbitar": "المستشفى", "sbitarat": "المستشفيات", "lmdrasa": "المدرسة", "mdrasa": "المدرسة", "lmdaris": "المدارس",
	"ta3lim": "التعليم", "tta3lim": "التعليم", "sa7a": "الصحة", "ssa7a": "الصحة",
	"l9tisad": "الاقتصاد", "l2iqtisad": "الاقتصاد", "iqtisad": "الاقتصاد", "chabab": "الشباب", "chbab": "الشباب", "nnas": "الناس", "nas": "الناس",
	"l3alam": "العالم", "3alam": "العالم", "dka2": "الذكاء", "ddaka2": "الذكاء", "dakaa": "الذكاء", "stina3i": "الاصطناعي", "l2istina3i": "الاصطناعي",
	"lkhobara": "الخبراء", "khobara": "الخبراء", "lkhoubara": "الخبراء", "lmochkil": "المشكل", "mochkil": "المشكل", "lmochkil2": "المشكل",
	"jab": "جاب", "jabt": "جابت", "jabet": "جابت", "dar": "دار", "darat": "دارت", "dart": "دارت",
	"lmadina": "المدينة", "lmdina": "المدينة", "mdina": "المدينة", "lmodon": "المدن", "mdoun": "المدن", "lmdoun": "المدن",
	"rabat": "الرباط", "rbat": "الرباط", "ddarbida": "الدار البيضاء", "kaza": "الدار البيضاء",
}

// DetectDarija reports whether text is Moroccan Arabic (Darija) rather than
// English, French or Modern Standard Arabic, and in which script, "latn" or
// "arab" (the script of most of its letters; "" when it has none).
// In Latin script the signs are Arabizi words (a digit 2/3/5/7/9 among
// letters, as in "3lach", "ch7al", "ynje7") and Darija function words
// (dyal, chno, wach, kifach, bach, khass; weaker: f, l, li, mn), and
// words with the Darija article or verb prefix ("lmghrib", "yzid"); one
// strong sign is enough only when few French or English stop words
// contradict it. In Arabic script one Darija function word (ديال، شنو،
// علاش، شكون، واش، باش، غادي، كيفاش، فين، اللي، دابا، بزاف…) or two weak
// signs (the glued preposition of فالكولوك, "لي") are enough.
func DetectDarija(text string) (isDarija bool, script string) {
	letters, arabic := countLetters(text)
	if letters == 0 {
		return false, ""
	}
	script = "latn"
	if arabic*2 > letters {
		script = "arab"
	}
	// Evidence counts distinct words of the text's script only: a
	// formula's "f(n)" in an Arabic sentence is no Darija.
	strong, weak, other := 0, 0, 0
	seen := map[string]bool{}
	for _, tok := range darijaTokens(text) {
		w := Fold(tok.text)
		if tok.arabic != (script == "arab") || seen[w] {
			continue
		}
		seen[w] = true
		if tok.arabic {
			switch {
			case darijaArabicStrong[w]:
				strong++
			case darijaArabicWeak[w] || gluedFa(w):
				weak++
			}
			continue
		}
		if tok.name {
			continue
		}
		switch {
		case darijaLatinStrong[w] || isArabizi(tok.text):
			strong++
		case darijaLatinWeak[w] || darijaArticle(w) || darijaVerb(w):
			weak++
		}
		if i := strings.LastIndexByte(w, '\''); i >= 0 {
			w = w[i+1:]
		}
		if frenchWords[w] || englishWords[w] {
			other++
		}
		if strings.ContainsAny(tok.text, "éèêàçùâîôûÉÈÊÀÇ") {
			other++
		}
	}
	if script == "arab" {
		return strong >= 1 || weak >= 2, script
	}
	return strong >= 2 || strong >= 1 && (weak >= 1 || other <= 1), script
}

// DarijaQuery rewrites a Darija question for retrieval and returns its
// Latin-script part and its Arabic-script part, each a space-separated list
// of words, so the caller can search each in its language. It drops Darija
// function words in both scripts (and Arabic stop words); keeps names
// (capitalized words such as "Maha Gmira", acronyms such as "UNESCO") and
// French words, elisions included ("l'IA"), in the Latin part; writes
// Arabizi words (a digit among letters, the Darija article or verb prefix,
// or a known word: "lmghrib" → المغرب) in Arabic script (ch, sh → ش; kh →
// خ; gh → غ; ou → و; 3 → ع, 7 → ح, 9 → ق, 2 → ء, 5 → خ); and strips the
// Darija clitics of Arabic-script words (فالكولوك → الكولوك, للمغرب →
// المغرب, كاتعاون → تعاون). Numbers go to both parts.
func DarijaQuery(text string) (latin, arabic string) {
	var lat, ara []string
	for _, tok := range darijaTokens(text) {
		w := Fold(tok.text)
		switch {
		case IsDigits(w):
			lat = append(lat, tok.text)
			ara = append(ara, tok.text)
		case tok.arabic:
			if a := arabicContent(tok.text); a != "" {
				ara = append(ara, a)
			}
		case tok.name:
			lat = append(lat, tok.text)
		case darijaLatinStrong[w] || darijaLatinWeak[w] || utf8.RuneCountInString(w) < 2:
			// a function word
		case strings.ContainsRune(w, '\''):
			lat = append(lat, tok.text) // French elision: l'IA, d'une
		case arabiziWords[w] != "":
			ara = append(ara, arabiziWords[w])
		case isArabizi(tok.text) || darijaArticle(w) || darijaVerb(w) || !frenchOnset(w) && isLetters(w):
			if a := transliterate(w); a != "" {
				ara = append(ara, a)
			}
		default:
			lat = append(lat, tok.text)
		}
	}
	return strings.Join(lat, " "), strings.Join(ara, " ")
}

// SearchLang returns the language a question is searched in: LangDarija
// when DetectDarija says so, else DetectLang's answer.
func SearchLang(text string) string {
	if darija, _ := DetectDarija(text); darija {
		return LangDarija
	}
	return DetectLang(text)
}

// AskerLang returns the language the bot should answer text in: "ar" for
// Darija in Arabic script, "fr" for Darija in Latin script (members who
// write Arabizi read French), and otherwise DetectLang's answer.
func AskerLang(text string) string {
	if ok, script := DetectDarija(text); ok {
		if script == "arab" {
			return "ar"
		}
		return "fr"
	}
	return DetectLang(text)
}

// darijaToken is one word of a question: letters, digits, inner
// apostrophes and hyphens.
type darijaToken struct {
	text   string
	arabic bool // it has an Arabic letter
	// name: capitalized or upper-case (not as the first word of a
	// sentence, where any word is capitalized), a name or an acronym.
	name bool
}

// darijaTokens splits text into words, typographic apostrophes made
// ASCII, noting which are Arabic and which are names.
func darijaTokens(text string) []darijaToken {
	var out []darijaToken
	sentenceStart := true
	var b strings.Builder
	flush := func() {
		w := strings.Trim(b.String(), "'-")
		b.Reset()
		if w == "" {
			return
		}
		t := darijaToken{text: w}
		upper, lower := 0, 0
		for _, r := range w {
			switch {
			case unicode.Is(unicode.Arabic, r) && unicode.IsLetter(r):
				t.arabic = true
			case unicode.IsUpper(r):
				upper++
			case unicode.IsLower(r):
				lower++
			}
		}
		first, _ := utf8.DecodeRuneInString(w)
		t.name = !t.arabic && (upper >= 2 && lower == 0 || unicode.IsUpper(first) && !sentenceStart)
		out = append(out, t)
		sentenceStart = false
	}
	for _, r := range text {
		switch {
		case r == '’' || r == '\'' || r == 'ʼ':
			b.WriteByte('\'')
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || r == '-' || r == 0x640:
			b.WriteRune(r)
		default:
			flush()
			if strings.ContainsRune(".?!؟:\n", r) {
				sentenceStart = true
			}
		}
	}
	flush()
	return out
}

// isArabizi reports whether the Latin-script word w writes Arabic letters
// with digits: a 2, 3, 5, 6, 7, 8 or 9 next to a letter, in a word of at
// least three letters ("3lach", "ch7al", "ynje7"), or of two with the digit
// between them ("m3a"). Acronyms and codes (G7, CO2, B2B), ordinals and
// units (3e, 2nd, 5km, 9h30), tech names with a trailing digit (mp3, ps5)
// and runs of digits (covid19) are not Arabizi.
func isArabizi(w string) bool {
	letters, digits, upper := 0, 0, 0
	prevDigit := false
	for i, r := range w {
		switch {
		case r >= '0' && r <= '9':
			if prevDigit || arabiziDigits[byte(r)] == "" {
				return false
			}
			digits++
			prevDigit = true
			continue
		case r < 0x80 && unicode.IsLetter(r):
			letters++
			if unicode.IsUpper(r) && i > 0 {
				upper++
			}
		default:
			return false // accents, apostrophes, other scripts
		}
		prevDigit = false
	}
	if digits == 0 || upper > 0 || letters < 2 {
		return false
	}
	lw := strings.ToLower(w)
	if unitOrOrdinal(lw) {
		return false
	}
	last := lw[len(lw)-1]
	inner := false
	for i := 1; i < len(lw)-1; i++ {
		if isDigitByte(lw[i]) && !isDigitByte(lw[i-1]) && !isDigitByte(lw[i+1]) {
			inner = true
		}
	}
	switch {
	case inner:
		return letters >= 3 || len(lw) == 3 && !isVowelByte(lw[0]) && isVowelByte(lw[2]) // m3a, not b2b
	case isDigitByte(last):
		// A trailing digit: ynje7, sa7, tla3, but not mp3, ps5, gpt3.
		return (last == '7' || last == '3' || last == '9') && letters >= 3 && strings.ContainsAny(lw[:len(lw)-1], "aeiou")
	}
	return letters >= 2 // a leading digit: 3lach, 7sab, 9bel
}

// unitOrOrdinal reports whether w is a number followed by the letters of
// an ordinal, a unit or a time ("3e", "2nd", "5km", "9h30", "7h").
func unitOrOrdinal(w string) bool {
	i := 0
	for i < len(w) && isDigitByte(w[i]) {
		i++
	}
	if i == 0 {
		return false
	}
	rest := w[i:]
	if j := strings.IndexByte(rest, 'h'); j == 0 && IsDigits(rest[1:]) {
		return true // 9h30
	}
	switch rest {
	case "e", "er", "re", "eme", "nd", "rd", "th", "st", "es", "ers", "emes", "ieme",
		"km", "kg", "mm", "cm", "m", "g", "h", "min", "mn", "s", "ms", "l", "ml", "k", "md", "mds", "mrd", "mrds",
		"dh", "dhs", "mad", "ans", "an", "x", "gb", "go", "mb", "mo", "ko", "kb", "tb", "to", "kw", "mw", "gw", "kwh",
		"hz", "mhz", "ghz", "px", "pm", "am", "d", "g4", "eur", "usd", "pts", "pt", "t", "j":
		return true
	}
	return false
}

func isDigitByte(c byte) bool { return c >= '0' && c <= '9' }

func isVowelByte(c byte) bool { return strings.IndexByte("aeiouy", c) >= 0 }

// isASCIIWord reports whether w is made of ASCII letters and digits.
func isASCIIWord(w string) bool {
	for i := 0; i < len(w); i++ {
		c := w[i]
		if !(c >= 'a' && c <= 'z' || isDigitByte(c)) {
			return false
		}
	}
	return w != ""
}

// isLetters reports whether w is made of ASCII letters only.
func isLetters(w string) bool {
	return isASCIIWord(w) && strings.IndexAny(w, "0123456789") < 0
}

// darijaArticle reports whether the folded Latin word starts with the
// Darija article "l" glued to a consonant ("lmghrib", "lwizara"), which no
// French or English word does (but "ll" in "llama").
func darijaArticle(w string) bool {
	return len(w) > 3 && w[0] == 'l' && isConsonant(w[1]) && w[1] != 'l' && isASCIIWord(w)
}

// darijaVerb reports whether the folded Latin word starts with the verb
// prefix "y" before a consonant ("yzid", "ynje7", "ystafdo") or before
// "i" and two consonants ("yistatmer"), or "ka"/"ta"
// before "t", "y" or "n" and a consonant ("kat3awen", "kaydir").
func darijaVerb(w string) bool {
	if !isASCIIWord(w) || len(w) < 4 {
		return false
	}
	if w[0] == 'y' && (isConsonant(w[1]) && w[1] != 'y' || w[1] == 'i' && len(w) > 4 && isConsonant(w[2]) && isConsonant(w[3])) {
		return true // yzid, ynje7, yistatmer
	}
	return (strings.HasPrefix(w, "ka") || strings.HasPrefix(w, "ta")) &&
		strings.IndexByte("tyn", w[2]) >= 0 && len(w) > 4 && !isVowelByte(w[3])
}

func isConsonant(c byte) bool { return c >= 'a' && c <= 'z' && !isVowelByte(c) }

// frenchOnset reports whether the folded word starts as a French or
// English word can: a vowel, or a consonant followed by a vowel or by a
// consonant they allow ("bl", "tr", "ch"…). "bghat", "mghrib" and "jbed"
// do not.
func frenchOnset(w string) bool {
	if len(w) < 2 || !isConsonant(w[0]) || !isConsonant(w[1]) {
		return true
	}
	switch w[:2] {
	case "bl", "br", "ch", "cl", "cr", "dr", "fl", "fr", "gl", "gn", "gr", "kl", "kn", "kr", "ph", "pl", "pn", "pr", "ps", "pt",
		"rh", "sc", "sh", "sk", "sl", "sm", "sn", "sp", "sq", "st", "sv", "sw", "th", "tr", "ts", "tw", "vr", "wh", "wr", "qu", "dj", "zw", "sy", "ty", "dy", "ly", "my", "ny", "py", "ry", "hy", "cy", "gy":
		return true
	}
	return false
}

// gluedFa reports whether the folded Arabic word is the Darija preposition
// "ف" ("in") glued to a noun with its article, as in فالكولوك.
func gluedFa(w string) bool {
	return strings.HasPrefix(w, "فال") && utf8.RuneCountInString(w) >= 6
}

// verbPrefixArabic strips the Darija durative prefix "كا" from a verb
// (كاتعاون → تعاون, كايدير → يدير) and returns the word unchanged
// otherwise.
func verbPrefixArabic(w string) string {
	rest, ok := strings.CutPrefix(w, "كا")
	if !ok || utf8.RuneCountInString(rest) < 4 {
		return w
	}
	if r, _ := utf8.DecodeRuneInString(rest); r == 'ت' || r == 'ي' || r == 'ن' {
		return rest
	}
	return w
}

// arabicContent returns the Arabic-script word w without Darija clitics,
// or "" when it is a function word.
func arabicContent(w string) string {
	f := Fold(w)
	if darijaArabicStrong[f] || darijaArabicWeak[f] || dropArabic[f] || IsStopWord([]byte(f)) {
		return ""
	}
	var b strings.Builder
	for _, r := range w {
		if !IsIgnorable(r) {
			b.WriteRune(r)
		}
	}
	w = b.String()
	n := utf8.RuneCountInString(w)
	switch {
	case strings.HasPrefix(w, "فال") && n >= 6:
		w = strings.TrimPrefix(w, "ف") // فالكولوك → الكولوك
	case strings.HasPrefix(w, "لل") && n >= 5:
		w = "ا" + strings.TrimPrefix(w, "ل") // للمغرب → المغرب
	default:
		w = verbPrefixArabic(w)
	}
	if f := Fold(w); darijaArabicStrong[f] || IsStopWord([]byte(f)) {
		return ""
	}
	return w
}

// arabiziLetters maps the Latin digraphs and letters of Arabizi to Arabic
// letters, longest first; vowels are handled by transliterate.
var arabiziLetters = []struct{ latin, arabic string }{
	{"ch", "ش"}, {"sh", "ش"}, {"kh", "خ"}, {"gh", "غ"}, {"th", "ث"}, {"dh", "ذ"},
	{"b", "ب"}, {"c", "ك"}, {"d", "د"}, {"f", "ف"}, {"g", "ك"}, {"h", "ه"}, {"j", "ج"},
	{"k", "ك"}, {"l", "ل"}, {"m", "م"}, {"n", "ن"}, {"p", "ب"}, {"q", "ق"}, {"r", "ر"},
	{"s", "س"}, {"t", "ت"}, {"v", "ف"}, {"w", "و"}, {"x", "ش"}, {"y", "ي"}, {"z", "ز"},
}

// transliterate writes the folded Arabizi word w in Arabic letters: the
// glued article ("l", or a doubled sun letter as in "ddawla") becomes ال,
// the durative "ka"/"ta" of verbs is dropped, digits stand for their
// letters, "a" for ا, "i" for ي, "o"/"ou"/"u" for و, "e" for nothing (a
// short vowel), a word-initial vowel for ا, a final "a" of a long word for
// ة, and doubled letters are written once. It returns "" for words with
// other characters.
func transliterate(w string) string {
	if !isASCIIWord(w) {
		return ""
	}
	var b strings.Builder
	switch {
	case darijaArticle(w):
		b.WriteString("ال")
		w = w[1:]
	case len(w) > 3 && isConsonant(w[0]) && w[0] == w[1]:
		b.WriteString("ال")
		w = w[1:]
	case darijaVerb(w) && w[0] != 'y':
		w = w[2:]
	}
	long := len(w) >= 4
	last := ""
	for i := 0; i < len(w); {
		var out string
		n := 1
		c := w[i]
		switch {
		case isDigitByte(c):
			out = arabiziDigits[c]
		case strings.HasPrefix(w[i:], "ou"):
			out, n = "و", 2
			if i == 0 {
				out = "ا"
			}
		case isVowelByte(c) && c != 'y':
			switch {
			case i == 0:
				out = "ا"
			case c == 'a' && i == len(w)-1 && long:
				out = "ة"
			case c == 'a':
				out = "ا"
			case c == 'i':
				out = "ي"
			case c == 'o' || c == 'u':
				out = "و"
			}
		default:
			for _, l := range arabiziLetters {
				if strings.HasPrefix(w[i:], l.latin) {
					out, n = l.arabic, len(l.latin)
					break
				}
			}
		}
		i += n
		if out == last && out != "" {
			continue // doubled letter, or "aa"
		}
		b.WriteString(out)
		if out != "" {
			last = out
		}
	}
	return b.String()
}
