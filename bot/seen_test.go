package bot

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSeenSet(t *testing.T) {
	now := time.Unix(0, 0)
	s := newSeenSet(time.Minute)
	s.now = func() time.Time { return now }
	got := []bool{s.first("a"), s.first("a"), s.first("b")}
	now = now.Add(2 * time.Minute)
	got = append(got, s.first("a"))
	if d := cmp.Diff([]bool{true, false, true, true}, got); d != "" {
		t.Errorf("first (-want +got):\n%s", d)
	}
}
