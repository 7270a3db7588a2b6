package lexicon

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestOpenLazily(t *testing.T) {
	t.Run("missing directory", func(t *testing.T) {
		calls := 0
		l := OpenLazily(filepath.Join(t.TempDir(), "none"), func(err error) {
			calls++
			if !errors.Is(err, ErrNoDictionaries) {
				t.Errorf("warned %v, want ErrNoDictionaries", err)
			}
		})
		if calls != 0 {
			t.Fatal("opened before first use")
		}
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				if got := l.Translate("house", "en", "fr"); got != nil {
					t.Errorf("Translate without dictionaries = %v, want nil", got)
				}
			})
		}
		wg.Wait()
		if l.Pairs() != nil || calls != 1 {
			t.Errorf("pairs %v, %d warnings; want none and 1", l.Pairs(), calls)
		}
	})
	t.Run("broken file", func(t *testing.T) {
		dir := t.TempDir()
		for _, f := range []string{"freedict-eng-fra.index", "freedict-eng-fra.dict.dz"} {
			if err := os.WriteFile(filepath.Join(dir, f), []byte("not a dictionary\x00"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		var openErr error
		l := OpenLazily(dir, func(err error) { openErr = err })
		if l.Translate("house", "en", "fr") != nil || openErr == nil || errors.Is(openErr, ErrNoDictionaries) {
			t.Errorf("broken dictionary: translated, or no error reported (%v)", openErr)
		}
	})
}
