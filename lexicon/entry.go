package lexicon

import (
	"slices"
	"strings"
	"unicode"

	"github.com/dalil-news/dalil/nlp"
)

// maxPhraseWords is the most words a translation may have: longer ones are
// definitions, not equivalents.
const maxPhraseWords = 3

// script says which writing system a language's words use.
type script int

const (
	latin script = iota
	arabic
)

// scriptOf returns the script of language lang ("ar" is Arabic, the rest
// Latin).
func scriptOf(lang string) script {
	if lang == "ar" {
		return arabic
	}
	return latin
}

// senseSplitter separates the senses within one line of an entry.
var senseSplitter = strings.NewReplacer(",", "\n", ";", "\n", "،", "\n", "؛", "\n", " - ", "\n")

// parseEntry returns the translations of one dictd entry, in sense order,
// folded (nlp.Fold) and cleaned: the headword line (with its pronunciation
// and grammatical notes) is skipped, senses are split on lines, "1."
// numbering, commas and semicolons, parenthetical notes are dropped, and so
// are translations of more than maxPhraseWords words or not written in the
// target script.
func parseEntry(body string, target script) []string {
	_, body, _ = strings.Cut(body, "\n") // the headword line
	var out []string
	for line := range strings.SplitSeq(body, "\n") {
		line = stripNotes(line)
		line = strings.TrimSpace(line)
		line = trimNumbering(line)
		for sense := range strings.SplitSeq(senseSplitter.Replace(line), "\n") {
			if t := cleanSense(sense, target, nlp.IsStopWord); t != "" && !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out
}

// trimNumbering removes a leading "12. " sense number.
func trimNumbering(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i > 0 && i < len(s) && s[i] == '.' {
		return strings.TrimSpace(s[i+1:])
	}
	return s
}

// stripNotes removes parenthetical and bracketed notes, grammatical notes
// (<n, fem>) and pronunciations (/…/); an unclosed note runs to the end of
// the line.
func stripNotes(s string) string {
	if !strings.ContainsAny(s, "([</") {
		return s
	}
	var b strings.Builder
	var closer rune
	for _, r := range s {
		if closer != 0 {
			if r == closer {
				closer = 0
			}
			continue
		}
		switch r {
		case '(':
			closer = ')'
		case '[':
			closer = ']'
		case '<':
			closer = '>'
		case '/':
			closer = '/'
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// leadingParticles are the words core.tsv's forms lose before them: the
// infinitive's "to" and the reflexive "se". Any other keeps the phrase
// whole: "غير مشروع" (illegal), "tout à fait", "a lot" and "on time" are
// not مشروع, "fait", "lot" and "time". (A dictionary's senses lose any
// leading stop word: "في الميدان", in the field, is الميدان.)
var leadingParticles = map[string]bool{"to": true, "se": true}

// isParticle reports whether w is one of leadingParticles.
func isParticle(w []byte) bool { return leadingParticles[string(w)] }

// cleanSense folds one translation and returns it, or "" when it is not
// usable: empty, too long, in the wrong script, or only function words.
// A leading word that drop says is a function word ("to exceed", "se
// terminer", "la maison": nlp.IsStopWord or isParticle) is dropped, and
// so is an elided l' or s' ("s'exprimer": exprimer), as a question's
// words are read.
func cleanSense(s string, target script, drop func([]byte) bool) string {
	words := strings.FieldsFunc(nlp.Fold(s), func(r rune) bool {
		return unicode.IsSpace(r) || r == '"' || r == '!' || r == '?' || r == '.' || r == ':' || r == '…'
	})
	for len(words) > 1 && drop([]byte(words[0])) {
		words = words[1:]
	}
	if len(words) > 0 {
		for _, elided := range []string{"l'", "s'"} {
			if rest, ok := strings.CutPrefix(words[0], elided); ok && len([]rune(rest)) >= 2 {
				words[0] = rest
			}
		}
	}
	if len(words) == 0 || len(words) > maxPhraseWords {
		return ""
	}
	if len(words) == 1 && (nlp.IsStopWord([]byte(words[0])) || len([]rune(words[0])) < 2) {
		return ""
	}
	for _, w := range words {
		if !inScript(w, target) {
			return ""
		}
	}
	return strings.Join(words, " ")
}

// inScript reports whether word has letters of script sc and none of the
// other script.
func inScript(word string, sc script) bool {
	letters := false
	for _, r := range word {
		switch {
		case unicode.Is(unicode.Arabic, r):
			if sc != arabic {
				return false
			}
			letters = letters || unicode.IsLetter(r)
		case unicode.IsLetter(r):
			if sc != latin || !unicode.Is(unicode.Latin, r) {
				return false
			}
			letters = true
		}
	}
	return letters
}
