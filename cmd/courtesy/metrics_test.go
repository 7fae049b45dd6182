package main

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/mailer/mailtest"
)

// TestMetricsCountWhatTheWorkerDoes runs the wired pipeline over the
// bakery's 1 December, then the guardrail as the scheduler's round runs it
// after one recipient opts out, and reads the counters /metrics would serve.
func TestMetricsCountWhatTheWorkerDoes(t *testing.T) {
	sink := mailtest.NewSink(t)
	cfg, env := bakeryShop(t, sink.URL())
	dir := filepath.Dir(cfg)
	for _, kind := range []string{"customers", "consents"} {
		mustRun(t, env, "import", kind, filepath.Join(dir, kind+".csv"), "--config", cfg)
	}
	a := loadApp(t, cfg, env)
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
	sent := sink.Count()
	if sent == 0 {
		t.Fatal("nothing was sent")
	}

	// One opt-out among a handful of sends is far above the opt-out limit;
	// a sample of one lets the guardrail judge so few.
	m, err := a.db.MessageByMessageID(ctx, sink.Messages()[0].Header.Get("Message-ID"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.db.Withdraw(ctx, courtesy.ConsentRecord{CustomerID: m.CustomerID, Purpose: m.Purpose,
		Source: "one-click", MessageKey: m.Key, RecordedAt: a.now()},
		courtesy.OptOut{CampaignID: m.CampaignID, Variant: m.Variant}); err != nil {
		t.Fatal(err)
	}
	const owner = "owner@crumb.example"
	a.cfg.Guardrails.MinSample = 1
	a.cfg.Business.OwnerEmail = owner
	g, err := a.guard()
	if err != nil {
		t.Fatal(err)
	}
	if err := (countedGuard{g, a.metricsOf()}).Check(ctx); err != nil {
		t.Fatal(err)
	}
	if n := sink.Count(); n != sent+1 || !slices.Equal(sink.Messages()[sent].To, []string{owner}) {
		t.Errorf("after the pause the sink holds %d messages, want the %d sends and one to %s", n, sent, owner)
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
	for _, want := range []string{
		`courtesy_decisions_total{campaign="birthday-treat",decision="sent"} ` + strconv.Itoa(sent),
		`courtesy_smtp_seconds_count{result="ok"} ` + strconv.Itoa(sent),
		`courtesy_limit_checks_total{result="ok"}`,
		`courtesy_decisions_total{campaign="birthday-treat",decision="suppressed:no-consent"}`,
		`courtesy_guardrail_pauses_total{campaign="birthday-treat"} 1`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}
