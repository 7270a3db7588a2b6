package bot

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/dalil-news/dalil/nlp"
	"github.com/dalil-news/dalil/phrases"
	"github.com/dalil-news/dalil/rag"
)

// Discord's message limits, in Unicode code points.
const (
	maxContent     = 2000
	maxEmbedTitle  = 256
	maxEmbedDesc   = 4096
	maxEmbedFields = 25
	maxFieldValue  = 1024
	maxEmbedTotal  = 6000
)

// sourceTitleRunes caps an article title in a source list.
const sourceTitleRunes = 200

// embedColor is the accent of the bot's embeds.
const embedColor = 0x2b6cb0

// message is one Discord message the bot sends or edits.
type message struct {
	Content    string                       `json:"content"`
	Embeds     []*discordgo.MessageEmbed    `json:"embeds,omitempty"`
	Components []discordgo.MessageComponent `json:"components,omitempty"`
}

// noMentions is the AllowedMentions of every message the bot sends: an
// empty (not nil) Parse list, so that article text or questions can never
// ping @everyone, @here, a role or a member.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// renderAnswer turns an answer into messages within Discord's limits: the
// text split over as many messages as needed, the sources embed and the
// vote buttons (when voteRef is not empty) on the last one.
func renderAnswer(ans rag.Answer, lang, voteRef string) []message {
	text := strings.TrimSpace(ans.Text)
	if text == "" {
		text = phrases.Text(lang, phrases.NotFound)
	}
	text = wrapLinks(text)
	if ans.Note != "" {
		text += "\n\n*" + escapeMarkdown(ans.Note) + "*"
	}
	var msgs []message
	for _, part := range splitText(text, maxContent) {
		msgs = append(msgs, message{Content: part})
	}
	last := &msgs[len(msgs)-1]
	if len(ans.Citations) > 0 {
		last.Embeds = []*discordgo.MessageEmbed{sourcesEmbed(ans.Citations, lang)}
	}
	if voteRef != "" {
		last.Components = voteButtons(voteRef)
	}
	return msgs
}

// sourcesEmbed lists the cited articles: numbered, title linked to the
// article, publisher and date.
func sourcesEmbed(cs []rag.Citation, lang string) *discordgo.MessageEmbed {
	var b strings.Builder
	for i, c := range cs {
		line := fmt.Sprintf("**%d.** %s", c.N, articleLine(c.Article))
		// Leave room for the line that says how many were left out.
		if utf8.RuneCountInString(b.String())+utf8.RuneCountInString(line)+1 > maxEmbedDesc-40 {
			fmt.Fprintf(&b, "… %s", phrases.Text(lang, phrases.MoreSources, len(cs)-i))
			break
		}
		b.WriteString(line)
		b.WriteString("\n")
	}
	return &discordgo.MessageEmbed{
		Title:       phrases.Text(lang, phrases.Sources),
		Description: strings.TrimRight(b.String(), "\n"),
		Color:       embedColor,
	}
}

// articleLine is "[Title](url) — Publisher · 2023-10-24", the title
// linked only for web URLs.
func articleLine(a rag.Article) string {
	title := strings.TrimSpace(a.Title)
	if title == "" {
		title = a.URL
	}
	title = escapeMarkdown(nlp.Truncate(nlp.Collapse(title), sourceTitleRunes))
	line := title
	if u := linkURL(a.URL); u != "" {
		line = "[" + title + "](" + u + ")"
	}
	var meta []string
	if p := strings.TrimSpace(a.Publisher); p != "" {
		meta = append(meta, escapeMarkdown(nlp.Truncate(p, 80)))
	}
	if !a.Published.IsZero() {
		meta = append(meta, a.Published.Format("2006-01-02"))
	}
	if len(meta) > 0 {
		line += " — " + strings.Join(meta, " · ")
	}
	return line
}

// linkURL returns u made safe inside a Markdown link, or "" when u is not
// an http(s) URL.
func linkURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	s := u.String()
	return strings.NewReplacer("(", "%28", ")", "%29", " ", "%20").Replace(s)
}

// voteButtons are the 👍/👎 buttons; their custom IDs carry ref.
func voteButtons(ref string) []discordgo.MessageComponent {
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		discordgo.Button{CustomID: voteID(1, ref), Emoji: &discordgo.ComponentEmoji{Name: "👍"}, Style: discordgo.SecondaryButton},
		discordgo.Button{CustomID: voteID(-1, ref), Emoji: &discordgo.ComponentEmoji{Name: "👎"}, Style: discordgo.SecondaryButton},
	}}}
}

// markdownEscaper escapes the characters that format Discord Markdown,
// start or end a link's text (brackets), open a mention, channel, emoji
// or timestamp tag (<), and breaks every @ with a zero-width space so that
// no @everyone, @here or @name reads as a mention.
var markdownEscaper = strings.NewReplacer(`\`, `\\`, `*`, `\*`, `_`, `\_`, `~`, `\~`, "`", "\\`", `|`, `\|`, `[`, `\[`, `]`, `\]`, `<`, `\<`, `>`, `\>`, `#`, `\#`, "@", "@\u200b")

// escapeMarkdown makes s display literally: the one escaper of text the
// bot did not write (titles, publishers, notes, errors, digest stories).
func escapeMarkdown(s string) string { return markdownEscaper.Replace(s) }

var (
	// mdLinkTarget is the URL of a Markdown link, not yet in angle brackets.
	mdLinkTarget = regexp.MustCompile(`\]\((https?://[^\s()<>]+)\)`)
	// bareURL is a URL in text.
	bareURL = regexp.MustCompile(`https?://[^\s<>]+`)
	// codeFence is a fenced code block (possibly unterminated).
	codeFence = regexp.MustCompile("(?s)```.*?(```|$)")
)

// wrapLinks puts every URL of s outside code blocks in angle brackets,
// which stops Discord from showing link previews.
func wrapLinks(s string) string {
	var b strings.Builder
	last := 0
	for _, f := range codeFence.FindAllStringIndex(s, -1) {
		b.WriteString(wrapLinksPlain(s[last:f[0]]))
		b.WriteString(s[f[0]:f[1]])
		last = f[1]
	}
	b.WriteString(wrapLinksPlain(s[last:]))
	return b.String()
}

func wrapLinksPlain(s string) string {
	s = mdLinkTarget.ReplaceAllString(s, "](<$1>)")
	var b strings.Builder
	last := 0
	for _, m := range bareURL.FindAllStringIndex(s, -1) {
		start, end := m[0], m[1]
		if start > 0 && (s[start-1] == '<') {
			continue
		}
		end = start + len(trimURLTail(s[start:end]))
		b.WriteString(s[last:start])
		b.WriteString("<" + s[start:end] + ">")
		last = end
	}
	b.WriteString(s[last:])
	return b.String()
}

// trimURLTail drops punctuation that ends the sentence rather than the URL.
func trimURLTail(u string) string {
	for u != "" {
		r, size := utf8.DecodeLastRuneInString(u)
		switch {
		case strings.ContainsRune(".,;:!?»\"'”’", r):
		case r == ')' && strings.Count(u, "(") < strings.Count(u, ")"):
		case r == ']' && strings.Count(u, "[") < strings.Count(u, "]"):
		default:
			return u
		}
		u = u[:len(u)-size]
	}
	return u
}

// span is a byte range of text that a split must not cut into.
type span struct{ start, end int }

var (
	inlineCode = regexp.MustCompile("`[^`\n]+`")
	mdLink     = regexp.MustCompile(`\[[^\]\n]*\]\(<?[^)\s]*>?\)`)
	angleURL   = regexp.MustCompile(`<https?://[^>\s]+>`)
	citations  = regexp.MustCompile(`\[\d+\](?:[ \t]*\[\d+\])*`)
	// leadingCitation is a citation that opens the text after a cut.
	leadingCitation = regexp.MustCompile(`^\s*\[\d+\]`)
	// trailingCitation is a citation that closes the text before a cut.
	trailingCitation = regexp.MustCompile(`\[\d+\]\s*$`)
)

// protected returns the spans of s that a split must not cut into: code
// blocks, inline code, links, URLs and citations.
func protected(s string) []span {
	var out []span
	for _, re := range []*regexp.Regexp{codeFence, inlineCode, mdLink, angleURL, bareURL, citations} {
		for _, m := range re.FindAllStringIndex(s, -1) {
			out = append(out, span{m[0], m[1]})
		}
	}
	return out
}

// splitText splits s into parts of at most limit runes each, at paragraph
// breaks, else line breaks, else sentence ends, else spaces, and never
// inside a citation, a link or inline code. A code block longer than a
// part is split at a line, closed and reopened.
func splitText(s string, limit int) []string {
	var out []string
	s = strings.TrimSpace(s)
	for utf8.RuneCountInString(s) > limit {
		head, rest := cutText(s, limit)
		if h := strings.TrimRightFunc(head, unicode.IsSpace); h != "" {
			out = append(out, h)
		}
		s = strings.TrimLeftFunc(rest, unicode.IsSpace)
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

// cutText returns the first part of s (at most limit runes) and the rest.
func cutText(s string, limit int) (string, string) {
	end := runeOffset(s, limit)
	spans := protected(s)
	inside := func(p int) bool {
		for _, sp := range spans {
			if sp.start < p && p < sp.end {
				return true
			}
		}
		return false
	}
	minP := end / 4
	levels := []func(p int) bool{
		func(p int) bool { return strings.HasSuffix(s[:p], "\n\n") },
		func(p int) bool { return s[p-1] == '\n' },
		func(p int) bool {
			return isSpaceAt(s, p-1) && endsSentence(s[:p]) && !leadingCitation.MatchString(s[p:])
		},
		func(p int) bool { return isSpaceAt(s, p-1) && !leadingCitation.MatchString(s[p:]) },
	}
	for _, ok := range levels {
		for p := end; p > minP; p-- {
			if utf8.RuneStart(s[p]) && ok(p) && !inside(p) {
				return s[:p], s[p:]
			}
		}
	}
	// A code block too long for one part: split it at a line.
	for _, f := range codeFence.FindAllStringIndex(s, -1) {
		if f[0] < end && end < f[1] {
			return splitFence(s, f[0], runeOffset(s, limit-4))
		}
	}
	for p := end; p > 0; p-- {
		if utf8.RuneStart(s[p]) && !inside(p) {
			return s[:p], s[p:]
		}
	}
	return s[:end], s[end:]
}

// splitFence cuts s inside the code block starting at fence, at the last
// line break before end, closing the block and reopening it in the rest.
func splitFence(s string, fence, end int) (string, string) {
	header, _, _ := strings.Cut(s[fence+3:], "\n")
	body := fence + 3 + len(header) + 1
	if len(header) > maxInfoString || strings.ContainsAny(header, " `") {
		// Code on the fence's line ("```{…}"), not a language name: the
		// rest must not repeat it, or it would never get shorter.
		header, body = "", fence+3
	}
	p := strings.LastIndexByte(s[:end], '\n') + 1
	if p <= body {
		p = end
		for !utf8.RuneStart(s[p]) {
			p--
		}
	}
	return s[:p] + "\n```", "```" + header + "\n" + s[p:]
}

// maxInfoString is the longest language name after a code fence ("```go")
// that a split code block repeats.
const maxInfoString = 20

// runeOffset returns the byte offset of rune n of s (len(s) if shorter).
func runeOffset(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

func isSpaceAt(s string, i int) bool { return s[i] == ' ' || s[i] == '\t' }

// endsSentence reports whether s ends a sentence: terminal punctuation,
// possibly followed by closing quotes or brackets and citations.
func endsSentence(s string) bool {
	for {
		t := strings.TrimRightFunc(s, unicode.IsSpace)
		if loc := trailingCitation.FindStringIndex(t); loc != nil {
			t = t[:loc[0]]
		}
		t = strings.TrimRight(t, `"'»”’)*_`)
		t = strings.TrimRightFunc(t, unicode.IsSpace)
		if t == s {
			break
		}
		s = t
	}
	r, _ := utf8.DecodeLastRuneInString(s)
	return strings.ContainsRune(".!?؟…。", r)
}

// preview is the text of a streamed answer so far, made safe for one
// message: links wrapped, cut to the content limit with an ellipsis.
func preview(raw string) string {
	return nlp.Truncate(wrapLinks(strings.TrimSpace(raw)), maxContent)
}
