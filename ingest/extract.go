package ingest

import (
	"bytes"
	"fmt"
	"mime"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html/charset"

	"github.com/dalil-news/dalil/nlp"
	"github.com/dalil-news/dalil/rag"
)

type kind int

const (
	kindUnknown kind = iota
	kindHTML
	kindText
	kindMarkdown
)

// kindOf maps a media type (without parameters) to the extractor for it.
func kindOf(mediaType string) kind {
	switch strings.ToLower(mediaType) {
	case "text/html", "application/xhtml+xml":
		return kindHTML
	case "text/plain":
		return kindText
	case "text/markdown", "text/x-markdown":
		return kindMarkdown
	}
	return kindUnknown
}

// kindOfExt maps a file extension to the extractor for it.
func kindOfExt(ext string) kind {
	switch strings.ToLower(ext) {
	case ".html", ".htm", ".xhtml":
		return kindHTML
	case ".txt", ".text":
		return kindText
	case ".md", ".markdown":
		return kindMarkdown
	}
	return kindUnknown
}

// parsed is what an extractor finds in a decoded document.
type parsed struct {
	title, publisher, lang string
	url                    string // declared by front matter; wins over the document's
	pageURL                string // declared by an HTML page; wins over a saved copy's
	published              time.Time
	text                   string
}

// Extract decodes doc to UTF-8 (declared charset first, then UTF-8), picks
// the extractor from the content type and the URL's extension (HTML through
// readability, scraped plain text through the junk-removing cleaner,
// Markdown), and fills the article's title, canonical URL, publisher,
// publication date, language and content hash. Binary content and unknown
// types fail with ErrUnsupportedType; an empty result wraps rag.ErrEmptyInput.
//
// The language is the declared one (<html lang>, front matter) unless
// nlp.DetectLang confidently finds another in the text.
func Extract(doc *Document) (rag.Article, error) {
	a, err := extract(doc)
	if err != nil {
		return rag.Article{}, fmt.Errorf("extract %s: %w", doc.Source, err)
	}
	return a, nil
}

func extract(doc *Document) (rag.Article, error) {
	if len(bytes.TrimSpace(doc.Body)) == 0 {
		return rag.Article{}, fmt.Errorf("no content: %w", rag.ErrEmptyInput)
	}
	u, err := url.Parse(doc.URL)
	if err != nil {
		return rag.Article{}, fmt.Errorf("invalid document URL %q: %w", doc.URL, err)
	}
	k := documentKind(doc.ContentType, u.Path, doc.Body)
	if k == kindUnknown {
		return rag.Article{}, fmt.Errorf("%w: content type %q", ErrUnsupportedType, doc.ContentType)
	}
	text, err := decode(doc.Body, doc.ContentType, k == kindHTML)
	if err != nil {
		return rag.Article{}, err
	}
	if strings.TrimSpace(text) == "" {
		return rag.Article{}, fmt.Errorf("only whitespace: %w", rag.ErrEmptyInput)
	}
	var p parsed
	switch k {
	case kindHTML:
		p, err = parseHTML(text, u)
		if err != nil {
			return rag.Article{}, err
		}
	case kindMarkdown:
		p = parseMarkdown(text)
	default:
		p = cleanText(text)
	}
	if p.text == "" {
		return rag.Article{}, fmt.Errorf("no article text found: %w", rag.ErrEmptyInput)
	}
	a := rag.Article{
		Title:     p.title,
		URL:       doc.URL,
		Publisher: p.publisher,
		Published: p.published,
		Lang:      nlp.ChooseLang(p.lang, p.title+"\n"+p.text),
		Text:      p.text,
	}
	declared := p.url
	if declared == "" && (doc.Saved || u.Scheme != "http" && u.Scheme != "https") {
		declared = p.pageURL
	}
	if declared != "" {
		d, err := url.Parse(declared)
		if err == nil && (d.Scheme == "http" || d.Scheme == "https") {
			u = d
		}
	}
	if u.Scheme == "http" || u.Scheme == "https" {
		if a.URL, err = CanonicalURL(u.String()); err != nil {
			return rag.Article{}, err
		}
		if a.Publisher == "" {
			a.Publisher = strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
		}
	}
	if a.Title == "" {
		a.Title = titleFromPath(u)
	}
	a.ContentHash = ContentHash(a.Text)
	return a, nil
}

// documentKind decides how to read a document: the media type when it is
// specific, the extension when the type is missing or generic plain text
// (Markdown is often served as text/plain), else a sniff of the bytes.
func documentKind(contentType, urlPath string, body []byte) kind {
	var k kind
	if mt, _, err := mime.ParseMediaType(contentType); err == nil {
		k = kindOf(mt)
	}
	if k == kindText || contentType == "" {
		if ek := kindOfExt(path.Ext(urlPath)); ek != kindUnknown {
			return ek
		}
	}
	if k != kindUnknown {
		return k
	}
	if contentType == "" {
		mt, _, _ := mime.ParseMediaType(sniff(body))
		return kindOf(mt)
	}
	return kindUnknown
}

// sniff guesses a content type, treating valid UTF-8 without a known
// signature as plain text.
func sniff(body []byte) string {
	trimmed := bytes.ToLower(bytes.TrimSpace(body[:min(len(body), 512)]))
	if bytes.HasPrefix(trimmed, []byte("<!doctype html")) || bytes.HasPrefix(trimmed, []byte("<html")) {
		return "text/html"
	}
	if !looksBinary(body) {
		return "text/plain"
	}
	return "application/octet-stream"
}

var metaCharset = regexp.MustCompile(`(?i)<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_:.\-]+)`)

// decode converts body to UTF-8: a byte-order mark or the charset declared
// in the content type (or, for HTML, a <meta> tag) wins; otherwise the body
// must be valid UTF-8. Binary data is refused.
func decode(body []byte, contentType string, isHTML bool) (string, error) {
	label := ""
	switch {
	case bytes.HasPrefix(body, []byte{0xEF, 0xBB, 0xBF}):
		label = "utf-8"
	case bytes.HasPrefix(body, []byte{0xFE, 0xFF}):
		label = "utf-16be"
	case bytes.HasPrefix(body, []byte{0xFF, 0xFE}):
		label = "utf-16le"
	}
	if label == "" {
		if _, params, err := mime.ParseMediaType(contentType); err == nil {
			label = params["charset"]
		}
		if !strings.HasPrefix(strings.ToLower(label), "utf-16") && looksBinary(body) {
			return "", fmt.Errorf("%w: binary data", ErrUnsupportedType)
		}
	}
	if label == "" && isHTML {
		if m := metaCharset.FindSubmatch(body[:min(len(body), 4096)]); m != nil {
			label = string(m[1])
		}
	}
	var s string
	if label != "" {
		enc, name := charset.Lookup(label)
		if enc == nil {
			return "", fmt.Errorf("unknown charset %q", label)
		}
		b, err := enc.NewDecoder().Bytes(body)
		if err != nil {
			return "", fmt.Errorf("decode %s: %w", name, err)
		}
		s = strings.ToValidUTF8(string(b), "\uFFFD")
	} else {
		if !utf8.Valid(body) {
			return "", fmt.Errorf("not UTF-8 and no charset declared")
		}
		s = string(body)
	}
	s = strings.TrimPrefix(s, "\uFEFF")
	if controlShare(s) > 0.02 {
		return "", fmt.Errorf("%w: binary data (control characters)", ErrUnsupportedType)
	}
	return s, nil
}

// looksBinary reports NUL bytes or a high share of control bytes.
func looksBinary(b []byte) bool {
	if bytes.IndexByte(b, 0) >= 0 {
		return true
	}
	ctl := 0
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != '\v' || c == 0x7f {
			ctl++
		}
	}
	return len(b) > 0 && float64(ctl)/float64(len(b)) > 0.02
}

// controlShare is the share of control characters (other than whitespace)
// among the runes of s.
func controlShare(s string) float64 {
	n, ctl := 0, 0
	for _, r := range s {
		n++
		if unicode.IsControl(r) && !unicode.IsSpace(r) {
			ctl++
		}
	}
	if n == 0 {
		return 0
	}
	return float64(ctl) / float64(n)
}

// titleFromPath humanizes the last path element ("mezzour-ia.txt" →
// "Mezzour ia"), or returns the host.
func titleFromPath(u *url.URL) string {
	base := path.Base(u.Path)
	if u.Scheme == "file" {
		base = filepath.Base(filepath.FromSlash(u.Path))
	}
	base = strings.TrimSuffix(base, path.Ext(base))
	base = strings.Join(strings.FieldsFunc(base, func(r rune) bool {
		return r == '-' || r == '_' || r == '.' || r == '+' || unicode.IsSpace(r)
	}), " ")
	if base == "" || base == "/" {
		return u.Hostname()
	}
	r, size := utf8.DecodeRuneInString(base)
	return string(unicode.ToUpper(r)) + base[size:]
}
