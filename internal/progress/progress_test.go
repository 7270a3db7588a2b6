package progress

import (
	"bytes"
	"os"
	"testing"
)

// TestNotATerminal: on a pipe, a file or a buffer, nothing is printed.
func TestNotATerminal(t *testing.T) {
	var buf bytes.Buffer
	p := New(&buf, "ingested", "articles")
	p.Set(1, 0)
	p.Done()
	if buf.Len() != 0 {
		t.Errorf("printed %q on a buffer, want nothing", buf.String())
	}
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if New(f, "asked", "questions").tty {
		t.Error("a regular file is taken for a terminal")
	}
}

// TestTerminal: the line is drawn over itself and cleared at the end.
func TestTerminal(t *testing.T) {
	for _, tc := range []struct {
		name        string
		done, total int
		want        string
	}{
		{"known total", 3, 10, "\rasked 3/10 questions ("},
		{"unknown total", 3, 0, "\rasked 3 questions ("},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			p := New(&buf, "asked", "questions")
			p.tty = true
			p.Set(tc.done, tc.total)
			if got := buf.String(); !bytes.HasPrefix([]byte(got), []byte(tc.want)) {
				t.Errorf("Set: %q, want it to start with %q", got, tc.want)
			}
			p.Set(tc.done+1, tc.total) // within 200 ms: not redrawn
			before := buf.Len()
			p.Done()
			if got := buf.String()[before:]; got != "\r\033[K" {
				t.Errorf("Done: %q, want the line cleared", got)
			}
		})
	}
}
