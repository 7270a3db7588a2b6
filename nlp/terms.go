package nlp

import (
	"strings"
	"unicode"
)

// termStop lists French, English and Arabic words too common to carry
// meaning when matching a question against a sentence, folded (see
// LightFold).
// It is shorter than the embedder's list (IsStopWord): words such as "new",
// "only" or "said" still tell one sentence from another.
var termStop = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
a an and are as at be been but by can could did do does for from had has have he her his how i if in into is it its me my no not of on or our she so than that the their them then there these they this to was we were what when where which who whom whose why will with would you your about after also any been before being between both each more most other over same some such through under until very
au aux avec ce ces cet cette dans de des du elle elles en est et etait eu il ils je la le les leur leurs lui ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que quel quelle quelles quels qui sa se ses son sont sur ta te tes toi ton tu un une vos votre vous y a ete etre fait comme plus sans sous entre aussi tres quoi comment pourquoi quand combien ou donc or ni car lors selon depuis vers chez
في من على إلى الى عن مع هذا هذه ذلك تلك التي الذي الذين ما ماذا متى أين كيف لماذا هل كم أي كان كانت هو هي هم ثم أو أن إن لا لم لن قد بعد قبل عند كل بين`) {
		m[w] = true
	}
	return m
}()

// Terms returns the content words of s: folded (see LightFold), without
// stop words and without one-letter words. Numbers are kept.
func Terms(s string) []string {
	s = LightFold(s)
	words := strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && r != '\''
	})
	out := words[:0]
	for _, w := range words {
		// Elided articles: l'ia → ia, d'avoir → avoir; possessive 's dropped.
		if i := strings.LastIndexByte(w, '\''); i >= 0 {
			if i <= 2 {
				w = w[i+1:]
			} else {
				w = w[:i]
			}
		}
		// Arabic definite article and attached conjunctions.
		for _, p := range []string{"وال", "بال", "كال", "فال", "لل", "ال"} {
			if strings.HasPrefix(w, p) && len([]rune(w)) > len([]rune(p))+2 {
				w = strings.TrimPrefix(w, p)
				break
			}
		}
		if len([]rune(w)) < 2 && !IsDigits(w) || termStop[w] {
			continue
		}
		out = append(out, w)
	}
	return out
}

// IsDigits reports whether s is a non-empty run of decimal digits.
func IsDigits(s string) bool {
	for _, r := range s {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return s != ""
}

// Singular reduces a folded word to a crude singular so that plural forms
// match ("articles"/"article", "countries"/"country"); "moroccan" and
// "morocco" stay distinct. Terms are compared by it; Stem, which also strips
// derivational endings, is the embedder's.
func Singular(w string) string {
	r := []rune(w)
	if len(r) > 4 {
		switch {
		case strings.HasSuffix(w, "ies"):
			return string(r[:len(r)-3]) + "y"
		case strings.HasSuffix(w, "es") && !strings.HasSuffix(w, "ses"):
			return string(r[:len(r)-1])
		case strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss"):
			return string(r[:len(r)-1])
		}
	}
	return w
}

// TermSet is a set of terms (see Terms), each reduced by Singular.
type TermSet map[string]bool

// NewTermSet returns the set of the terms of s.
func NewTermSet(s string) TermSet {
	set := TermSet{}
	for _, t := range Terms(s) {
		set[Singular(t)] = true
	}
	return set
}

// Coverage is the share of q's terms found in s, between 0 and 1.
func (q TermSet) Coverage(s TermSet) float64 {
	if len(q) == 0 {
		return 0
	}
	n := 0
	for t := range q {
		if s[t] {
			n++
		}
	}
	return float64(n) / float64(len(q))
}

// Dice is the Dice coefficient of two term sets, between 0 and 1.
func (a TermSet) Dice(b TermSet) float64 {
	if len(a)+len(b) == 0 {
		return 0
	}
	common := 0
	for t := range a {
		if b[t] {
			common++
		}
	}
	return 2 * float64(common) / float64(len(a)+len(b))
}
