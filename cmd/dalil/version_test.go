package main

import (
	"runtime"
	"strings"
	"testing"
)

// TestCLIVersion: dalil version needs no configuration and names the
// module, its version and revision, and the Go version.
func TestCLIVersion(t *testing.T) {
	c := cli{t: t, env: map[string]string{"LOG_LEVEL": "nonsense"}}
	out, _, err := c.run("version")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"dalil ", "github.com/dalil-news/dalil", "revision", runtime.Version()} {
		if !strings.Contains(out, want) {
			t.Errorf("version output does not contain %q:\n%s", want, out)
		}
	}
}
