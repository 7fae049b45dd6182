package web_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/web"
)

// gathered reads every sample of reg as "name{label=value,…}" → value.
func gathered(t *testing.T, reg *prometheus.Registry, name string) map[string]float64 {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			key := ""
			for _, l := range m.GetLabel() {
				key += l.GetName() + "=" + l.GetValue() + ";"
			}
			switch {
			case m.Counter != nil:
				out[key] = m.GetCounter().GetValue()
			case m.Gauge != nil:
				out[key] = m.GetGauge().GetValue()
			case m.Histogram != nil:
				out[key] = float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return out
}

// The send path's collectors count what they are told, under the names and
// labels /metrics has always served, and a second NewSendMetrics on one
// registry shares them.
func TestSendMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := web.NewSendMetrics(reg)
	if again := web.NewSendMetrics(reg); again.Decisions != m.Decisions {
		t.Error("a second NewSendMetrics on the same registry did not reuse the collectors")
	}
	m.ObserveDecision("birthday-treat", courtesy.Decision{Outcome: courtesy.Sent}, 3*time.Millisecond)
	m.ObserveDecision("birthday-treat", courtesy.Decision{Outcome: courtesy.Sent}, 3*time.Millisecond)
	m.ObserveDecision("birthday-treat", courtesy.Decision{Outcome: courtesy.Suppressed, Reason: "limit"}, time.Millisecond)
	m.ObserveLimit(false)
	m.ObserveSMTP("ok", 20*time.Millisecond)
	if err := reg.Register(web.QueueCollector{Info: func() (map[string]int, error) {
		return map[string]int{"pending": 7, "active": 2}, nil
	}}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		want map[string]float64
	}{
		{"courtesy_decisions_total", map[string]float64{
			"campaign=birthday-treat;decision=sent;": 2, "campaign=birthday-treat;decision=suppressed:limit;": 1}},
		{"courtesy_decision_seconds", map[string]float64{"campaign=birthday-treat;": 3}},
		{"courtesy_limit_checks_total", map[string]float64{"result=refused;": 1}},
		{"courtesy_smtp_seconds", map[string]float64{"result=ok;": 1}},
		{"courtesy_queue_tasks", map[string]float64{"state=active;": 2, "state=pending;": 7}},
	} {
		if diff := cmp.Diff(tc.want, gathered(t, reg, tc.name)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}
