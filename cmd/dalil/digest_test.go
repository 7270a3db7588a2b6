package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestCLIDigestSetChangesOnlyGivenFlags shows that 'digest set' keeps the
// settings not given, refuses bad values and that 'digest list' shows
// every setting.
func TestCLIDigestSetChangesOnlyGivenFlags(t *testing.T) {
	c := newCLI(t)
	const ch = "123456789012345678"
	if _, _, err := c.run("digest", "set", ch, "--time", "07:30", "--tz", "Europe/Paris", "--lang", "fr", "--publishers", "Le Monde, BBC"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.run("digest", "set", ch, "--empty-note"); err != nil {
		t.Fatal(err)
	}
	out, _, err := c.run("digest", "list")
	if err != nil {
		t.Fatal(err)
	}
	want := regexp.MustCompile(ch + `\s+07:30\s+Europe/Paris\s+"fr"\s+\[\]\s+\["Le Monde" "BBC"\]\s+true\s+true\s+-`)
	if !strings.Contains(out, "EMPTY NOTE") || !want.MatchString(out) {
		t.Errorf("digest list after 'set --empty-note' =\n%s\nwant 07:30 Europe/Paris fr, the publishers, the note, enabled", out)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"digest", "set", ch, "--lang", "de"}, `language "de": want one of fr, en, ar`},
		{[]string{"digest", "set", "general", "--lang", "fr"}, "want a Discord channel id"},
		{[]string{"digest", "set", ch, "--feeds", "42"}, "feed 42: not found"},
		{[]string{"digest", "set", ch, "--tz", "Mars/Olympus"}, "not an IANA name"},
		{[]string{"digest", "set", "--lang", "fr"}, "set takes one channel id"},
	} {
		_, errOut, err := c.run(tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q = %v; want an error with %q", tc.args, err, tc.want)
		}
		if len(tc.args) == 4 && !strings.Contains(err.Error(), "see 'dalil digest --help'") {
			t.Errorf("%q = %v: does not say where the usage is", tc.args, err)
		}
		if errOut != "" {
			t.Errorf("%q printed %q besides the error", tc.args, errOut)
		}
	}
	if out, _, _ := c.run("digest", "list"); !want.MatchString(out) {
		t.Errorf("refused settings changed the channel:\n%s", out)
	}
}

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

// TestCLIDigestDryRunMaxAge shows that the dry run says how many articles
// it left out for their age, and that DIGEST_MAX_AGE sets that age.
func TestCLIDigestDryRunMaxAge(t *testing.T) {
	c := oldAndNew(t)
	_, errOut, err := c.run("digest", "--dry-run")
	if err != nil || !strings.Contains(errOut, "left out 1 article ingested then but published more than 72h0m0s earlier (DIGEST_MAX_AGE)") {
		t.Errorf("dry run: %v\n%s\nwant the old article said to be left out", err, errOut)
	}
	c.env["DIGEST_MAX_AGE"] = "500000h"
	if _, errOut, err = c.run("digest", "--dry-run"); err != nil || !strings.Contains(errOut, "dry run: 2 articles") || strings.Contains(errOut, "left out") {
		t.Errorf("dry run with DIGEST_MAX_AGE=500000h: %v\n%s\nwant both articles", err, errOut)
	}
}
