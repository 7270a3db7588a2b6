// Package cliflags parses the flags of dalil's commands: flags before or
// after the positional arguments, the usage on stdout for --help only, and
// every mistake one line that says where the flags are explained.
package cliflags

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
)

// New returns the FlagSet of command name ("dalil NAME"), whose usage,
// printed by Parse on --help, is "Usage: dalil NAME SYNOPSIS" and the
// flags, on stdout.
func New(stdout io.Writer, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stdout)
	fs.Usage = func() {
		fmt.Fprintf(stdout, "Usage: dalil %s %s\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// Parse parses flags that may come before or after the positional
// arguments ("dalil ask --json Q" and "dalil ask Q --json"), up to a "--"
// after which every argument is positional, and returns the positional
// ones. On --help it prints the usage and returns
// flag.ErrHelp; a bad flag is a UsageError, printed by nobody but the
// caller.
func Parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos, rest []string
	if i := slices.Index(args, "--"); i >= 0 { // everything after is positional
		args, rest = args[:i], args[i+1:]
	}
	usage, out := fs.Usage, fs.Output()
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	defer func() { fs.Usage = usage; fs.SetOutput(out) }()
	for {
		if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(out)
			usage()
			return nil, err
		} else if err != nil {
			return nil, UsageError(fs, "%s: %v", fs.Name(), err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return append(pos, rest...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// UsageError is a mistake in a command's arguments: one line, saying where
// the command's flags are explained.
func UsageError(fs *flag.FlagSet, format string, args ...any) error {
	return fmt.Errorf("%s (see 'dalil %s --help')", fmt.Sprintf(format, args...), fs.Name())
}

// AsksHelp reports whether a command's arguments ask for its help.
func AsksHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--h", "--help":
			return true
		}
	}
	return false
}
