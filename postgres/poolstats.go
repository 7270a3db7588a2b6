package postgres

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// PoolStats is a snapshot of the Store's connection pool, for metrics
// (PoolCollector) and the benchmarks.
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

// poolCollector exports the database pool's statistics, read once per
// scrape.
type poolCollector struct {
	stats                          func() PoolStats
	conns, maxConns                *prometheus.Desc
	acquires, waited, waitDuration *prometheus.Desc
}

// PoolCollector returns a Prometheus collector of the connection pool's
// figures (PoolStats), read once per scrape: dalil_db_connections{state},
// dalil_db_max_connections, dalil_db_acquires_total,
// dalil_db_acquires_waited_total and dalil_db_acquire_wait_seconds_total.
func (s *Store) PoolCollector() prometheus.Collector {
	return newPoolCollector(s.PoolStats)
}

// newPoolCollector returns a collector of the figures stats returns.
func newPoolCollector(stats func() PoolStats) *poolCollector {
	return &poolCollector{
		stats:        stats,
		conns:        prometheus.NewDesc("dalil_db_connections", "Open database connections by state.", []string{"state"}, nil),
		maxConns:     prometheus.NewDesc("dalil_db_max_connections", "The database pool's size cap.", nil, nil),
		acquires:     prometheus.NewDesc("dalil_db_acquires_total", "Database connections handed out.", nil, nil),
		waited:       prometheus.NewDesc("dalil_db_acquires_waited_total", "Connection acquisitions that waited for a free connection.", nil, nil),
		waitDuration: prometheus.NewDesc("dalil_db_acquire_wait_seconds_total", "Time spent waiting for a free database connection.", nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.conns, c.maxConns, c.acquires, c.waited, c.waitDuration} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.stats()
	ch <- prometheus.MustNewConstMetric(c.conns, prometheus.GaugeValue, float64(st.IdleConns), "idle")
	ch <- prometheus.MustNewConstMetric(c.conns, prometheus.GaugeValue, float64(st.AcquiredConns), "acquired")
	ch <- prometheus.MustNewConstMetric(c.maxConns, prometheus.GaugeValue, float64(st.MaxConns))
	ch <- prometheus.MustNewConstMetric(c.acquires, prometheus.CounterValue, float64(st.Acquires))
	ch <- prometheus.MustNewConstMetric(c.waited, prometheus.CounterValue, float64(st.WaitedAcquires))
	ch <- prometheus.MustNewConstMetric(c.waitDuration, prometheus.CounterValue, st.AcquireWait.Seconds())
}
