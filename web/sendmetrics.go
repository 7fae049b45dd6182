package web

import (
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/courtesyhq/courtesy"
)

// SendMetrics are the Prometheus collectors of the send path, which
// /metrics serves beside the pages' own. The process that runs the worker
// observes the decisions, SMTP and limits into them, the one that runs the
// scheduler the guardrail's pauses. The owner's report reads the store,
// which is the record, and never these counters.
type SendMetrics struct {
	// Decisions counts final decisions by campaign and decision
	// ("sent", "suppressed:no-consent" …): courtesy_decisions_total.
	Decisions *prometheus.CounterVec
	// DecisionSeconds is the time from task start to decision, by
	// campaign: courtesy_decision_seconds.
	DecisionSeconds *prometheus.HistogramVec
	// SMTPSeconds is the time of one SMTP transaction, by result (ok,
	// temporary, permanent): courtesy_smtp_seconds.
	SMTPSeconds *prometheus.HistogramVec
	// LimitChecks counts frequency-limit reservations by result (ok,
	// refused): courtesy_limit_checks_total.
	LimitChecks *prometheus.CounterVec
	// GuardrailPauses counts campaigns paused by the guardrail:
	// courtesy_guardrail_pauses_total.
	GuardrailPauses *prometheus.CounterVec
}

// NewSendMetrics creates the collectors and registers them with reg (nil:
// not registered). A collector already registered by an earlier call is
// reused.
func NewSendMetrics(reg prometheus.Registerer) *SendMetrics {
	m := &SendMetrics{
		Decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "courtesy_decisions_total", Help: "Final decisions on planned messages, by campaign and decision.",
		}, []string{"campaign", "decision"}),
		DecisionSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "courtesy_decision_seconds", Help: "Time from picking up a message to its decision, by campaign.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"campaign"}),
		SMTPSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "courtesy_smtp_seconds", Help: "Time of one SMTP transaction, by result.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"result"}),
		LimitChecks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "courtesy_limit_checks_total", Help: "Frequency-limit reservations, by result.",
		}, []string{"result"}),
		GuardrailPauses: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "courtesy_guardrail_pauses_total", Help: "Campaigns paused by the guardrail, by campaign.",
		}, []string{"campaign"}),
	}
	if reg != nil {
		m.Decisions = reuse(reg, m.Decisions)
		m.DecisionSeconds = reuse(reg, m.DecisionSeconds)
		m.SMTPSeconds = reuse(reg, m.SMTPSeconds)
		m.LimitChecks = reuse(reg, m.LimitChecks)
		m.GuardrailPauses = reuse(reg, m.GuardrailPauses)
	}
	return m
}

// reuse registers c with reg, or returns the collector of its name already
// there when a second server or a second call shares the registry.
func reuse[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
	}
	return c
}

// ObserveDecision records a final decision and how long it took.
func (m *SendMetrics) ObserveDecision(campaign string, d courtesy.Decision, took time.Duration) {
	m.Decisions.WithLabelValues(campaign, d.String()).Inc()
	m.DecisionSeconds.WithLabelValues(campaign).Observe(took.Seconds())
}

// ObserveSMTP records one SMTP transaction; result is ok, temporary or
// permanent.
func (m *SendMetrics) ObserveSMTP(result string, took time.Duration) {
	m.SMTPSeconds.WithLabelValues(result).Observe(took.Seconds())
}

// ObserveLimit records one limit reservation.
func (m *SendMetrics) ObserveLimit(ok bool) {
	r := "refused"
	if ok {
		r = "ok"
	}
	m.LimitChecks.WithLabelValues(r).Inc()
}

// ObserveGuardrailPause records that the guardrail paused a campaign.
func (m *SendMetrics) ObserveGuardrailPause(campaign string) {
	m.GuardrailPauses.WithLabelValues(campaign).Inc()
}

// QueueCollector reports the depth of the send queue as gauges,
// courtesy_queue_tasks{state="pending|active|scheduled|retry|archived"},
// read when Prometheus scrapes. Info is asked each time (in cmd it wraps
// asynq's Inspector.GetQueueInfo); an error reports nothing for that scrape.
type QueueCollector struct {
	Info func() (map[string]int, error)
}

var queueDesc = prometheus.NewDesc("courtesy_queue_tasks", "Tasks in the send queue, by state.", []string{"state"}, nil)

// Describe implements prometheus.Collector.
func (q QueueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- queueDesc }

// Collect implements prometheus.Collector.
func (q QueueCollector) Collect(ch chan<- prometheus.Metric) {
	info, err := q.Info()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(queueDesc, err)
		return
	}
	for state, n := range info {
		ch <- prometheus.MustNewConstMetric(queueDesc, prometheus.GaugeValue, float64(n), state)
	}
}
