package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLIDotEnv: the .env of the current directory is logged by its path
// when read, and refused when another user may have written it.
func TestCLIDotEnv(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	path := filepath.Join(dir, ".env")
	if err := os.WriteFile(path, []byte("LOG_LEVEL=info\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := cli{t: t}
	// ask without a question stops at its usage, after the configuration.
	_, errOut, _ := c.run("ask")
	if !strings.Contains(errOut, "level=INFO") || !strings.Contains(errOut, "path="+path) {
		t.Errorf("stderr does not log the .env read, at info, by its path %s:\n%s", path, errOut)
	}
	if err := os.Chmod(path, 0o666); err != nil {
		t.Fatal(err)
	}
	_, _, err := c.run("ask")
	if err == nil || !strings.Contains(err.Error(), "chmod go-w "+path) {
		t.Errorf("a .env writable by others: %v, want a refusal naming chmod go-w %s", err, path)
	}
}
