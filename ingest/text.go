package ingest

import (
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Thresholds of the plain-text cleaner, in runes.
const (
	titleMaxRunes     = 200 // a title or heading is shorter than this
	headingMaxRunes   = 100
	headingMaxWords   = 14
	paragraphMinRunes = 120 // a line this long is article prose
	boilerMaxRunes    = 120 // UI phrases live in lines shorter than this
	buttonMaxRunes    = 40  // single-word buttons ("Partager", "Email")
	repeatMaxRunes    = 200 // short lines seen twice are navigation
)

// cleanText keeps the article of a scraped plain-text page: it drops
// headline tickers, UI and boilerplate lines, lines repeated across the
// page, what comes before the title and the source link at the end; it
// finds the title and the byline ("Publié dans X le 24 - 10 - 2023",
// "Published in X on ...", "Par X, le ..."), and marks short title-like
// lines followed by prose as "## " headings. Every kept line is one
// paragraph.
func cleanText(s string) parsed {
	raw := splitLines(s)
	lines := make([]string, len(raw))
	for i, l := range raw {
		if !isTicker(l) {
			lines[i] = normalizeSpace(l)
		}
	}
	dropJunk(lines)

	var p parsed
	start, titleAt := bodyStart(lines)
	if titleAt >= 0 {
		p.title = lines[titleAt]
	}
	if b, ok := findByline(lines, start); ok {
		p.publisher, p.published = b.publisher, b.published
		if b.line == start {
			start++
		}
	}
	end := len(lines)
	for end > start && (lines[end-1] == "" || isSourceLine(lines[end-1])) {
		end--
	}
	var paras []string
	for i := start; i < end; i++ {
		l := lines[i]
		if l == "" {
			continue
		}
		if isHeadingLine(l) && nextIsProse(lines[i+1:end]) {
			l = "## " + l
		}
		paras = append(paras, l)
	}
	p.text = strings.Join(paras, "\n\n")
	return p
}

// splitLines splits s on any line ending.
func splitLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Split(s, "\n")
}

// normalizeSpace collapses every run of Unicode space into one space and
// drops invisible characters (zero-width space, BOM, soft hyphen).
func normalizeSpace(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\u200b', '\ufeff', '\u00ad', '\u2060':
			return -1
		case utf8.RuneError:
			return r
		}
		if unicode.IsControl(r) && !unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

var spaceRun = regexp.MustCompile(`[\s\p{Zs}]{2,}`)

// isTicker reports a headline ticker flattened into one line: several
// short, title-like segments separated by runs of spaces.
func isTicker(line string) bool {
	segs := spaceRun.Split(strings.TrimSpace(line), -1)
	if len(segs) < 3 {
		return false
	}
	sentences := 0
	for _, s := range segs {
		if utf8.RuneCountInString(s) > titleMaxRunes {
			return false
		}
		if strings.HasSuffix(s, ".") {
			sentences++
		}
	}
	return sentences*2 < len(segs)
}

// dropJunk blanks boilerplate lines, bare URLs, short lines repeated in
// the page and later copies of repeated long lines.
func dropJunk(lines []string) {
	count := map[string]int{}
	for _, l := range lines {
		if l != "" {
			count[strings.ToLower(l)]++
		}
	}
	seen := map[string]bool{}
	for i, l := range lines {
		if l == "" {
			continue
		}
		key := strings.ToLower(l)
		switch {
		case isBoilerplate(l), bareURL.MatchString(l):
			lines[i] = ""
		case count[key] > 1 && utf8.RuneCountInString(l) <= repeatMaxRunes:
			lines[i] = ""
		case seen[key]:
			lines[i] = ""
		}
		seen[key] = true
	}
}

var bareURL = regexp.MustCompile(`(?i)^(?:<?https?://|www\.)\S+$`)

// uiPhrases are words of interfaces, not of articles; a short line that
// contains one is boilerplate.
var uiPhrases = []string{
	"cliquez", "cliquer", "click here", "lire la suite", "read more", "continue reading",
	"lire aussi", "read also", "voir aussi", "see also", "abonnez-vous", "s'abonner",
	"subscribe", "newsletter", "cookie", "cookies", "signalé", "signalée", "signaler",
	"report this", "report abuse", "all rights reserved", "tous droits réservés",
	"javascript", "sign up", "inscrivez-vous", "connectez-vous", "se connecter",
	"log in", "sign in", "publicité", "advertisement", "sponsorisé", "sponsored",
	"télécharger l'application", "download the app", "suivez-nous", "follow us",
	"partagez", "partager", "share this", "share on",
}

// buttonWords are labels of buttons and menus; a very short line that
// contains one is boilerplate.
var buttonWords = []string{
	"share", "partage", "facebook", "twitter", "whatsapp", "linkedin", "telegram",
	"email", "e-mail", "imprimer", "print", "commenter", "commentaires", "comments",
	"tweet", "copier le lien", "copy link", "menu", "accueil", "home", "rechercher",
	"search", "fermer", "close", "retour", "back to top", "haut de page",
}

// isBoilerplate reports a UI or boilerplate line: short, and containing a
// UI phrase, a button word, or being a short exclamation.
func isBoilerplate(l string) bool {
	n := utf8.RuneCountInString(l)
	if n > boilerMaxRunes {
		return false
	}
	lower := strings.ToLower(l)
	for _, p := range uiPhrases {
		if containsWord(lower, p) {
			return true
		}
	}
	if n > buttonMaxRunes {
		return false
	}
	for _, p := range buttonWords {
		if containsWord(lower, p) {
			return true
		}
	}
	return strings.HasSuffix(l, "!") && len(strings.Fields(l)) <= 6
}

// containsWord reports whether phrase occurs in s between non-letters.
func containsWord(s, phrase string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], phrase)
		if j < 0 {
			return false
		}
		j += i
		before, _ := utf8.DecodeLastRuneInString(s[:j])
		after, _ := utf8.DecodeRuneInString(s[j+len(phrase):])
		if (j == 0 || !unicode.IsLetter(before)) && (j+len(phrase) == len(s) || !unicode.IsLetter(after)) {
			return true
		}
		i = j + 1
	}
}

// isSourceLine reports the link back to the source that scrapers append.
func isSourceLine(l string) bool {
	if utf8.RuneCountInString(l) > boilerMaxRunes {
		return false
	}
	lower := strings.ToLower(l)
	return strings.Contains(lower, "http://") || strings.Contains(lower, "https://") ||
		containsWord(lower, "source") || containsWord(lower, "lien") || containsWord(lower, "link")
}

// isProse reports a line of article prose.
func isProse(l string) bool {
	return utf8.RuneCountInString(l) >= paragraphMinRunes ||
		endsSentence(l) && len(strings.Fields(l)) >= 8
}

// endsSentence reports sentence-final punctuation, closing quotes aside.
func endsSentence(l string) bool {
	l = strings.TrimRight(l, `"'»”’)] `)
	r, _ := utf8.DecodeLastRuneInString(l)
	return strings.ContainsRune(".!?…", r)
}

// isTitleLike reports a line that can be a title: not too long, starting
// with a capital or a digit, not ending like a sentence or a clause.
func isTitleLike(l string) bool {
	if l == "" || utf8.RuneCountInString(l) > titleMaxRunes {
		return false
	}
	r, _ := utf8.DecodeRuneInString(l)
	if !unicode.IsUpper(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Arabic, r) && !strings.ContainsRune(`"«“'`, r) {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(l)
	return !strings.ContainsRune(".,;:«", last) && len(strings.Fields(l)) >= 2
}

// isHeadingLine reports a short title-like line.
func isHeadingLine(l string) bool {
	return isTitleLike(l) && utf8.RuneCountInString(l) <= headingMaxRunes &&
		len(strings.Fields(l)) <= headingMaxWords && !endsSentence(l)
}

// nextIsProse reports whether the first non-empty line of rest is prose.
func nextIsProse(rest []string) bool {
	for _, l := range rest {
		if l != "" {
			return isProse(l)
		}
	}
	return false
}

// bodyStart finds where the article starts and its title line (-1 when
// none). The body starts at the first prose line, extended back over the
// sentences just before it, or right after a byline; the title is the
// title-like line just before the body or the byline. Lines before the
// title (menus, tickers, UI) are dropped. Text without prose is kept whole.
func bodyStart(lines []string) (start, title int) {
	first := -1
	for i, l := range lines {
		if isProse(l) {
			first = i
			break
		}
	}
	if first < 0 {
		for i, l := range lines {
			if l != "" {
				return i, -1
			}
		}
		return len(lines), -1
	}
	// A byline before the first prose line marks the start.
	for i := first - 1; i >= 0; i-- {
		if _, ok := parseByline(lines[i]); ok {
			if t := prevNonEmpty(lines, i); t >= 0 && isTitleLike(lines[t]) {
				return i, t
			}
			return i, -1
		}
	}
	start = first
	for {
		prev := prevNonEmpty(lines, start)
		if prev < 0 || !endsSentence(lines[prev]) {
			break
		}
		start = prev
	}
	if t := prevNonEmpty(lines, start); t >= 0 && isTitleLike(lines[t]) {
		return start, t
	}
	return start, -1
}

// prevNonEmpty returns the index of the last non-empty line before i, -1
// if there is none.
func prevNonEmpty(lines []string, i int) int {
	for j := i - 1; j >= 0; j-- {
		if lines[j] != "" {
			return j
		}
	}
	return -1
}

type byline struct {
	line      int
	publisher string
	published time.Time
}

// findByline looks for a byline at the start of the body or in the lines
// just before it.
func findByline(lines []string, start int) (byline, bool) {
	for i := start; i < len(lines) && i <= start+2; i++ {
		if b, ok := parseByline(lines[i]); ok {
			b.line = i
			return b, true
		}
	}
	return byline{}, false
}

var (
	publishedIn = regexp.MustCompile(`(?i)^(?:publi[ée]e?s?|paru|published|posted)\s+(?:dans|sur|par|in|on|by)\s+(.+?)\s*,?\s+(?:le|on|du)\s+(.+)$`)
	writtenBy   = regexp.MustCompile(`(?i)^(?:par|by)\s+(.+?)\s*[,|–—-]\s*(?:le\s+|on\s+)?(.+)$`)
	publishedOn = regexp.MustCompile(`(?i)^(?:publi[ée]e?s?|paru|published|posted|mis en ligne|updated|mis à jour)\s*(?:le|on|:)?\s+(.+)$`)
)

// parseByline reads "Publié dans X le DATE", "Published in X on DATE"
// (publisher and date), "Par X, le DATE", "By X, DATE" (X is an author, so
// only the date is kept) and "Publié le DATE". The date must parse.
func parseByline(l string) (byline, bool) {
	if utf8.RuneCountInString(l) > titleMaxRunes {
		return byline{}, false
	}
	if m := publishedIn.FindStringSubmatch(l); m != nil {
		if t, ok := findDate(m[2]); ok {
			return byline{publisher: m[1], published: t}, true
		}
	}
	for _, re := range []*regexp.Regexp{writtenBy, publishedOn} {
		if m := re.FindStringSubmatch(l); m != nil {
			if t, ok := findDate(m[len(m)-1]); ok {
				return byline{published: t}, true
			}
		}
	}
	return byline{}, false
}
