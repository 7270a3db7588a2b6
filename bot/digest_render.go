package bot

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dalil-news/dalil/digest"
	"github.com/dalil-news/dalil/phrases"
)

// RenderDigest writes d as the Discord messages the bot posts: a heading
// and the opening paragraph, then each story as two lines (its number and
// title; its sentence and linked sources), packed into messages within
// Discord's limit. A digest with no stories is a one-line note when
// d.EmptyNote is set, else no message at all.
func RenderDigest(d digest.Digest) []string {
	return renderDigest(d, maxContent)
}

// renderDigest is RenderDigest with messages of at most limit characters.
func renderDigest(d digest.Digest, limit int) []string {
	if len(d.Stories) == 0 {
		if d.EmptyNote {
			return []string{emptyNote(d.Lang, d.Day)}
		}
		return nil
	}
	head := fmt.Sprintf("**%s — %s**", phrases.Text(d.Lang, phrases.DigestTitle), digestDate(d.Lang, d.Day))
	if d.Intro != "" {
		head += "\n" + d.Intro
	}
	blocks := []string{head}
	for _, st := range d.Stories {
		var b strings.Builder
		fmt.Fprintf(&b, "**[%d] %s**\n", st.N, escapeMarkdown(st.Title))
		if st.Line != "" {
			b.WriteString(escapeMarkdown(st.Line) + " — ")
		}
		for i, a := range st.Articles {
			if i == 4 {
				fmt.Fprintf(&b, " · +%d", len(st.Articles)-4)
				break
			}
			if i > 0 {
				b.WriteString(" · ")
			}
			name := a.Publisher
			if name == "" {
				name = digest.PublisherKey(a)
			}
			fmt.Fprintf(&b, "[%s](<%s>)", escapeMarkdown(name), a.URL)
		}
		blocks = append(blocks, b.String())
	}
	if d.More > 0 {
		blocks = append(blocks, phrases.Text(d.Lang, phrases.DigestMoreStories, d.More))
	}
	return packMessages(blocks, limit)
}

var (
	frDays   = []string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
	frMonths = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
	arDays   = []string{"الأحد", "الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت"}
	// arMonths are the month names of Moroccan Arabic usage (the press of
	// Morocco writes يونيو, غشت, نونبر), with Western digits, as it does.
	arMonths = []string{"يناير", "فبراير", "مارس", "أبريل", "ماي", "يونيو", "يوليوز", "غشت", "شتنبر", "أكتوبر", "نونبر", "دجنبر"}
)

// digestDate writes the day in the digest's language.
func digestDate(lang string, day time.Time) string {
	switch lang {
	case "fr":
		return fmt.Sprintf("%s %d %s %d", frDays[day.Weekday()], day.Day(), frMonths[day.Month()-1], day.Year())
	case "ar":
		return fmt.Sprintf("%s %d %s %d", arDays[day.Weekday()], day.Day(), arMonths[day.Month()-1], day.Year())
	}
	return day.Format("Monday 2 January 2006")
}

// emptyNote is the one-line message of a day with nothing new.
func emptyNote(lang string, day time.Time) string {
	return fmt.Sprintf("**%s — %s** · %s", phrases.Text(lang, phrases.DigestTitle), digestDate(lang, day), phrases.Text(lang, phrases.DigestEmpty))
}

// packMessages packs blocks, in order and separated by blank lines, into
// messages of at most limit characters (runes), never splitting a block
// that fits in one message. A block that does not fit in an empty message
// is packed line by line; a single line longer than limit is cut by
// splitText, the splitter of every message the bot sends.
func packMessages(blocks []string, limit int) []string {
	var out []string
	var cur strings.Builder
	size := 0
	flush := func() {
		if size > 0 {
			out = append(out, cur.String())
			cur.Reset()
			size = 0
		}
	}
	add := func(piece string, sep string) {
		n := utf8.RuneCountInString(piece)
		if size > 0 && size+utf8.RuneCountInString(sep)+n > limit {
			flush()
		}
		if size > 0 {
			cur.WriteString(sep)
			size += utf8.RuneCountInString(sep)
		}
		cur.WriteString(piece)
		size += n
	}
	for _, b := range blocks {
		b = strings.TrimSpace(b)
		if b == "" {
			continue
		}
		if utf8.RuneCountInString(b) <= limit {
			add(b, "\n\n")
			continue
		}
		flush()
		for _, line := range strings.Split(b, "\n") {
			if utf8.RuneCountInString(line) <= limit {
				if line != "" {
					add(line, "\n")
				}
				continue
			}
			for _, piece := range splitText(line, limit) {
				add(piece, "\n")
			}
		}
		flush()
	}
	flush()
	return out
}
