package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCLIEval ingests the seed article and evaluates three questions: one
// answered from it, one in Darija (read with its script), one unanswerable
// (no expected article, so none to cite).
func TestCLIEval(t *testing.T) {
	c := newCLI(t)
	questions := filepath.Join(t.TempDir(), "q.jsonl")
	lines := `{"id":"s1","kind":"seed","lang":"en","question":"What is Morocco's homemade AI?","expected_urls":["seed:mezzour"],"answers":["Maha Gmira"]}
{"id":"d1","kind":"darija","lang":"ary","script":"latn","question":"chkoun hiya Maha Gmira?","expected_urls":["seed:mezzour"],"answers":["Maha Gmira"]}
{"id":"n1","kind":"none","lang":"fr","question":"Quel est le prix du tramway à Rabat ?","expected_urls":[],"answers":[]}
`
	if err := os.WriteFile(questions, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := c.run("eval", "--ingest", "../../examples/articles", "--questions", questions)
	if err != nil {
		t.Fatalf("eval: %v\n%s", err, errOut)
	}
	rows := map[string][]string{}
	table := strings.Split(strings.TrimSpace(out), "\n")
	for _, line := range table[1:] {
		f := strings.Fields(line)
		rows[f[0]] = f
	}
	const header = "kind n recall@1 recall@5 MRR@10 contains gold not found cites expected citations ok tokens/ans p50 ms p95 ms"
	if got := strings.Join(strings.Fields(table[0]), " "); got != header {
		t.Errorf("header\n%s\nwant\n%s", got, header)
	}
	// kind, n, recall@1, recall@5, MRR@10, contains gold, not found, cites expected.
	if got := rows["seed"]; len(got) < 8 || !cmp.Equal(got[:8], []string{"seed", "1", "1.000", "1.000", "1.000", "1.000", "0.000", "1.000"}) {
		t.Errorf("seed row %q: want found, citing the seed article", got)
	}
	if got := rows["none"]; len(got) < 8 || got[7] != "0.000" {
		t.Errorf("none row %q: want 0 citing expected: nothing is expected", got)
	}
	if got := rows["darija"]; len(got) < 2 || got[1] != "1" {
		t.Errorf("darija row %q: want the Darija question asked", got)
	}

	var res struct {
		Kinds []struct {
			Kind          string  `json:"kind"`
			CitesExpected float64 `json:"answered_citing_expected"`
		} `json:"kinds"`
	}
	if out, _, err = c.run("eval", "--questions", questions, "--json"); err == nil {
		err = json.Unmarshal([]byte(out), &res)
	}
	if err != nil || len(res.Kinds) != 3 || res.Kinds[2].Kind != "seed" || res.Kinds[2].CitesExpected != 1 {
		t.Errorf("eval --json (err %v): want answered_citing_expected 1 for seed, the third kind:\n%s", err, out)
	}
}
