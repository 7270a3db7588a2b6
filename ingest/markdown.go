package ingest

import (
	"regexp"
	"strings"

	"github.com/dalil-news/dalil/rag"
)

var (
	atxHeading  = regexp.MustCompile(`^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$`)
	setextLine  = regexp.MustCompile(`^ {0,3}(=+|-+)\s*$`)
	fence       = regexp.MustCompile("^ {0,3}(```|~~~)")
	rule        = regexp.MustCompile(`^ {0,3}([-*_])(\s*[-*_]){2,}\s*$`)
	listMarker  = regexp.MustCompile(`^\s*(?:[-*+]|\d{1,9}[.)])\s+`)
	quoteMarker = regexp.MustCompile(`^\s*(?:>\s?)+`)
	refDef      = regexp.MustCompile(`^ {0,3}\[[^\]]+\]:\s*\S+`)
	tableSep    = regexp.MustCompile(`^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$`)
	frontKey    = regexp.MustCompile(`^([A-Za-z_][\w-]*)\s*[:=]\s*(.*)$`)

	mdImage    = regexp.MustCompile(`!\[([^\]]*)\]\([^)]*\)`)
	mdLink     = regexp.MustCompile(`\[([^\]]+)\](?:\([^)]*\)|\[[^\]]*\])`)
	mdAutolink = regexp.MustCompile(`<((?:https?|mailto):[^>\s]+)>`)
	mdTag      = regexp.MustCompile(`</?[A-Za-z][^>]*>`)
	mdCode     = regexp.MustCompile("`+([^`]+)`+")
	mdStrong   = regexp.MustCompile(`(\*\*|__)(\S(?:.*?\S)?)(\*\*|__)`)
	mdEmStar   = regexp.MustCompile(`\*(\S(?:[^*]*?\S)?)\*`)
	mdEmUnder  = regexp.MustCompile(`(^|[^\p{L}\p{N}_])_(\S(?:[^_]*?\S)?)_($|[^\p{L}\p{N}_])`)
	mdStrike   = regexp.MustCompile(`~~(\S(?:.*?\S)?)~~`)
)

// parseMarkdown turns Markdown into paragraphs: headings become "## "
// headings (a first-level heading before any text is the title), list items
// and quotes become paragraphs, emphasis, links, images and HTML tags are
// stripped (link text kept), code fences lose their markers, and YAML or
// TOML front matter gives title, date/published, publisher, url and lang.
func parseMarkdown(s string) parsed {
	lines := splitLines(s)
	var p parsed
	lines = frontMatter(lines, &p)
	var paras []string
	var buf []string
	flush := func() {
		if t := normalizeSpace(strings.Join(buf, " ")); t != "" {
			paras = append(paras, t)
		}
		buf = buf[:0]
	}
	heading := func(text string, level int) {
		flush()
		text = normalizeSpace(stripInline(text))
		if text == "" {
			return
		}
		if level == 1 && p.title == "" && len(paras) == 0 {
			p.title = text
			return
		}
		paras = append(paras, rag.HeadingPrefix+text)
	}
	inFence := false
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if fence.MatchString(l) {
			flush()
			inFence = !inFence
			continue
		}
		if inFence {
			if strings.TrimSpace(l) == "" {
				flush()
			} else {
				buf = append(buf, l)
			}
			continue
		}
		if m := atxHeading.FindStringSubmatch(l); m != nil {
			heading(m[2], len(m[1]))
			continue
		}
		if strings.TrimSpace(l) != "" && len(buf) == 0 && i+1 < len(lines) && !listMarker.MatchString(l) {
			if m := setextLine.FindStringSubmatch(lines[i+1]); m != nil {
				level := 2
				if m[1][0] == '=' {
					level = 1
				}
				heading(l, level)
				i++
				continue
			}
		}
		switch {
		case strings.TrimSpace(l) == "", rule.MatchString(l), tableSep.MatchString(l), refDef.MatchString(l):
			flush()
			continue
		case listMarker.MatchString(l):
			flush()
			l = listMarker.ReplaceAllString(l, "")
		case quoteMarker.MatchString(l):
			q := quoteMarker.ReplaceAllString(l, "")
			if strings.TrimSpace(q) == "" {
				flush()
				continue
			}
			l = q
		}
		if strings.Contains(l, "|") && strings.HasPrefix(strings.TrimSpace(l), "|") {
			l = strings.Trim(strings.TrimSpace(l), "|")
			l = strings.Join(strings.FieldsFunc(l, func(r rune) bool { return r == '|' }), " — ")
		}
		buf = append(buf, stripInline(l))
	}
	flush()
	p.text = strings.Join(paras, "\n\n")
	return p
}

// stripInline removes inline Markdown markup, keeping the text.
func stripInline(s string) string {
	s = mdImage.ReplaceAllString(s, "")
	s = mdLink.ReplaceAllString(s, "$1")
	s = mdAutolink.ReplaceAllString(s, "$1")
	s = mdTag.ReplaceAllString(s, "")
	s = mdCode.ReplaceAllString(s, "$1")
	s = mdStrong.ReplaceAllString(s, "$2")
	s = mdStrike.ReplaceAllString(s, "$1")
	s = mdEmStar.ReplaceAllString(s, "$1")
	s = mdEmUnder.ReplaceAllString(s, "$1$2$3")
	return s
}

// frontMatter reads a leading YAML (---) or TOML (+++) block into p and
// returns the lines after it.
func frontMatter(lines []string, p *parsed) []string {
	if len(lines) == 0 {
		return lines
	}
	delim := strings.TrimSpace(lines[0])
	if delim != "---" && delim != "+++" {
		return lines
	}
	for end := 1; end < len(lines); end++ {
		if strings.TrimSpace(lines[end]) != delim {
			continue
		}
		for _, l := range lines[1:end] {
			m := frontKey.FindStringSubmatch(strings.TrimSpace(l))
			if m == nil {
				continue
			}
			v := strings.Trim(strings.TrimSpace(m[2]), `"'`)
			switch strings.ToLower(m[1]) {
			case "title":
				p.title = normalizeSpace(v)
			case "publisher", "site", "site_name", "source":
				p.publisher = normalizeSpace(v)
			case "date", "published", "published_at", "pubdate":
				if t, ok := findDate(v); ok {
					p.published = t
				}
			case "url", "link", "canonical", "canonical_url":
				p.url = v
			case "lang", "language":
				p.lang = v
			}
		}
		return lines[end+1:]
	}
	return lines
}
