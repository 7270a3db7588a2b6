// Package lexicon translates questions word by word with bilingual
// dictionaries (a stand-in until the dictionary reader lands).
package lexicon

// Term is one content word of a question and its translations.
type Term struct {
	Source       string   // the word as folded (nlp.Fold) in the question
	Alternatives []string // its translations, folded, best first
}
