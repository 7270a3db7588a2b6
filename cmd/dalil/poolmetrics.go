package main

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/dalil-news/dalil/postgres"
)

// poolCollector exports the database pool's statistics, read once per
// scrape.
type poolCollector struct {
	stats                          func() postgres.PoolStats
	conns, maxConns                *prometheus.Desc
	acquires, waited, waitDuration *prometheus.Desc
}

// newPoolCollector returns a collector of stats' figures.
func newPoolCollector(stats func() postgres.PoolStats) *poolCollector {
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
