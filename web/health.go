package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.deps.Ready(ctx); err != nil {
		s.logFailure(r, http.StatusServiceUnavailable, err)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("not ready\n"))
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}

type metrics struct {
	requests *prometheus.CounterVec
	optOuts  *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "courtesy_web_requests_total",
			Help: "Web requests by route and status code.",
		}, []string{"route", "code"}),
		optOuts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "courtesy_web_optouts_total",
			Help: "Opt-outs recorded through the web, by source.",
		}, []string{"source"}),
	}
	m.requests = reuse(reg, m.requests)
	m.optOuts = reuse(reg, m.optOuts)
	return m
}

// MetricsHandler serves the Prometheus metrics: on the main listener as
// /metrics, or on a listener of its own when Config.MetricsApart is set.
func (s *Server) MetricsHandler() http.Handler { return s.metricsH }

func (s *Server) newMetricsHandler() http.Handler {
	g, ok := s.deps.Metrics.(prometheus.Gatherer)
	if !ok {
		return http.HandlerFunc(s.notFound)
	}
	// A collector that fails (the queue not made yet, Redis away) must not
	// take the other metrics down with it.
	return promhttp.HandlerFor(&cachedGatherer{g: g, ttl: s.cfg.MetricsCache, now: s.cfg.Now}, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError, ErrorLog: metricsLog{s.cfg.Logger},
	})
}

// metricsLog hands the metrics handler's errors to the server's log.
type metricsLog struct{ l *slog.Logger }

func (m metricsLog) Println(v ...any) { m.l.Warn("metrics", "err", fmt.Sprint(v...)) }

// cachedGatherer answers scrapes from a copy at most ttl old, so a scrape
// costs no Redis or database query (the queue depth is read from Redis)
// however often it comes, or whoever sends it.
type cachedGatherer struct {
	g   prometheus.Gatherer
	ttl time.Duration
	now func() time.Time

	mu  sync.Mutex
	at  time.Time
	mfs []*dto.MetricFamily
	err error
}

func (c *cachedGatherer) Gather() ([]*dto.MetricFamily, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if c.at.IsZero() || now.Sub(c.at) >= c.ttl || now.Before(c.at) {
		c.mfs, c.err = c.g.Gather()
		c.at = now
	}
	return c.mfs, c.err
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (s *Server) withMetrics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		route := r.Pattern // set by the mux on this very request
		if route == "" {
			route = "unmatched"
		}
		code := rec.code
		if code == 0 {
			code = http.StatusOK
		}
		s.metrics.requests.WithLabelValues(route, strconv.Itoa(code)).Inc()
	})
}
