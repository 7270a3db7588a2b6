package layers

import (
	"go/build"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/dalil-news/dalil/"

// allowed lists, for each package of the module (relative to its root),
// the module's packages its non-test files may import. Packages missing
// from the table fail the test, so that a new one states its place.
var allowed = map[string][]string{
	// Text-level packages: the standard library (and golang.org/x/text).
	"nlp":     nil,
	"phrases": nil,
	"prompts": {"nlp"},
	"when":    {"nlp"},
	"cite":    {"nlp"},
	"lexicon": {"nlp"},
	// The domain.
	"rag": {"nlp", "when", "cite", "phrases", "prompts", "lexicon", "internal/lru"},
	// Features over the domain.
	"digest": {"rag", "nlp", "cite", "phrases", "prompts"},
	"eval":   {"rag"},
	// What members asked and how the bot answered; its export is eval's.
	"insights": {"rag", "nlp", "eval"},
	// What replicas sharing one database divide between them.
	"replica": nil,
	// Adapters: each may import rag and the text-level packages, never
	// another adapter (feeds reads pages through ingest, its fetcher).
	"embeddings": {"rag", "nlp"},
	"llm":        {"rag", "prompts"},
	"postgres":   {"rag", "nlp", "digest", "replica", "shard", "admin", "insights"},
	"ingest":     {"rag", "nlp"},
	"feeds":      {"rag", "nlp", "ingest"},
	// The operator's endpoints and page, showing the insights report;
	// postgres implements its Records.
	"admin": {"insights", "nlp"},
	// Which gateway shard a replica runs; postgres implements its Store.
	"shard": nil,
	"bot":   {"rag", "digest", "insights", "replica", "nlp", "phrases", "prompts", "cite"},
	// The command wires everything; its settings are read by config.
	"cmd/dalil":       {"*"},
	"internal/config": {"rag", "digest", "lexicon"},
	// The binary's own build information, for `dalil version`.
	"internal/buildinfo": nil,
	// The commands' progress line on a terminal, and their flags.
	"internal/progress": nil,
	"internal/cliflags": nil,
	// Test helpers.
	"internal/layers":               nil,
	"internal/lru":                  nil,
	"internal/testing/golden":       nil,
	"internal/testing/logtest":      nil,
	"internal/testing/pgtest":       nil,
	"internal/testing/openaitest":   nil,
	"internal/testing/discordtest":  nil,
	"internal/testing/mock":         {"rag"},
	"internal/testing/embeddertest": {"rag"},
	"internal/testing/storetest":    {"rag"},
	"internal/testing/servicetest":  {"rag", "prompts"},
	"internal/testing/postgrestest": {"rag", "postgres", "internal/testing/pgtest"},
}

// TestImportsPointInward reads every package's non-test imports (go/build,
// as the go command does) and checks them against allowed.
func TestImportsPointInward(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		switch name := d.Name(); {
		case rel == "bench", name == "testdata", strings.HasPrefix(name, "."), name == "bin":
			return filepath.SkipDir
		}
		pkg, err := build.ImportDir(path, 0)
		if _, ok := err.(*build.NoGoError); ok {
			return nil
		}
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		seen[rel] = true
		ok, listed := allowed[rel]
		if !listed {
			t.Errorf("package %s is not in the layers table: add it with the packages it may import", rel)
			return nil
		}
		for _, imp := range pkg.Imports {
			dep, inModule := strings.CutPrefix(imp, module)
			if !inModule || slices.Contains(ok, "*") || slices.Contains(ok, dep) {
				continue
			}
			t.Errorf("%s imports %s, which its layer may not (allowed: %v)", rel, dep, ok)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for p := range allowed {
		if !seen[p] {
			t.Errorf("the layers table names %s, which has no Go files: remove it", p)
		}
	}
}
