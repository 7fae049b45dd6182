package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"

	"github.com/courtesyhq/courtesy/mailer/mailtest"
)

// TestMetricsCountWhatTheWorkerDoes runs the wired pipeline over the
// bakery's 1 December and reads the counters /metrics would serve.
func TestMetricsCountWhatTheWorkerDoes(t *testing.T) {
	sink := mailtest.NewSink(t)
	cfg, env := bakeryShop(t, sink.URL())
	dir := filepath.Dir(cfg)
	for _, kind := range []string{"customers", "consents"} {
		mustRun(t, env, "import", kind, filepath.Join(dir, kind+".csv"), "--config", cfg)
	}
	inv := &invocation{ctx: context.Background(), stdio: stdio{out: &bytes.Buffer{}, err: &bytes.Buffer{}},
		getenv: func(k string) string { return env[k] }, config: cfg, logLevel: "error"}
	a, err := inv.load()
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	a.now = clockFrom(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC))
	b, err := a.batch(4)
	if err != nil {
		t.Fatal(err)
	}
	defer b.stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := b.round(ctx); err != nil {
		t.Fatal(err)
	}
	families, err := a.webMetrics().Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	for _, f := range families {
		if _, err := expfmt.MetricFamilyToText(&out, f); err != nil {
			t.Fatal(err)
		}
	}
	text := out.String()
	sent := sink.Count()
	for _, want := range []string{
		`courtesy_decisions_total{campaign="birthday-treat",decision="sent"} ` + strconv.Itoa(sent),
		`courtesy_smtp_seconds_count{result="ok"} ` + strconv.Itoa(sent),
		`courtesy_limit_checks_total{result="ok"}`,
		`courtesy_decisions_total{campaign="birthday-treat",decision="suppressed:no-consent"}`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if sent == 0 {
		t.Fatal("nothing was sent")
	}
}
