// Package logtest is a test-only log sink that tests read while the code
// under test writes to it from other goroutines.
package logtest

import (
	"bytes"
	"sync"
)

// Buffer is a log sink safe for concurrent writes; its zero value is ready.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write implements io.Writer.
func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
