package bot

import (
	"sync"
	"time"
)

// seenSet remembers IDs (interactions, messages) for a while so that an
// event delivered twice, as after a gateway resume, is handled once.
type seenSet struct {
	mu  sync.Mutex
	ttl time.Duration
	at  map[string]time.Time
	now func() time.Time
}

func newSeenSet(ttl time.Duration) *seenSet {
	return &seenSet{ttl: ttl, at: map[string]time.Time{}, now: time.Now}
}

// first records id and reports whether it was not seen within the TTL.
func (s *seenSet) first(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if t, ok := s.at[id]; ok && now.Sub(t) < s.ttl {
		return false
	}
	if len(s.at) > 10000 {
		for k, t := range s.at {
			if now.Sub(t) >= s.ttl {
				delete(s.at, k)
			}
		}
	}
	s.at[id] = now
	return true
}
