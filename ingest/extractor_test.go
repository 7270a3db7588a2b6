package ingest

import (
	"strings"
	"testing"
)

func TestExtractorExtractFile(t *testing.T) {
	body := []byte("# Une IA Homemade au Maroc\n\nLe Maroc réaffirme sa détermination à consolider son rôle dans le domaine de l'Intelligence Artificielle.\n")
	a, err := Extractor{}.ExtractFile("ia.md", "https://cdn.discordapp.com/attachments/1/2/ia.md", "text/markdown", body)
	if err != nil {
		t.Fatal(err)
	}
	if a.URL != "https://cdn.discordapp.com/attachments/1/2/ia.md" || a.Publisher != "" || !strings.Contains(a.Text, "réaffirme") {
		t.Errorf("article %+v: want the file's URL, no publisher and its text", a)
	}
	if _, err := (Extractor{}).ExtractFile("ia.md", "not a url", "text/markdown", body); err == nil || !strings.Contains(err.Error(), "ia.md") {
		t.Errorf("invalid URL: err %v, want an error naming the file", err)
	}
}
