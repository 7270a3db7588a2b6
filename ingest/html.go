package ingest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	readability "codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/dalil-news/dalil/rag"
)

// pageMeta is what the whole page declares about its article.
type pageMeta struct {
	title, ogTitle, siteName, lang string
	canonical, ogURL               string
	published, timeElement         time.Time
}

// parseHTML extracts the main content with readability and converts it to
// paragraphs; metadata comes from the page's <meta>, JSON-LD and <time>
// elements, then from readability.
func parseHTML(text string, pageURL *url.URL) (parsed, error) {
	root, err := html.Parse(strings.NewReader(text))
	if err != nil {
		return parsed{}, fmt.Errorf("parse HTML: %w", err)
	}
	meta := scanMeta(root)
	parser := readability.NewParser()
	parser.KeepClasses = true // so that share and newsletter blocks can be recognized
	art, err := parser.ParseAndMutate(root, pageURL)
	if err != nil {
		return parsed{}, fmt.Errorf("readability: %w", err)
	}
	if art.Node == nil {
		return parsed{}, fmt.Errorf("readability found no content: %w", rag.ErrEmptyInput)
	}
	p := parsed{
		title:     firstNonEmpty(normalizeSpace(art.Title()), meta.ogTitle, meta.title),
		publisher: firstNonEmpty(meta.siteName, normalizeSpace(art.SiteName())),
		lang:      firstNonEmpty(meta.lang, art.Language()),
		published: meta.published,
		pageURL:   articleURL(firstNonEmpty(meta.canonical, meta.ogURL)),
	}
	if p.published.IsZero() {
		if t, err := art.PublishedTime(); err == nil {
			p.published = t
		}
	}
	if p.published.IsZero() {
		p.published = meta.timeElement
	}
	paras := nodeParagraphs(art.Node)
	// The article's own headline often opens the content.
	if len(paras) > 0 && strings.EqualFold(strings.TrimPrefix(paras[0], rag.HeadingPrefix), p.title) {
		paras = paras[1:]
	}
	for len(paras) > 0 && strings.HasPrefix(paras[len(paras)-1], rag.HeadingPrefix) {
		paras = paras[:len(paras)-1]
	}
	p.text = strings.Join(paras, "\n\n")
	return p, nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// articleURL returns raw if it can be an article's address: absolute,
// http or https, and not a site's home page, which templates often declare
// as every page's canonical URL; otherwise "".
func articleURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Trim(u.Path, "/") == "" {
		return ""
	}
	return u.String()
}

// scanMeta reads <html lang>, <title>, <link rel=canonical>, OpenGraph and
// article metadata, JSON-LD datePublished and the first <time datetime>.
func scanMeta(root *html.Node) pageMeta {
	var m pageMeta
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Html:
				m.lang = attr(n, "lang")
			case atom.Title:
				if m.title == "" {
					m.title = normalizeSpace(textContent(n))
				}
			case atom.Meta:
				key := strings.ToLower(firstNonEmpty(attr(n, "property"), attr(n, "name"), attr(n, "itemprop")))
				content := normalizeSpace(attr(n, "content"))
				switch key {
				case "og:title":
					m.ogTitle = firstNonEmpty(m.ogTitle, content)
				case "og:url":
					m.ogURL = firstNonEmpty(m.ogURL, content)
				case "og:site_name":
					m.siteName = firstNonEmpty(m.siteName, content)
				case "article:published_time", "datepublished", "og:article:published_time":
					if t, ok := parseTimestamp(content); ok && m.published.IsZero() {
						m.published = t
					}
				}
			case atom.Link:
				if slices.Contains(strings.Fields(strings.ToLower(attr(n, "rel"))), "canonical") {
					m.canonical = firstNonEmpty(m.canonical, attr(n, "href"))
				}
			case atom.Script:
				if strings.EqualFold(attr(n, "type"), "application/ld+json") && m.published.IsZero() {
					m.published = jsonLDPublished(textContent(n))
				}
			case atom.Time:
				if t, ok := parseTimestamp(attr(n, "datetime")); ok && m.timeElement.IsZero() {
					m.timeElement = t
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return m
}

// jsonLDPublished finds the first datePublished in a JSON-LD block.
func jsonLDPublished(src string) time.Time {
	var v any
	if json.Unmarshal([]byte(src), &v) != nil {
		return time.Time{}
	}
	var find func(v any) time.Time
	find = func(v any) time.Time {
		switch x := v.(type) {
		case map[string]any:
			if s, ok := x["datePublished"].(string); ok {
				if t, ok := parseTimestamp(s); ok {
					return t
				}
			}
			for _, c := range x {
				if t := find(c); !t.IsZero() {
					return t
				}
			}
		case []any:
			for _, c := range x {
				if t := find(c); !t.IsZero() {
					return t
				}
			}
		}
		return time.Time{}
	}
	return find(v)
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

func textContent(n *html.Node) string {
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// skipped elements carry no article text.
var skipped = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Figure: true, atom.Figcaption: true, atom.Picture: true, atom.Img: true,
	atom.Svg: true, atom.Math: true, atom.Video: true, atom.Audio: true, atom.Iframe: true,
	atom.Object: true, atom.Embed: true, atom.Canvas: true, atom.Button: true,
	atom.Form: true, atom.Input: true, atom.Select: true, atom.Textarea: true,
	atom.Nav: true, atom.Aside: true, atom.Footer: true, atom.Head: true,
}

// blocks end the paragraph being written before and after them.
var blocks = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Li: true, atom.Ul: true, atom.Ol: true,
	atom.Blockquote: true, atom.Pre: true, atom.Section: true, atom.Article: true,
	atom.Header: true, atom.Main: true, atom.Table: true, atom.Tr: true, atom.Td: true,
	atom.Th: true, atom.Dl: true, atom.Dt: true, atom.Dd: true, atom.Hr: true,
	atom.Br: true, atom.H5: true, atom.H6: true, atom.Details: true, atom.Summary: true,
	atom.Address: true,
}

var headings = map[atom.Atom]bool{atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true}

// junkClass matches class or id values of share bars, newsletters,
// related links and ads that readability may leave in.
var junkClass = regexp.MustCompile(`(?i)(^|[\s_-])(share|sharing|social|newsletter|related|promo|advert|ad|ads|sponsor|subscribe|subscription|paywall|outbrain|taboola|comments?|print|caption|credit)($|[\s_-])`)

// nodeParagraphs converts readability's content node to paragraphs:
// blocks (<p>, <li>, <blockquote>...) become paragraphs, <h1>-<h4> become
// "## " headings, and media, forms, share buttons and boilerplate lines
// are dropped, as are consecutive duplicates.
func nodeParagraphs(root *html.Node) []string {
	var paras []string
	var buf strings.Builder
	heading := false
	flush := func() {
		s := normalizeSpace(buf.String())
		buf.Reset()
		if s == "" || isBoilerplate(s) {
			return
		}
		if heading {
			s = rag.HeadingPrefix + s
		}
		if len(paras) > 0 && paras[len(paras)-1] == s {
			return
		}
		paras = append(paras, s)
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			buf.WriteString(n.Data)
			return
		case html.ElementNode:
			if skipped[n.DataAtom] || attr(n, "hidden") != "" || attr(n, "aria-hidden") == "true" ||
				junkClass.MatchString(attr(n, "class")) || junkClass.MatchString(attr(n, "id")) {
				return
			}
		}
		switch {
		case headings[n.DataAtom]:
			flush()
			heading = true
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
			flush()
			heading = false
		case blocks[n.DataAtom]:
			flush()
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
			flush()
		default:
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
	}
	walk(root)
	flush()
	return paras
}
