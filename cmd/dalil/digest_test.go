package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// oldAndNew is a CLI over a database holding an article published now and
// one published in 1986, both just ingested.
func oldAndNew(t *testing.T) cli {
	c := newCLI(t)
	recent := time.Now().UTC().Format(time.RFC3339)
	jsonl := fmt.Sprintf(`{"title":"Le port de Tanger Med bat un record","url":"https://news.example/tanger","publisher":"Example","published":%q,"lang":"fr","text":"Le port de Tanger Med a battu un record de trafic de conteneurs cette année, selon son directeur général."}
{"title":"Archive : la Coupe du monde 1986","url":"https://news.example/1986","publisher":"Example","published":"1986-06-17","lang":"fr","text":"L'équipe du Maroc s'est qualifiée pour le deuxième tour de la Coupe du monde au Mexique, une première pour une équipe africaine."}
`, recent)
	path := filepath.Join(t.TempDir(), "two.jsonl")
	if err := os.WriteFile(path, []byte(jsonl), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, err := c.run("ingest", "--quiet", "--jsonl", path); err != nil {
		t.Fatalf("ingest: %v\n%s", err, errOut)
	}
	return c
}

// TestCLIDigestDryRunWindow shows that the dry run labels its window's
// times with their zone and counts in correct plurals.
func TestCLIDigestDryRunWindow(t *testing.T) {
	_, errOut, err := oldAndNew(t).run("digest", "--dry-run")
	window := regexp.MustCompile(`dry run: 1 article ingested \d{4}-\d\d-\d\d \d\d:\d\d \+0[01]:00 \(Africa/Casablanca\) – \d{4}-\d\d-\d\d \d\d:\d\d \+0[01]:00 \(Africa/Casablanca\), 1 story, 1 message; nothing posted`)
	if err != nil || !window.MatchString(errOut) {
		t.Errorf("dry run: %v\n%s\nwant the window labelled with its zone, in singulars", err, errOut)
	}
}
