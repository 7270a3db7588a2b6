package rag

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dalil-news/dalil/nlp"
)

// ChunkConfig bounds chunks. Sizes count characters (runes), not bytes.
// Zero values take the defaults.
type ChunkConfig struct {
	// MaxChars is the largest chunk (default 1000). Only a single word
	// longer than MaxChars, or a small piece merged into the chunk before
	// it (up to 1.2 × MaxChars), makes a chunk longer.
	MaxChars int
	// MinChars is the amount of new text under which a chunk (typically
	// the last piece of a section or of a long paragraph) is merged into the
	// previous chunk of its section, when the result stays within
	// 1.2 × MaxChars (default 200; negative: never merge).
	MinChars int
	// Overlap is the largest number of characters of whole sentences from
	// the end of a chunk that the next chunk of the same section repeats
	// (default 150: about one short sentence; negative: no overlap).
	Overlap int
}

// Defaults of ChunkConfig.
const (
	DefaultChunkMaxChars = 1000
	DefaultChunkMinChars = 200
	DefaultChunkOverlap  = 150
)

// withDefaults replaces zero fields by the defaults and negative ones by 0.
func (c ChunkConfig) withDefaults() ChunkConfig {
	if c.MaxChars <= 0 {
		c.MaxChars = DefaultChunkMaxChars
	}
	switch {
	case c.MinChars == 0:
		c.MinChars = DefaultChunkMinChars
	case c.MinChars < 0:
		c.MinChars = 0
	}
	switch {
	case c.Overlap == 0:
		c.Overlap = DefaultChunkOverlap
	case c.Overlap < 0:
		c.Overlap = 0
	}
	return c
}

// chunkUnit is a sentence, or a piece of a sentence longer than MaxChars:
// byte offsets in the article text and rune offsets for measuring.
type chunkUnit struct {
	start, end   int // bytes
	rstart, rend int // runes
	paraStart    bool
	paraEnd      int // rune offset of the end of the unit's paragraph
}

// chunkSection is the text under one heading (or before the first one).
type chunkSection struct {
	heading string
	units   []chunkUnit
}

// chunkSpan is a chunk being built: units [first, last] of its section;
// fresh is the first unit that the previous chunk does not hold.
type chunkSpan struct {
	first, last, fresh int
}

// ChunkArticle splits a.Text into chunks, section by section: a heading
// paragraph (HeadingPrefix) is not a chunk itself but names the chunks that
// follow it, and no chunk crosses a heading. Within a section, whole sentences
// are packed up to cfg.MaxChars, a new chunk starts at a paragraph when the
// current one is already large enough and the paragraph does not fit, a
// sentence longer than MaxChars is cut at white space, and each chunk starts
// with the last sentences of the previous one up to cfg.Overlap characters.
// Every chunk has Text == a.Text[Start:End], with no surrounding white space,
// and ArticleID == a.ID. It returns nil when the text has no content.
func ChunkArticle(a Article, cfg ChunkConfig) []Chunk {
	cfg = cfg.withDefaults()
	var chunks []Chunk
	for _, sec := range chunkSections(a.Text, cfg.MaxChars) {
		for _, sp := range chunkPack(sec.units, cfg) {
			start, end := sec.units[sp.first].start, sec.units[sp.last].end
			chunks = append(chunks, Chunk{
				ArticleID: a.ID,
				Index:     len(chunks),
				Text:      a.Text[start:end],
				Heading:   sec.heading,
				Start:     start,
				End:       end,
			})
		}
	}
	return chunks
}

// chunkSections cuts text into sections at heading lines and each section
// into units. Paragraphs are runs of lines between blank lines or headings.
func chunkSections(text string, maxChars int) []chunkSection {
	var (
		sections  []chunkSection
		cur       chunkSection
		paraStart = -1 // byte offset of the open paragraph, -1 if none
		counter   = chunkRuneCounter{text: text}
	)
	closePara := func(end int) {
		if paraStart < 0 {
			return
		}
		s, e := nlp.TrimSpan(text, paraStart, end)
		paraStart = -1
		if s == e {
			return
		}
		first := len(cur.units)
		for _, sp := range nlp.Sentences(text[s:e]) {
			cur.units = chunkSplitLong(text, sp.Start+s, sp.End+s, maxChars, &counter, cur.units)
		}
		if first < len(cur.units) {
			cur.units[first].paraStart = true
			last := cur.units[len(cur.units)-1].rend
			for i := first; i < len(cur.units); i++ {
				cur.units[i].paraEnd = last
			}
		}
	}
	closeSection := func() {
		if len(cur.units) > 0 {
			sections = append(sections, cur)
		}
	}
	for lineStart := 0; lineStart < len(text); {
		lineEnd := len(text)
		next := len(text)
		if k := strings.IndexByte(text[lineStart:], '\n'); k >= 0 {
			lineEnd, next = lineStart+k, lineStart+k+1
		}
		line := strings.TrimLeftFunc(text[lineStart:lineEnd], unicode.IsSpace)
		switch {
		case strings.TrimSpace(line) == "":
			closePara(lineStart)
		case strings.HasPrefix(line, HeadingPrefix):
			closePara(lineStart)
			closeSection()
			cur = chunkSection{heading: strings.TrimSpace(line[len(HeadingPrefix):])}
		case paraStart < 0:
			paraStart = lineStart
		}
		lineStart = next
	}
	closePara(len(text))
	closeSection()
	return sections
}

// chunkSplitLong appends the sentence [start, end) to units, cut at the last
// white space before maxChars runes when it is longer. A single word longer
// than maxChars stays whole.
func chunkSplitLong(text string, start, end, maxChars int, counter *chunkRuneCounter, units []chunkUnit) []chunkUnit {
	for start < end {
		cut, lastSpace, n := end, -1, 0
		for i, r := range text[start:end] {
			space := unicode.IsSpace(r)
			if n >= maxChars && (space || lastSpace >= 0) {
				cut = start + i
				if !space {
					cut = lastSpace
				}
				break
			}
			if space {
				lastSpace = start + i
			}
			n++
		}
		s, e := nlp.TrimSpan(text, start, cut)
		if s < e {
			units = append(units, chunkUnit{start: s, end: e, rstart: counter.at(s), rend: counter.at(e)})
		}
		start, _ = nlp.TrimSpan(text, cut, end)
	}
	return units
}

// chunkPack groups the units of one section into chunks.
func chunkPack(units []chunkUnit, cfg ChunkConfig) []chunkSpan {
	size := func(first, last int) int { return units[last].rend - units[first].rstart }
	var spans []chunkSpan
	cur := chunkSpan{}
	for i := 1; i < len(units); i++ {
		u := units[i]
		fits := size(cur.first, i) <= cfg.MaxChars
		// Paragraph-aware: rather than spill a paragraph that does not fit
		// across two chunks, start it in a new chunk when the current one
		// already holds enough.
		paraBreak := u.paraStart && u.paraEnd-units[cur.first].rstart > cfg.MaxChars &&
			size(cur.fresh, i-1) >= cfg.MinChars
		if fits && !paraBreak {
			cur.last = i
			continue
		}
		spans = append(spans, cur)
		cur = chunkSpan{first: i, last: i, fresh: i}
		// Overlap: the smallest suffix start o of the previous chunk (never
		// its first unit) within the overlap budget that still fits.
		prev := spans[len(spans)-1]
		for o := prev.first + 1; o <= prev.last; o++ {
			if size(o, prev.last) <= cfg.Overlap && size(o, i) <= cfg.MaxChars {
				cur.first = o
				break
			}
		}
	}
	if len(units) > 0 {
		spans = append(spans, cur)
	}
	// Merge tiny pieces into the chunk before them.
	limit := cfg.MaxChars + cfg.MaxChars/5
	kept := spans[:0]
	for _, sp := range spans {
		if n := len(kept); n > 0 && size(sp.fresh, sp.last) < cfg.MinChars && size(kept[n-1].first, sp.last) <= limit {
			kept[n-1].last = sp.last
			continue
		}
		kept = append(kept, sp)
	}
	return kept
}

// chunkRuneCounter converts byte offsets of a text to rune offsets in time
// proportional to the distance between successive offsets.
type chunkRuneCounter struct {
	text        string
	byteAt, nth int
}

// at returns the number of runes in text[:i], counting from the previous
// call's offset.
func (c *chunkRuneCounter) at(i int) int {
	if i < c.byteAt {
		c.nth -= utf8.RuneCountInString(c.text[i:c.byteAt])
	} else {
		c.nth += utf8.RuneCountInString(c.text[c.byteAt:i])
	}
	c.byteAt = i
	return c.nth
}
