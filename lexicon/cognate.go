package lexicon

import (
	"strings"
	"unicode/utf8"
)

// cognateEndings lists, for English and French, the word endings the two
// languages trade for one another, e.g. "-ty" for "-té": English
// "society" is French "société", folded "societe". Each pair reads
// {English, French}. FreeDict's eng-fra and fra-eng hold 9k words between
// them and miss many a news word both languages write alike or nearly
// ("expert", "concept", "économique").
var cognateEndings = [...][2]string{
	{"ty", "te"}, {"ical", "ique"}, {"ic", "ique"}, {"ism", "isme"}, {"ist", "iste"},
	{"ous", "eux"}, {"ive", "if"}, {"ary", "aire"}, {"ory", "oire"}, {"or", "eur"},
	{"ization", "isation"}, {"ize", "iser"}, {"cy", "tie"}, {"y", "ie"}, {"al", "el"},
	{"ian", "ien"}, {"an", "ain"}, {"ese", "ais"}, {"ia", "ie"}, {"ber", "bre"}, {"ter", "tre"},
	{"tional", "tionnel"},
}

// cognates returns the folded Latin-script word w (or its singular) as it
// may be written in the other language, from ("en" or "fr") to the other:
// the word itself, then the word with the longest of cognateEndings it
// ends with traded (in each way). A plural s comes off a stem longer than minStem
// letters ("news" is not "new"); an ending is traded off one of at least
// minStem.
// Nothing for other languages. A form that is no word of the target
// language is harmless (no passage holds it); the cost is a false friend.
func cognates(w, from string) []string {
	src, dst := 0, 1
	switch from {
	case "en":
	case "fr":
		src, dst = 1, 0
	default:
		return nil
	}
	bases := []string{w}
	if s, ok := strings.CutSuffix(w, "s"); ok && utf8.RuneCountInString(s) > minStem {
		bases = append(bases, s)
	}
	var out []string
	for _, b := range bases {
		out = appendNew(out, b)
		// Only the longest ending traded ("traditional" is "traditionnel",
		// not "traditionel" too), in each of its ways ("économique":
		// "economical", "economic").
		var traded []string
		longest := 0
		for _, e := range cognateEndings {
			stem, ok := strings.CutSuffix(b, e[src])
			if !ok || utf8.RuneCountInString(stem) < minStem || len(e[src]) < longest {
				continue
			}
			if len(e[src]) > longest {
				longest, traded = len(e[src]), nil
			}
			traded = append(traded, stem+e[dst])
		}
		for _, c := range traded {
			out = appendNew(out, c)
		}
	}
	return out
}

// withFinalE returns the English word w, or its singular, with the French
// final e a rare word of at least five letters may take ("sporocarps":
// "sporocarpe"); common words would make false friends ("port": "porte").
// A word ending in e takes none.
func withFinalE(w string) []string {
	b := strings.TrimSuffix(w, "s")
	if utf8.RuneCountInString(b) < 5 || strings.HasSuffix(b, "e") || strings.HasSuffix(b, "s") {
		return nil
	}
	return []string{b + "e"}
}
