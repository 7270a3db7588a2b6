package lexicon

// Words no dictionary translates are carried over into the other
// language: names, numbers, rare words.

// carriedAlike adds to a Latin word carried over between English and
// French (term) the forms the other language, to, may give it: its
// cognates and, for an English word, its form with a French final e
// (withFinalE). A rare word or a name is often written nearly alike,
// "Acadians" as "Acadiens", "sporocarps" as "sporocarpes". A form that is
// a word of to is left out: a name is no common word ("Monty" is not
// "monte", "Julie" not "July").
func (d *Dictionaries) carriedAlike(term Term, tok token, route []*direction, to string) Term {
	src := cognateSource(route)
	if src == "" || !term.Carried || tok.digits || tok.arabic || tok.acronym {
		return term
	}
	alike := cognates(tok.fold, src)
	if src == "en" && (!tok.upper || tok.initial) {
		alike = merge(alike, withFinalE(tok.fold))
	}
	var rare []string
	for _, f := range alike {
		if f == tok.fold || !d.knows(to, f) {
			rare = append(rare, f)
		}
	}
	term.Alternatives = merge(nil, term.Alternatives, rare)
	return term
}

// carry returns what an untranslated word becomes in the target script:
// numbers as ASCII digits, capitalized Latin words as they are (and
// transliterated into Arabic), Arabic words transliterated into Latin;
// nothing for the rest.
func carry(tok token, target script) []string {
	switch {
	case tok.digits:
		return []string{tok.fold}
	case tok.arabic:
		if target == arabic {
			return []string{tok.fold}
		}
		w := tok.fold
		if r, ok := cutAny(w, []string{"و"}); ok && arabicLetters(r) >= 4 {
			w = r
		}
		if l := toLatin(w); l != "" {
			return []string{l}
		}
	case tok.upper || tok.acronym:
		if target == latin {
			return []string{tok.fold}
		}
		if ar := toArabic(tok.fold); ar != "" {
			return []string{ar, tok.fold}
		}
		return []string{tok.fold}
	}
	return nil
}
