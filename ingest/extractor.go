package ingest

import (
	"context"
	"fmt"
	"net/url"

	"github.com/dalil-news/dalil/rag"
)

// Extractor turns what an admin gives the Discord bot's /ingest into
// articles: URLs, fetched with Fetcher, and uploaded files.
type Extractor struct{ Fetcher *Fetcher }

// FetchURL fetches the page at rawURL and extracts its article.
func (e Extractor) FetchURL(ctx context.Context, rawURL string) (rag.Article, error) {
	doc, err := e.Fetcher.Fetch(ctx, rawURL)
	if err != nil {
		return rag.Article{}, err
	}
	return Extract(doc)
}

// ExtractFile extracts the article of an uploaded file, body, named name
// and served at fileURL. The article's URL is the one a saved web page
// declares, else fileURL; its publisher is left empty rather than named
// after the host serving uploads.
func (Extractor) ExtractFile(name, fileURL, contentType string, body []byte) (rag.Article, error) {
	u, err := url.Parse(fileURL)
	if err != nil || u.Host == "" {
		return rag.Article{}, fmt.Errorf("file %s: invalid URL %q", name, fileURL)
	}
	a, err := Extract(&Document{Source: name, URL: fileURL, ContentType: contentType, Body: body, Saved: true})
	if err != nil {
		return rag.Article{}, err
	}
	if a.Publisher == u.Hostname() {
		a.Publisher = ""
	}
	return a, nil
}
