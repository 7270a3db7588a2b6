package lexicon

import (
	"errors"
	"fmt"
	"sync"
)

// ErrNoDictionaries means a directory holds no dictionary to translate
// with.
var ErrNoDictionaries = errors.New("no bilingual dictionaries")

// Lazy opens the dictionaries of a directory when first asked to
// translate, not before: commands that never translate (ingest, digest)
// do not pay for loading them. It is safe for concurrent use.
type Lazy struct {
	dir  string
	warn func(error)
	once sync.Once
	d    *Dictionaries
}

// OpenLazily returns a Lazy over the dictionaries of dir. When the first
// use finds none (an error wrapping ErrNoDictionaries) or a broken one
// (Open's error), warn, when not nil, is told once, and translation goes
// on without dictionaries.
func OpenLazily(dir string, warn func(error)) *Lazy {
	return &Lazy{dir: dir, warn: warn}
}

// open opens the dictionaries once.
func (l *Lazy) open() *Dictionaries {
	l.once.Do(func() {
		d, err := Open(l.dir)
		if err == nil && len(d.Pairs()) == 0 {
			err = fmt.Errorf("%w in %s", ErrNoDictionaries, l.dir)
		}
		if err != nil {
			d = nil
			if l.warn != nil {
				l.warn(err)
			}
		}
		l.d = d
	})
	return l.d
}

// Pairs is Dictionaries.Pairs; none when no dictionary could be opened.
func (l *Lazy) Pairs() [][2]string {
	if d := l.open(); d != nil {
		return d.Pairs()
	}
	return nil
}

// Translate is Dictionaries.Translate; nil when no dictionary could be
// opened.
func (l *Lazy) Translate(text, from, to string) []Term {
	if d := l.open(); d != nil {
		return d.Translate(text, from, to)
	}
	return nil
}
