package cliflags

import (
	"bytes"
	"errors"
	"flag"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	tests := []struct {
		args    []string
		wantPos []string
		wantN   int
		wantErr string // "" for none, "help" for flag.ErrHelp
		wantOut string // in stdout
	}{
		{args: []string{"--n", "2", "a", "b"}, wantPos: []string{"a", "b"}, wantN: 2},
		{args: []string{"a", "--n", "3", "b"}, wantPos: []string{"a", "b"}, wantN: 3},
		{args: []string{"a", "--", "--n", "4"}, wantPos: []string{"a", "--n", "4"}, wantN: 1},
		{args: []string{"a", "--", "b", "--n", "7"}, wantPos: []string{"a", "b", "--n", "7"}, wantN: 1},
		{args: []string{"--n", "2", "--", "-x", "-y"}, wantPos: []string{"-x", "-y"}, wantN: 2},
		{args: []string{"--bogus"}, wantErr: "cmd: flag provided but not defined: -bogus (see 'dalil cmd --help')"},
		{args: []string{"--n", "x"}, wantErr: `cmd: invalid value "x" for flag -n`},
		{args: []string{"a", "--help"}, wantErr: "help", wantOut: "Usage: dalil cmd [--n N] ARG...\n  -n int\n    \ta number (default 1)\n"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out bytes.Buffer
			fs := New(&out, "cmd", "[--n N] ARG...")
			n := fs.Int("n", 1, "a number")
			pos, err := Parse(fs, tt.args)
			switch {
			case tt.wantErr == "help":
				if !errors.Is(err, flag.ErrHelp) {
					t.Errorf("Parse = %v, want flag.ErrHelp", err)
				}
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || strings.Contains(err.Error(), "\n") {
					t.Errorf("Parse = %v, want one line with %q", err, tt.wantErr)
				}
			case err != nil:
				t.Fatal(err)
			default:
				if d := cmp.Diff(tt.wantPos, pos); d != "" || *n != tt.wantN {
					t.Errorf("positional (-want +got):\n%s\nn = %d, want %d", d, *n, tt.wantN)
				}
			}
			if out.String() != tt.wantOut {
				t.Errorf("stdout %q, want %q", out.String(), tt.wantOut)
			}
		})
	}
}

func TestAsksHelp(t *testing.T) {
	for args, want := range map[string]bool{"ask -h": true, "ask Q --help": true, "ask -- --help": false, "ask Q": false} {
		if got := AsksHelp(strings.Fields(args)[1:]); got != want {
			t.Errorf("AsksHelp(%q) = %v, want %v", args, got, want)
		}
	}
}
