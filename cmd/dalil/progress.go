package main

import (
	"fmt"
	"io"
	"os"
	"time"
)

// progress prints a count and a rate on one terminal line, at most five
// times a second; it prints nothing when w is not a terminal.
type progress struct {
	w          io.Writer
	verb, unit string
	start      time.Time
	last       time.Time
	tty        bool
	shown      bool
}

func newProgress(w io.Writer, verb, unit string) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil {
			tty = fi.Mode()&os.ModeCharDevice != 0
		}
	}
	return &progress{w: w, verb: verb, unit: unit, start: time.Now(), tty: tty}
}

// set shows done out of total (total 0: unknown).
func (p *progress) set(done, total int) {
	if !p.tty || time.Since(p.last) < 200*time.Millisecond {
		return
	}
	p.last = time.Now()
	rate := float64(done) / time.Since(p.start).Seconds()
	if total > 0 {
		fmt.Fprintf(p.w, "\r%s %d/%d %s (%.1f/s)   ", p.verb, done, total, p.unit, rate)
	} else {
		fmt.Fprintf(p.w, "\r%s %d %s (%.1f/s)   ", p.verb, done, p.unit, rate)
	}
	p.shown = true
}

// done clears the progress line.
func (p *progress) done() {
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}
