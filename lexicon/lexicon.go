// Package lexicon translates questions word by word with bilingual
// dictionaries, offline: Debian's FreeDict dictd files for English↔French
// and English↔Arabic, and French↔Arabic through English. ExpandQuery adds
// the equivalents of dalil's own small glossary (glossary.txt) to a query.
//
// The translation is structured, as in Pirkola's method: every content word
// of a question becomes one Term holding all its translations, so that a
// search can count a word once however many translations it has. Stop words
// are dropped; words are looked up as written, lower-cased and accent-folded
// (nlp.Fold), then in reduced forms (English and French inflections, Arabic
// clitics and light10 suffixes), then by stem; two or three consecutive
// words that form a headword ("intelligence artificielle") are one Term.
// Names and numbers the dictionaries lack are carried over, transliterated
// between Latin and Arabic script when the target needs it. Between English
// and French, a word also leads to its cognates ("society": "societe").
//
// The dictionaries are GPL data read at run time from a directory
// (Debian's /usr/share/dictd, see scripts/dicts.sh); none of them is part of
// this repository. dalil's own vocabulary of common news and encyclopedic
// words (core.tsv, see core) is looked up before them; it adds about 15%
// to what Open allocates.
//
// Measured with the four FreeDict files (2 cores, AMD EPYC, Go 1.26;
// BenchmarkOpen, BenchmarkTranslate): Open takes about 0.35 s (its tables
// then hold about 70 MB of heap), Translate of a twelve-word question 7 µs
// (en→fr, en→ar) to 16 µs (ar→fr through English).
package lexicon

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/dalil-news/dalil/nlp"
)

// MaxAlternatives is the most translations a Term holds.
const MaxAlternatives = 8

// DefaultDir is where Debian installs the dictd dictionaries.
const DefaultDir = "/usr/share/dictd"

// Term is one content word of a question and its translations.
type Term struct {
	Source       string   // the word as folded (nlp.Fold) in the question
	Alternatives []string // its translations in the target language, folded, distinct, best first (at most MaxAlternatives); may include names/numbers carried over unchanged, and cognates between English and French
	// Carried reports that no dictionary knew Source: Alternatives hold
	// the word itself (a name, a number) or its transliteration, and
	// between English and French the forms it may take there (a rare
	// word's cognates, see Dictionaries.Translate).
	Carried bool
	// Guessed reports that no dictionary translated Source, and
	// Alternatives hold its cognates (see cognates): a passage lacking
	// them may still hold the word under another form.
	Guessed bool
}

// Dictionaries holds the bilingual dictionaries found in a directory. It
// is immutable once opened and safe for concurrent use.
type Dictionaries struct {
	dirs map[[2]string]*direction
	// core holds dalil's own vocabulary (core.tsv) by direction, looked
	// up before the dictionaries, where they lead from one language to
	// the other.
	core map[[2]string]*direction
	// known holds, by language, every folded word a dictionary lists in
	// it, as a headword or in a translation, and core.tsv's words.
	known map[string]map[string]bool
}

// direction translates from one language to another with a dictionary of
// that direction (fwd) and the reverse of the opposite one (rev); either
// may be nil. Between English and French, cognateFrom names the source
// language, whose words also lead to their cognates (see cognates).
type direction struct {
	fwd, rev    *table
	cognateFrom string
}

// files lists the FreeDict dictionaries read, with their languages.
var files = [...]struct{ name, from, to string }{
	{"freedict-eng-fra", "en", "fr"},
	{"freedict-fra-eng", "fr", "en"},
	{"freedict-eng-ara", "en", "ar"},
	{"freedict-ara-eng", "ar", "en"},
}

// rawEntry is a parsed dictionary entry: its folded headwords (a dictd
// headword may list several, "البيت، المسكن") and translations.
type rawEntry struct {
	heads  []string
	senses []string
}

// Open reads the freedict-{eng-fra,fra-eng,eng-ara,ara-eng} files found in
// dir. Missing files are not an error (Languages says what is available; a
// Dictionaries with none translates nothing); a present but malformed file
// is an error naming it.
func Open(dir string) (*Dictionaries, error) {
	return open(dir, coreText)
}

// open is Open with the vocabulary of core.tsv given as coreText.
func open(dir, coreText string) (*Dictionaries, error) {
	raw := make([][]rawEntry, len(files))
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	for i, f := range files {
		wg.Go(func() {
			raw[i], errs[i] = readEntries(filepath.Join(dir, f.name), scriptOf(f.to))
		})
	}
	// core.tsv needs no dictionary: read beside them.
	var coreDirs map[[2]string]*direction
	var coreErr error
	wg.Go(func() { coreDirs, coreErr = core(coreText) })
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("open dictionaries in %s: %w", dir, err)
	}
	if coreErr != nil {
		return nil, coreErr
	}
	known := map[string]map[string]bool{}
	for i, f := range files {
		for _, lang := range []string{f.from, f.to} {
			if known[lang] == nil {
				known[lang] = map[string]bool{}
			}
		}
		for _, e := range raw[i] {
			for _, h := range e.heads {
				known[f.from][h] = true
			}
			for _, sense := range e.senses {
				for _, w := range strings.Fields(sense) {
					known[f.to][w] = true
				}
			}
		}
	}
	// Tables are built two at a time: ara-eng lists some non-English
	// words ("Bett"), so its translations are checked against the English
	// headwords of eng-fra and eng-ara first.
	fwd, rev := make([]*table, len(files)), make([]*table, len(files))
	opposite := func(i int) int { return i ^ 1 } // eng-fra ↔ fra-eng, eng-ara ↔ ara-eng
	var build sync.WaitGroup
	build.Go(func() {
		fwd[0], fwd[2] = buildForward(raw[0]), buildForward(raw[2])
		raw[3] = keepKnown(raw[3], []*table{fwd[0], fwd[2]})
		fwd[3], rev[opposite(3)] = buildForward(raw[3]), buildReverse(raw[3])
	})
	build.Go(func() {
		fwd[1] = buildForward(raw[1])
		rev[opposite(0)], rev[opposite(1)], rev[opposite(2)] = buildReverse(raw[0]), buildReverse(raw[1]), buildReverse(raw[2])
	})
	build.Wait()
	for key, dir := range coreDirs {
		for w := range dir.fwd.entries {
			known[key[0]][w] = true
		}
	}
	d := &Dictionaries{dirs: map[[2]string]*direction{}, core: coreDirs, known: known}
	for i, f := range files {
		if fwd[i] != nil || rev[i] != nil {
			dir := &direction{fwd: fwd[i], rev: rev[i]}
			if scriptOf(f.from) == latin && scriptOf(f.to) == latin {
				dir.cognateFrom = f.from
			}
			d.dirs[[2]string{f.from, f.to}] = dir
		}
	}
	return d, nil
}

// readEntries reads one dictd dictionary; a missing one yields nothing.
func readEntries(base string, target script) ([]rawEntry, error) {
	heads, bodies, err := readDictFile(base)
	if errors.Is(err, fs.ErrNotExist) && !fileExists(base+".index") {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := make([]rawEntry, 0, len(heads))
	for i, h := range heads {
		e := rawEntry{senses: parseEntry(bodies[i], target)}
		for part := range strings.FieldsFuncSeq(h, func(r rune) bool { return r == ',' || r == '،' || r == ';' }) {
			if key := strings.Join(strings.Fields(nlp.Fold(part)), " "); key != "" {
				e.heads = append(e.heads, key)
			}
		}
		if len(e.heads) > 0 {
			out = append(out, e)
		}
	}
	return out, nil
}

// fileExists reports whether path names an existing file.
func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// buildForward indexes entries by headword, or returns nil for none.
func buildForward(entries []rawEntry) *table {
	if len(entries) == 0 {
		return nil
	}
	return fill(entries).finish()
}

// fill returns a table of entries, each headword leading to its senses,
// not finished.
func fill(entries []rawEntry) *table {
	t := newTable(len(entries))
	for _, e := range entries {
		for _, h := range e.heads {
			for _, s := range e.senses {
				t.add(h, s)
			}
		}
	}
	return t
}

// buildReverse indexes entries by translation, each translation leading
// to the headwords that list it: those listing it first, then those
// listing it second, and so on.
func buildReverse(entries []rawEntry) *table {
	if len(entries) == 0 {
		return nil
	}
	t := newTable(2 * len(entries))
	for rank, more := 0, true; more; rank++ {
		more = false
		for _, e := range entries {
			if rank >= len(e.senses) {
				continue
			}
			more = true
			for _, h := range e.heads {
				if strings.Count(h, " ") < maxPhraseWords {
					t.add(e.senses[rank], h)
				}
			}
		}
	}
	return t.finish()
}

// keepKnown drops the translations with a word none of the tables know
// (stop words aside); with no tables it keeps everything.
func keepKnown(entries []rawEntry, known []*table) []rawEntry {
	known = slices.DeleteFunc(known, func(t *table) bool { return t == nil })
	if len(known) == 0 {
		return entries
	}
	isKnown := func(w string) bool {
		if nlp.IsStopWord([]byte(w)) {
			return true
		}
		return slices.ContainsFunc(known, func(t *table) bool { return t.has(w) })
	}
	out := entries[:0]
	for _, e := range entries {
		e.senses = slices.DeleteFunc(e.senses, func(s string) bool {
			return !isKnown(s) && !all(strings.Fields(s), isKnown)
		})
		if len(e.senses) > 0 {
			out = append(out, e)
		}
	}
	return out
}

// all reports whether f holds for every element of list.
func all(list []string, f func(string) bool) bool {
	for _, s := range list {
		if !f(s) {
			return false
		}
	}
	return true
}

// route returns the directions that lead from one language to another:
// one, two through English, or none.
func (d *Dictionaries) route(from, to string) []*direction {
	if dir := d.dirs[[2]string{from, to}]; dir != nil {
		return []*direction{dir}
	}
	if from == "en" || to == "en" {
		return nil
	}
	a, b := d.dirs[[2]string{from, "en"}], d.dirs[[2]string{"en", to}]
	if a == nil || b == nil {
		return nil
	}
	return []*direction{a, b}
}

// languages lists the languages dalil translates between, in the order
// Pairs uses.
var languages = [...]string{"en", "fr", "ar"}

// Pairs lists the translation directions available, e.g.
// [][2]string{{"en","fr"},{"fr","en"},...}, including fr->ar and ar->fr
// through English when both halves exist. A direction is available when its
// own dictionary or the opposite one (read in reverse) is present.
func (d *Dictionaries) Pairs() [][2]string {
	var out [][2]string
	for _, from := range languages {
		for _, to := range languages {
			if from != to && d.route(from, to) != nil {
				out = append(out, [2]string{from, to})
			}
		}
	}
	return out
}

// Languages lists the languages that some available direction (see Pairs)
// translates from or to; it is empty when no dictionary was found.
func (d *Dictionaries) Languages() []string {
	var out []string
	for _, p := range d.Pairs() {
		out = appendNew(appendNew(out, p[0]), p[1])
	}
	slices.SortFunc(out, func(a, b string) int {
		return slices.Index(languages[:], a) - slices.Index(languages[:], b)
	})
	return out
}

// lookup returns the translations of the folded word or phrase w: those of
// the first of its forms that either table knows (the dictionary's own
// first), else, if byStem, those of the headwords sharing its stem (single
// words only).
func (dir *direction) lookup(w string, phrase, byStem bool) []string {
	alts, _ := dir.find(w, phrase, byStem)
	return alts
}

// find is lookup, and says how far from w as written the translations
// were found: the index of the form among w's, one past them for a stem,
// maxInt for none.
func (dir *direction) find(w string, phrase, byStem bool) ([]string, int) {
	var cands []string
	if phrase {
		// Only the last word of a phrase is inflected.
		i := strings.LastIndexByte(w, ' ')
		for _, f := range forms(w[i+1:]) {
			cands = append(cands, w[:i+1]+f)
		}
	} else {
		cands = forms(w)
	}
	for i, f := range cands {
		a, b := dir.fwd.get(f), dir.rev.get(f)
		if isArabic(f) && !strings.HasPrefix(f, "ال") {
			// eng-ara writes its translations with the article, and
			// ara-eng many headwords: سنه is found as السنه (year).
			a, b = slices.Concat(a, dir.fwd.get("ال"+f)), slices.Concat(b, dir.rev.get("ال"+f))
		}
		if len(a)+len(b) > 0 {
			return merge(nil, a, b), i
		}
	}
	if phrase || !byStem {
		return nil, math.MaxInt
	}
	if alts := merge(nil, dir.fwd.byStem(w), dir.rev.byStem(w)); len(alts) > 0 {
		return alts, len(cands)
	}
	return nil, math.MaxInt
}

// merge appends the elements of lists to out in order, without repeats,
// up to MaxAlternatives.
func merge(out []string, lists ...[]string) []string {
	for _, l := range lists {
		for _, s := range l {
			if len(out) >= MaxAlternatives {
				return out
			}
			out = appendNew(out, s)
		}
	}
	return out
}

// interleave merges lists taking the first of each, then the second of
// each, and so on, without repeats, up to MaxAlternatives: every sense of a
// word translated through English gets its best translation in.
func interleave(lists [][]string) []string {
	var out []string
	for i := 0; ; i++ {
		more := false
		for _, l := range lists {
			if i >= len(l) {
				continue
			}
			more = true
			if out = appendNew(out, l[i]); len(out) >= MaxAlternatives {
				return out
			}
		}
		if !more {
			return out
		}
	}
}

// translate looks w up in core (dalil's own vocabulary, may be nil), then
// along route; through English, each English translation is translated in
// turn (by its forms, not its stem: these are dictionary words) and the
// results interleaved. core's translations come first, unless core knows
// only a form further from w than the one the dictionary knows
// ("actually": not core's "actual" before the dictionary's "actually").
func translate(core *direction, route []*direction, w string, phrase bool) []string {
	var own []string
	ownAt := math.MaxInt
	if core != nil {
		own, ownAt = core.find(w, phrase, false)
	}
	alts, at := route[0].find(w, phrase, true)
	if len(route) == 2 && len(alts) > 0 {
		next := make([][]string, 0, len(alts))
		for _, a := range alts {
			next = append(next, route[1].lookup(a, strings.Contains(a, " "), false))
		}
		alts = interleave(next)
	}
	if ownAt > at && len(alts) > 0 {
		return merge(nil, alts, own)
	}
	return merge(nil, own, alts)
}

// Translate returns the structured translation of text, written in
// language from ("fr","en","ar"), into language to: one Term per content
// word of text, in order (stop words dropped). Words with no translation
// are carried over when they look like names or numbers (as written, and
// between English and French with the forms they may take there, which
// are no words of that language)
// (capitalized in Latin script, digits, with Arabic-Indic digits
// converted), transliterated when the scripts differ, or when no
// dictionary of their language knows them (a Latin-script word of an
// English or French question); between English and French, a word the
// dictionaries know but do not translate becomes its cognates (Guessed),
// and other words are left out. Arabic words unknown to the dictionaries
// are transliterated into Latin script. When from equals to, every content
// word is its own alternative; when no dictionary leads from one to the
// other, Translate returns nil. It is safe for concurrent use.
func (d *Dictionaries) Translate(text, from, to string) []Term {
	var route []*direction
	if from != to {
		if route = d.route(from, to); route == nil {
			return nil
		}
	}
	var core *direction
	if route != nil {
		core = d.core[[2]string{from, to}] // where the dictionaries lead
	}
	toks := tokenize(text)
	var terms []Term
	for i := 0; i < len(toks); i++ {
		tok := toks[i]
		if tok.stop {
			continue
		}
		if route == nil {
			terms = append(terms, Term{Source: tok.fold, Alternatives: []string{tok.fold}})
			continue
		}
		if n, term := phrase(core, route, toks[i:]); n > 0 {
			terms = append(terms, term)
			i += n - 1
			continue
		}
		if term, ok := word(core, route, tok, scriptOf(to)); ok {
			terms = append(terms, d.carriedAlike(term, tok, route, to))
		} else if !tok.arabic && scriptOf(from) == latin && !d.knows(from, tok.fold) {
			// A word no dictionary of its language knows is a name or a
			// term written in lower case (iPhone, bitcoin): carried over
			// as a name is.
			name := tok
			name.upper = true
			terms = append(terms, d.carriedAlike(Term{Source: tok.fold, Alternatives: carry(name, scriptOf(to)), Carried: true}, tok, route, to))
		} else if src := cognateSource(route); src != "" && !tok.arabic {
			// A word the dictionaries know but do not translate may be
			// written alike in the other language.
			terms = append(terms, Term{Source: tok.fold, Alternatives: cognates(tok.fold, src), Guessed: true})
		}
	}
	return terms
}

// knows reports whether a dictionary lists the folded word w, or one of
// its forms, in language lang.
func (d *Dictionaries) knows(lang, w string) bool {
	return slices.ContainsFunc(forms(w), func(f string) bool { return d.known[lang][f] })
}

// maxPhrase is the most question words looked up together.
const maxPhrase = 3

// phrase looks up the longest run of two or more words at the start of
// toks (ending with a content word) that core or the first dictionary of
// route lists as a headword, and returns how many words it took and its Term,
// or 0. An Arabic phrase's first word may carry a conjunction (والذكاء).
func phrase(core *direction, route []*direction, toks []token) (int, Term) {
	longest := min(maxPhrase, len(toks), max(route[0].fwd.maxWords(), route[0].rev.maxWords()))
	if core != nil {
		longest = max(longest, min(maxPhrase, len(toks), core.fwd.maxWords()))
	}
	for n := longest; n >= 2; n-- {
		if toks[n-1].stop || toks[n-1].digits {
			continue
		}
		words := make([]string, n)
		for i, t := range toks[:n] {
			words[i] = t.fold
		}
		first := []string{words[0]}
		if r, ok := cutAny(words[0], []string{"و", "ف"}); ok && arabicLetters(r) >= minStem {
			first = append(first, r)
		}
		for _, f := range first {
			words[0] = f
			key := strings.Join(words, " ")
			if alts := translate(core, route, key, true); len(alts) > 0 {
				return n, Term{Source: key, Alternatives: alts}
			}
		}
	}
	return 0, Term{}
}

// cognateSource is the language whose words route leads to their
// cognates: English or French when route goes straight from one to the
// other, "" otherwise.
func cognateSource(route []*direction) string {
	if len(route) != 1 {
		return ""
	}
	return route[0].cognateFrom
}

// firstSenses is how many of a word's dictionary translations into French
// or English come before its cognates; with them, a word's senses beyond
// MaxAlternatives are left out.
const firstSenses = 3

// word translates one content word, or carries it over (see carry); ok is
// false when it has neither translation nor the look of a name. Between
// English and French a word's cognates follow its firstSenses
// translations.
func word(core *direction, route []*direction, tok token, target script) (Term, bool) {
	if !tok.digits {
		if alts := translate(core, route, tok.fold, false); len(alts) > 0 {
			if src := cognateSource(route); src != "" {
				// The word itself among them: a name that is also a
				// word (Rabat, Orange) may be meant as the name.
				n := min(len(alts), firstSenses)
				alts = merge(nil, alts[:n], cognates(tok.fold, src), alts[n:])
			}
			return Term{Source: tok.fold, Alternatives: alts}, true
		}
	}
	alts := carry(tok, target)
	return Term{Source: tok.fold, Alternatives: alts, Carried: true}, len(alts) > 0
}

// token is one word of a question.
type token struct {
	fold    string // folded (nlp.Fold), digits in ASCII
	upper   bool   // starts with a Latin capital
	acronym bool   // two or more Latin letters, all capitals
	initial bool   // first word of a sentence
	stop    bool   // a stop word, a one-letter word or a question word
	digits  bool   // holds a digit
	arabic  bool   // in Arabic script
}

// extraStop lists folded question and framing words that nlp's stop-word
// lists keep but that never carry a question's topic.
var extraStop = map[string]bool{
	"whats": true, "tell": true, "please": true, "don": true, "doesn": true,
	"didn": true, "isn": true, "aren": true, "wasn": true, "weren": true,
	"pourquoi": true, "combien": true, "quoi": true, "est-ce": true,
	"لماذا": true, "ماهو": true, "ماهي": true, "وما": true, "وهل": true, "اي": true,
}

// elided lists the French elided words dropped before an apostrophe.
var elided = map[string]bool{
	"l": true, "d": true, "j": true, "m": true, "n": true, "s": true, "t": true, "c": true,
	"qu": true, "jusqu": true, "lorsqu": true, "puisqu": true, "quoiqu": true,
}

// tokenize splits text into words: letters, combining marks and digits;
// French elisions (l', qu') and English possessives ('s) are dropped.
func tokenize(text string) []token {
	var toks []token
	initial := true
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := text[start:end]
		start = -1
		parts := strings.FieldsFunc(w, func(r rune) bool { return r == '\'' || r == '’' })
		for i, p := range parts {
			f := nlp.Fold(p)
			if i < len(parts)-1 && elided[f] || i > 0 && (f == "s" || f == "t") {
				continue
			}
			toks = append(toks, newToken(p, f, initial))
			initial = false
		}
	}
	for i, r := range text {
		switch {
		case unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) || r == 0x640:
			if start < 0 {
				start = i
			}
		case (r == '\'' || r == '’') && start >= 0:
		default:
			flush(i)
			if strings.ContainsRune(".!?؟\n", r) {
				initial = true
			}
		}
	}
	flush(len(text))
	return toks
}

// newToken describes the word w, folded f.
func newToken(w, f string, initial bool) token {
	t := token{fold: f, initial: initial}
	first, _ := utf8.DecodeRuneInString(w)
	t.upper = unicode.IsUpper(first) && unicode.Is(unicode.Latin, first)
	letters, uppers := 0, 0
	t.fold = asciiDigits(f)
	t.digits = strings.ContainsFunc(t.fold, func(r rune) bool { return r >= '0' && r <= '9' })
	t.arabic = strings.ContainsFunc(t.fold, func(r rune) bool { return unicode.Is(unicode.Arabic, r) })
	for _, r := range w {
		if unicode.IsLetter(r) {
			letters++
			if unicode.IsUpper(r) {
				uppers++
			}
		}
	}
	t.acronym = letters >= 2 && uppers == letters && !t.arabic
	// nlp's stop words mix the three languages: "AI" is not French "ai".
	t.stop = !t.acronym && (nlp.IsStopWord([]byte(t.fold)) || extraStop[t.fold]) ||
		!t.digits && utf8.RuneCountInString(t.fold) < 2
	return t
}
