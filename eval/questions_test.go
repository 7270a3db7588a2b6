package eval

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadQuestions(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		want    []Question
		wantErr string
	}{
		{
			name: "kinds default to all, blank lines skipped",
			file: `{"id":"q1","kind":"fact","lang":"fr","question":"Qui ?","expected_urls":["https://a.example/1"],"answers":["Mezzour"]}

{"id":"q2","question":"Why?"}
`,
			want: []Question{
				{ID: "q1", Kind: "fact", Lang: "fr", Text: "Qui ?", ExpectedURLs: []string{"https://a.example/1"}, Answers: []string{"Mezzour"}},
				{ID: "q2", Kind: "all", Text: "Why?"},
			},
		},
		{
			name: "Darija's script kept, unknown fields ignored",
			file: `{"id":"d1","kind":"darija","lang":"ary","script":"latn","question":"3lach?","expected_urls":["seed:mezzour"],"reviewer":"x"}`,
			want: []Question{{ID: "d1", Kind: "darija", Lang: "ary", Script: "latn", Text: "3lach?", ExpectedURLs: []string{"seed:mezzour"}}},
		},
		{name: "bad JSON names the line", file: "{\"question\":\"a\"}\n{oops\n", wantErr: "q.jsonl:2: invalid character"},
		{name: "empty question", file: `{"id":"q1","question":"  "}`, wantErr: "q.jsonl:1: empty question"},
		{name: "no questions", file: "\n\n", wantErr: "q.jsonl has no questions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "q.jsonl")
			if err := os.WriteFile(path, []byte(tt.file), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := ReadQuestions(path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ReadQuestions error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ReadQuestions (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := ReadQuestions(filepath.Join(t.TempDir(), "missing.jsonl")); err == nil {
		t.Error("ReadQuestions of a missing file succeeded")
	}
}

// TestReadQuestionsXling reads the cross-lingual dev file as `make eval`
// does: every line, Darija's script included.
func TestReadQuestionsXling(t *testing.T) {
	qs, err := ReadQuestions("../testdata/eval/questions-dev-xling.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	kinds, scripts := map[string]int{}, map[string]int{}
	for _, q := range qs {
		kinds[q.Kind]++
		scripts[q.Script]++
	}
	if diff := cmp.Diff(map[string]int{"en-fr": 80, "ar-fr": 40, "xseed": 10, "darija": 10}, kinds); diff != "" {
		t.Errorf("questions by kind (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"": 130, "latn": 6, "arab": 4}, scripts); diff != "" {
		t.Errorf("questions by script (-want +got):\n%s", diff)
	}
}

// byURL returns articles without ids, as another system's results are.
