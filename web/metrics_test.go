package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// countingRegistry counts how often the metrics are gathered: each gather
// is a query to Redis for the queue depth in the wired process.
type countingRegistry struct {
	*prometheus.Registry
	gathers atomic.Int32
}

func (r *countingRegistry) Gather() ([]*dto.MetricFamily, error) {
	r.gathers.Add(1)
	return r.Registry.Gather()
}

// TestMetricsScrapesAreCached: scrapes within MetricsCache of each other are
// answered from one gather; the next one after it gathers again.
func TestMetricsScrapesAreCached(t *testing.T) {
	reg := &countingRegistry{Registry: prometheus.NewRegistry()}
	e := newEnv(t, func(c *Config, d *Deps) { d.Metrics = reg; c.MetricsCache = 5 * time.Second })
	for range 10 {
		if res := e.get(e.ts.URL + "/metrics"); res.code != http.StatusOK {
			t.Fatalf("/metrics: %d\n%s", res.code, res.body)
		}
	}
	if n := reg.gathers.Load(); n != 1 {
		t.Errorf("10 scrapes within the cache time gathered %d times, want 1", n)
	}
	e.clock.Add(5 * time.Second)
	e.get(e.ts.URL + "/metrics")
	if n := reg.gathers.Load(); n != 2 {
		t.Errorf("a scrape after the cache time: %d gathers, want 2", n)
	}
}

// TestMetricsApart: with MetricsApart the main listener has no /metrics and
// MetricsHandler serves them.
func TestMetricsApart(t *testing.T) {
	e := newEnv(t, func(c *Config, _ *Deps) { c.MetricsApart = true })
	if res := e.get(e.ts.URL + "/metrics"); res.code != http.StatusNotFound {
		t.Errorf("/metrics on the main listener: %d, want 404", res.code)
	}
	rec := httptest.NewRecorder()
	e.srv.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "# HELP") {
		t.Errorf("MetricsHandler: %d\n%s", rec.Code, rec.Body)
	}
}
