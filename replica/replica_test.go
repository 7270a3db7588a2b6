package replica

import (
	"fmt"
	"os"
	"regexp"
	"testing"
)

func TestNewID(t *testing.T) {
	host, _ := os.Hostname()
	shape := regexp.MustCompile("^" + regexp.QuoteMeta(fmt.Sprintf("%s-%d-", host, os.Getpid())) + "[0-9a-f]{8}$")
	a, b := NewID(), NewID()
	if !shape.MatchString(a) {
		t.Errorf("NewID() = %q, want host-pid-random", a)
	}
	if a == b {
		t.Errorf("two NewID() in one process are both %q, want different", a)
	}
}
