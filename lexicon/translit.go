package lexicon

import (
	"strings"
	"unicode/utf8"
)

// latinToArabic maps digraphs and letters of a folded Latin name to Arabic
// letters, longest first, the way Arabic news spells foreign names
// ("macron" → "ماكرون", "paris" → "باريس"). A final or inner "e" is silent.
var latinToArabic = [...][2]string{
	{"ch", "ش"}, {"sh", "ش"}, {"kh", "خ"}, {"gh", "غ"}, {"th", "ث"},
	{"ph", "ف"}, {"ou", "و"}, {"oo", "و"}, {"qu", "ك"}, {"ck", "ك"},
	{"ee", "ي"}, {"ai", "ي"}, {"ei", "ي"},
	{"a", "ا"}, {"b", "ب"}, {"c", "ك"}, {"d", "د"}, {"e", ""}, {"f", "ف"},
	{"g", "ج"}, {"h", "ه"}, {"i", "ي"}, {"j", "ج"}, {"k", "ك"}, {"l", "ل"},
	{"m", "م"}, {"n", "ن"}, {"o", "و"}, {"p", "ب"}, {"q", "ق"}, {"r", "ر"},
	{"s", "س"}, {"t", "ت"}, {"u", "و"}, {"v", "ف"}, {"w", "و"}, {"x", "كس"},
	{"y", "ي"}, {"z", "ز"},
}

// toArabic transliterates a folded Latin word into Arabic letters, or
// returns "" when it has characters outside a-z. Doubled letters are
// written once; "c" before "e", "i" or "y" is "س"; an initial vowel is
// carried by alif.
func toArabic(w string) string {
	if len(w) < 2 {
		return ""
	}
	var b strings.Builder
	last := ""
	for i := 0; i < len(w); {
		if w[i] < 'a' || w[i] > 'z' {
			return ""
		}
		if i > 0 && w[i] == w[i-1] {
			i++
			continue
		}
		for _, m := range latinToArabic {
			if !strings.HasPrefix(w[i:], m[0]) {
				continue
			}
			ar := m[1]
			switch {
			case m[0] == "c" && i+1 < len(w) && strings.IndexByte("eiy", w[i+1]) >= 0:
				ar = "س"
			case i == 0 && strings.IndexByte("eiou", w[0]) >= 0:
				ar = "ا" + ar
			case m[0] == "e" && i+1 == len(w) && i > 0 && w[i-1] == 'i':
				ar = "ي"
			}
			if ar != last || ar == "" {
				b.WriteString(ar)
			}
			last = ar
			i += len(m[0])
			break
		}
	}
	if utf8.RuneCountInString(b.String()) < 2 {
		return ""
	}
	return b.String()
}

// arabicToLatin maps folded Arabic letters to Latin, French style (the
// archive's Latin-script articles are mostly French): ش "ch", و "ou".
var arabicToLatin = map[rune]string{
	'ا': "a", 'ء': "", 'ئ': "", 'ؤ': "", 'ب': "b", 'ت': "t", 'ث': "th",
	'ج': "j", 'ح': "h", 'خ': "kh", 'د': "d", 'ذ': "dh", 'ر': "r", 'ز': "z",
	'س': "s", 'ش': "ch", 'ص': "s", 'ض': "d", 'ط': "t", 'ظ': "z", 'ع': "a",
	'غ': "gh", 'ف': "f", 'ق': "k", 'ك': "k", 'ل': "l", 'م': "m", 'ن': "n",
	'ه': "a", 'و': "ou", 'ي': "i", 'پ': "p", 'ڤ': "v", 'گ': "g",
}

// toLatin transliterates a folded Arabic word, without its article, into
// Latin letters ("باريس" → "baris", "ماكرون" → "makroun"), or returns ""
// when a letter has no mapping or fewer than three letters result. Short
// vowels are not written in Arabic, so the result is a guess that matches
// only names spelled close to their Arabic skeleton.
func toLatin(w string) string {
	w = strings.TrimPrefix(w, "ال")
	var b strings.Builder
	for i, r := range w {
		lat, ok := arabicToLatin[r]
		if !ok {
			return ""
		}
		if r == 'ه' && i+len("ه") < len(w) {
			lat = "h" // ه is "a" only as a folded final ة
		}
		b.WriteString(lat)
	}
	if b.Len() < 3 {
		return ""
	}
	return b.String()
}

// arabicSkeleton maps Arabic letters to the consonant alphabet of
// dalil_skeleton (postgres migration 0012), the SQL function that gives a
// Latin word's skeleton: Arabic spells a foreign name's consonants, so
// مزور and Mezzour share m-s-r. Letters mapped to "" (long vowels, hamza,
// ع, ح, ه, ة) are dropped, as vowels, h, w and y are on the Latin side.
var arabicSkeleton = map[rune]string{
	'ب': "b", 'پ': "b", 'ت': "t", 'ث': "t", 'ط': "t", 'د': "d", 'ذ': "d", 'ض': "d", 'ظ': "d",
	'ز': "s", 'س': "s", 'ش': "s", 'ص': "s", 'چ': "s",
	'ج': "k", 'خ': "k", 'غ': "k", 'ق': "k", 'ك': "k", 'گ': "k",
	'ف': "f", 'ڤ': "f", 'ل': "l", 'م': "m", 'ن': "n", 'ر': "r",
	'ا': "", 'أ': "", 'إ': "", 'آ': "", 'ء': "", 'ؤ': "", 'ئ': "", 'ى': "", 'ي': "", 'و': "",
	'ع': "", 'ح': "", 'ه': "", 'ة': "",
}

// minSkeleton is the fewest consonants a skeleton worth looking up has:
// two match too many words.
const minSkeleton = 3

// ArabicSkeleton returns the consonant skeleton of an Arabic word
// without its article ("الأكاديين" → "kdn"), in dalil_skeleton's
// alphabet, or "" when a letter has no mapping or it has fewer than
// minSkeleton consonants.
func ArabicSkeleton(w string) string {
	w = strings.TrimPrefix(w, "ال")
	var b strings.Builder
	last := ""
	for _, r := range w {
		c, ok := arabicSkeleton[r]
		if !ok {
			return ""
		}
		if c != "" && c != last {
			b.WriteString(c)
		}
		if c != "" {
			last = c
		}
	}
	if b.Len() < minSkeleton {
		return ""
	}
	return b.String()
}
