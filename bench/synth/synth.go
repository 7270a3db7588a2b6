// Package synth generates a deterministic archive of news-like articles in
// French and English, for benchmarks at scale.
//
// Articles belong to topics. A topic draws from one domain's vocabulary
// (economy, health, sport, …) and has its own invented people, places and
// organisations, so that texts of one topic share words and their vectors
// cluster as real news does, rather than spreading uniformly.
package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/dalil-news/dalil/rag"
)

// URLPrefix begins the URL of every generated article, which tells
// synthetic articles from real ones in a mixed archive.
const URLPrefix = "https://synthetic.example/"

// Config tunes a Generator. Zero fields take the defaults noted.
type Config struct {
	// Seed makes the archive reproducible: the same seed gives the same
	// articles in the same order.
	Seed uint64
	// Topics is the number of distinct stories (default 400).
	Topics int
}

// Generator produces articles and questions. It is not safe for concurrent
// use.
type Generator struct {
	rng    *rand.Rand
	seed   uint64
	topics []topic
	n      int
}

// topic is one story line: a domain, a language-neutral cast and a subset
// of the domain's nouns.
type topic struct {
	domain  int
	people  []string
	places  []string
	orgs    []string
	nounsFR []string
	nounsEN []string
}

// New returns a Generator for cfg.
func New(cfg Config) *Generator {
	if cfg.Topics <= 0 {
		cfg.Topics = 400
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	g := &Generator{rng: rng, seed: cfg.Seed}
	for range cfg.Topics {
		d := rng.IntN(len(domains))
		t := topic{domain: d}
		for range 3 {
			t.people = append(t.people, g.name(2)+" "+g.name(3))
		}
		for range 2 {
			t.places = append(t.places, g.name(3))
			t.orgs = append(t.orgs, orgPrefix[rng.IntN(len(orgPrefix))]+" "+g.name(2))
		}
		idx := rng.Perm(len(domains[d].fr))[:8]
		for _, i := range idx {
			t.nounsFR = append(t.nounsFR, domains[d].fr[i])
			t.nounsEN = append(t.nounsEN, domains[d].en[i])
		}
		g.topics = append(g.topics, t)
	}
	return g
}

// name invents a capitalised proper noun of n syllables.
func (g *Generator) name(n int) string {
	var b strings.Builder
	for i := range n {
		s := syllables[g.rng.IntN(len(syllables))]
		if i == 0 {
			s = strings.ToUpper(s[:1]) + s[1:]
		}
		b.WriteString(s)
	}
	return b.String()
}

// Article returns the next article: 60% French, 40% English, 3 to 8
// paragraphs, sometimes with section headings, dated between 2015 and 2025.
func (g *Generator) Article() rag.Article {
	r := g.rng
	t := &g.topics[r.IntN(len(g.topics))]
	lang := "fr"
	if r.IntN(10) >= 6 {
		lang = "en"
	}
	var paras []string
	for i := range 3 + r.IntN(6) {
		if i > 0 && r.IntN(5) == 0 {
			paras = append(paras, rag.HeadingPrefix+g.fill(t, lang, headings[lang]))
		}
		var sents []string
		for range 2 + r.IntN(4) {
			sents = append(sents, g.fill(t, lang, sentences[lang]))
		}
		paras = append(paras, strings.Join(sents, " "))
	}
	g.n++
	published := time.Date(2015, 1, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(r.IntN(11*365*24)) * time.Hour)
	return rag.Article{
		Title:     g.fill(t, lang, titles[lang]),
		URL:       fmt.Sprintf("%s%d/%d", URLPrefix, g.seed, g.n),
		Publisher: publishers[r.IntN(len(publishers))],
		Published: published,
		Lang:      lang,
		Text:      strings.Join(paras, "\n\n"),
	}
}

// Question returns a question about a random topic, in its language.
func (g *Generator) Question() (text, lang string) {
	t := &g.topics[g.rng.IntN(len(g.topics))]
	lang = "fr"
	if g.rng.IntN(10) >= 6 {
		lang = "en"
	}
	return g.fill(t, lang, questions[lang]), lang
}

// fill picks one template and replaces its slots.
func (g *Generator) fill(t *topic, lang string, templates []string) string {
	r := g.rng
	nouns := t.nounsFR
	if lang == "en" {
		nouns = t.nounsEN
	}
	d := domains[t.domain]
	verbs := d.verbsFR
	if lang == "en" {
		verbs = d.verbsEN
	}
	s := templates[r.IntN(len(templates))]
	for _, slot := range []struct {
		key  string
		pick func() string
	}{
		{"{person}", func() string { return t.people[r.IntN(len(t.people))] }},
		{"{place}", func() string { return t.places[r.IntN(len(t.places))] }},
		{"{org}", func() string { return t.orgs[r.IntN(len(t.orgs))] }},
		{"{noun}", func() string { return nouns[r.IntN(len(nouns))] }},
		{"{noun2}", func() string { return nouns[r.IntN(len(nouns))] }},
		{"{verb}", func() string { return verbs[r.IntN(len(verbs))] }},
		{"{num}", func() string { return fmt.Sprint(2 + r.IntN(980)) }},
		{"{pct}", func() string { return fmt.Sprintf("%d,%d", r.IntN(40), r.IntN(10)) }},
		{"{year}", func() string { return fmt.Sprint(2015 + r.IntN(11)) }},
		{"{month}", func() string { return months[lang][r.IntN(12)] }},
	} {
		for strings.Contains(s, slot.key) {
			s = strings.Replace(s, slot.key, slot.pick(), 1)
		}
	}
	return s
}
