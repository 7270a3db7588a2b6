package ingest

import (
	"testing"
)

// TestSavedPageURL: a web page saved to a file (or uploaded) is cited by the
// URL it declares (rel=canonical, else og:url), not by where its copy lies;
// a fetched page keeps the URL it was fetched from.
func TestSavedPageURL(t *testing.T) {
	savedPage := func(head string) []byte {
		return []byte(`<!DOCTYPE html><html lang="fr"><head><title>La loi sur l'eau</title>` + head +
			`</head><body><article><p>` + prose + `</p></article></body></html>`)
	}
	tests := []struct {
		name          string
		doc           Document
		wantURL       string
		wantPublisher string
	}{
		{
			name:          "saved file, rel=canonical",
			doc:           Document{Source: "page.html", URL: "file:///saved/page.html", Body: savedPage(`<link rel="canonical" href="https://www.Lopinion.ma/loi-eau_a123.html?utm_source=twitter"><meta property="og:url" content="https://m.lopinion.ma/other">`)},
			wantURL:       "https://www.lopinion.ma/loi-eau_a123.html",
			wantPublisher: "lopinion.ma",
		},
		{
			name:          "saved file, og:url only",
			doc:           Document{Source: "page.html", URL: "file:///saved/page.html", Body: savedPage(`<meta property="og:url" content="https://lematin.ma/loi-eau/123"><meta property="og:site_name" content="Le Matin">`)},
			wantURL:       "https://lematin.ma/loi-eau/123",
			wantPublisher: "Le Matin",
		},
		{
			name:    "saved file, canonical is the home page (a template mistake)",
			doc:     Document{Source: "page.html", URL: "file:///saved/page.html", Body: savedPage(`<link rel="canonical" href="https://lematin.ma/">`)},
			wantURL: "file:///saved/page.html",
		},
		{
			name:    "saved file, relative canonical",
			doc:     Document{Source: "page.html", URL: "file:///saved/page.html", Body: savedPage(`<link rel="canonical" href="/loi-eau/123">`)},
			wantURL: "file:///saved/page.html",
		},
		{
			name:    "saved file, no declared URL",
			doc:     Document{Source: "page.html", URL: "file:///saved/page.html", Body: savedPage(``)},
			wantURL: "file:///saved/page.html",
		},
		{
			name:          "fetched page keeps its own URL",
			doc:           Document{Source: "https://news.example/a/1", URL: "https://news.example/a/1", ContentType: "text/html", Body: savedPage(`<link rel="canonical" href="https://other.example/b/2">`)},
			wantURL:       "https://news.example/a/1",
			wantPublisher: "news.example",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Extract(&tt.doc)
			if err != nil {
				t.Fatal(err)
			}
			if a.URL != tt.wantURL || a.Publisher != tt.wantPublisher {
				t.Errorf("URL, publisher = %q, %q; want %q, %q", a.URL, a.Publisher, tt.wantURL, tt.wantPublisher)
			}
		})
	}
}

// TestExtractFileSavedPage: an uploaded saved page is cited by its own URL,
// not by the upload's link (which expires).
func TestExtractFileSavedPage(t *testing.T) {
	body := []byte(`<html><head><title>La loi sur l'eau</title><link rel="canonical" href="https://lematin.ma/loi-eau/123"></head><body><article><p>` + prose + `</p></article></body></html>`)
	a, err := Extractor{}.ExtractFile("page.html", "https://cdn.discordapp.com/attachments/1/2/page.html", "text/html", body)
	if err != nil {
		t.Fatal(err)
	}
	if a.URL != "https://lematin.ma/loi-eau/123" || a.Publisher != "lematin.ma" {
		t.Errorf("URL, publisher = %q, %q; want the page's own", a.URL, a.Publisher)
	}
}
