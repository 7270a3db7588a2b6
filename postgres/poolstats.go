package postgres

import "time"

// PoolStats is a snapshot of the Store's connection pool, for metrics.
type PoolStats struct {
	MaxConns      int32 // the pool's cap (Config.MaxConns)
	TotalConns    int32 // open connections
	IdleConns     int32 // open and unused
	AcquiredConns int32 // in use
	// Acquires counts connections handed out since Open; WaitedAcquires
	// those that had to wait for one (the pool was empty), and AcquireWait
	// is the time they waited in all.
	Acquires       int64
	WaitedAcquires int64
	AcquireWait    time.Duration
}

// PoolStats returns a snapshot of the connection pool.
func (s *Store) PoolStats() PoolStats {
	st := s.pool.Stat()
	return PoolStats{
		MaxConns:       st.MaxConns(),
		TotalConns:     st.TotalConns(),
		IdleConns:      st.IdleConns(),
		AcquiredConns:  st.AcquiredConns(),
		Acquires:       st.AcquireCount(),
		WaitedAcquires: st.EmptyAcquireCount(),
		AcquireWait:    st.EmptyAcquireWaitTime(),
	}
}
