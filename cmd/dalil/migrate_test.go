package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLIMigrate: migrate says how many migrations it applied, and "is up
// to date" only when it applied none.
func TestCLIMigrate(t *testing.T) {
	files, err := filepath.Glob("../../postgres/migrations/*.sql")
	if err != nil || len(files) < 2 {
		t.Fatalf("migrations: %v, %d files", err, len(files))
	}
	c := newCLI(t)
	out, _, err := c.run("migrate")
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("applied %d of %d migrations to ", len(files), len(files)); !strings.Contains(out, want) || strings.Contains(out, "up to date") {
		t.Errorf("first migrate printed %q, want %q…", out, want)
	}
	out, _, err = c.run("migrate")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "is up to date") {
		t.Errorf("second migrate printed %q, want \"… is up to date\"", out)
	}
}
