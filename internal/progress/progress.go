// Package progress shows how far a long command has got (a count and a
// rate) on one terminal line, redrawn at most five times a second; on
// anything but a terminal it prints nothing, so that logs and pipes stay
// clean.
package progress

import (
	"fmt"
	"io"
	"os"
	"time"
)

// Line is one progress line on a writer.
type Line struct {
	w          io.Writer
	verb, unit string
	start      time.Time
	last       time.Time
	tty        bool
	shown      bool
}

// New returns a progress line on w that reads "VERB done/total UNIT
// (rate/s)"; it shows only when w is a terminal.
func New(w io.Writer, verb, unit string) *Line {
	tty := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil {
			tty = fi.Mode()&os.ModeCharDevice != 0
		}
	}
	return &Line{w: w, verb: verb, unit: unit, start: time.Now(), tty: tty}
}

// Set shows done out of total (total 0: unknown).
func (p *Line) Set(done, total int) {
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

// Done clears the progress line.
func (p *Line) Done() {
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}
