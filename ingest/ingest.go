// Package ingest turns sources (URLs, local files, JSONL archives) into
// cleaned rag.Article values: it fetches safely, decodes charsets, extracts
// the main content of HTML pages, removes the junk of scraped text, and reads
// metadata (title, publisher, publication date, language). Its Pipeline
// hands the articles to an Ingester (rag.Service) with concurrent workers in
// batches, and StartBulk, FinishBulk and RepairBulk manage a store's bulk
// loads; the store itself is behind the interfaces declared here. Extractor
// turns the Discord bot's URLs and uploads into articles.
package ingest

import (
	"errors"
	"time"
)

// Errors returned (wrapped) by the fetcher and the extractors. Check them
// with errors.Is; an empty input wraps rag.ErrEmptyInput instead.
var (
	// ErrBlockedAddress means a URL resolved to a loopback, private,
	// link-local or otherwise non-public address and Config.AllowPrivate
	// was false.
	ErrBlockedAddress = errors.New("address not allowed")
	// ErrTooLarge means a body was larger than the configured limit.
	ErrTooLarge = errors.New("too large")
	// ErrUnsupportedType means the content is neither HTML, plain text
	// nor Markdown (an image, a PDF, binary data...).
	ErrUnsupportedType = errors.New("unsupported content")
)

// Defaults applied by NewFetcher and ReadFile to zero Config fields.
const (
	DefaultMaxBytes      int64 = 10 << 20
	DefaultTimeout             = 20 * time.Second
	DefaultHeaderTimeout       = 10 * time.Second
	DefaultMaxRedirects        = 5
	DefaultUserAgent           = "dalil/1.0 (+https://github.com/dalil-news/dalil)"
)

// Config configures a Fetcher. Zero fields take the defaults above.
type Config struct {
	// MaxBytes caps the size of a response body (default 10 MiB).
	MaxBytes int64
	// Timeout bounds a whole fetch, redirects and body included (default 20s).
	Timeout time.Duration
	// HeaderTimeout bounds the wait for response headers after a request
	// is sent (default 10s, never more than Timeout).
	HeaderTimeout time.Duration
	// MaxRedirects is the number of redirects followed (default 5).
	MaxRedirects int
	// AllowPrivate permits loopback, private, link-local and other
	// non-public addresses. Only for tests and trusted networks.
	AllowPrivate bool
	// UserAgent is sent with every request (default DefaultUserAgent).
	UserAgent string
}

// Document is a fetched or read source, not yet decoded or cleaned.
type Document struct {
	// Source is what the user gave: a URL or a file path.
	Source string
	// URL is the final URL after redirects, or file:///abs/path.
	URL string
	// ContentType is the media type with its parameters, as declared by the
	// server or guessed from a file's extension.
	ContentType string
	// Body holds the raw bytes.
	Body []byte
	// Saved marks a copy of a page kept elsewhere than where it was
	// published (a file, an upload): the URL the page declares
	// (rel=canonical, og:url) is its address, rather than URL. Documents
	// with a file: URL are always copies.
	Saved bool
}
