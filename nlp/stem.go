package nlp

// Stem strips common inflectional and derivational endings of a folded word
// (see AppendFold): French and English suffixes for Latin script, light10's
// prefixes and suffixes for Arabic. It returns a subslice of word, never a
// copy.
func Stem(word []byte) []byte {
	if len(word) >= 2 && word[0] >= 0xD8 && word[0] <= 0xDB {
		return stemArabic(word)
	}
	return stemLatin(word)
}

func hasSuffix(b []byte, s string) bool {
	return len(b) >= len(s) && string(b[len(b)-len(s):]) == s
}

func hasPrefix(b []byte, s string) bool {
	return len(b) >= len(s) && string(b[:len(s)]) == s
}

// minLatinStem is the fewest bytes a Latin stem keeps.
const minLatinStem = 3

// stemLatin strips the longest matching suffix of a fixed French and
// English list.
func stemLatin(word []byte) []byte {
	for _, suf := range [...]string{
		"issements", "issement", "ements", "ement",
		"ations", "ation", "ments", "ment",
		"ities", "ness", "ings", "ing",
		"ites", "ite", "ity", "ies", "ees",
		"ee", "es", "ed", "s", "x", "e",
	} {
		if len(word)-len(suf) >= minLatinStem && hasSuffix(word, suf) {
			return word[:len(word)-len(suf)]
		}
	}
	return word
}

// arabicLetter is the UTF-8 length of an Arabic letter.
const arabicLetter = 2

// stemArabic is Larkey's light10 on normalized text (ة already folded to ه,
// ى to ي): a leading و, then one definite article, then suffixes, each only
// when at least two letters remain.
func stemArabic(word []byte) []byte {
	if len(word) >= 4*arabicLetter && hasPrefix(word, "و") {
		word = word[arabicLetter:]
	}
	for _, p := range [...]string{"وال", "بال", "كال", "فال", "لل", "ال"} {
		if len(word)-len(p) >= 2*arabicLetter && hasPrefix(word, p) {
			word = word[len(p):]
			break
		}
	}
	for _, s := range [...]string{"ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي"} {
		if len(word)-len(s) >= 2*arabicLetter && hasSuffix(word, s) {
			word = word[:len(word)-len(s)]
		}
	}
	return word
}
