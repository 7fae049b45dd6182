package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/courtesyhq/courtesy/mailer/mailtest"
)

// A preview says why in the planner's own words: the reason it shows is
// the one the real message will carry to the "why" page.
func TestPreviewShowsThePlannersReason(t *testing.T) {
	sink := mailtest.NewSink(t)
	cfg, env := bakeryShop(t, sink.URL())
	dir := filepath.Dir(cfg)
	for _, kind := range []string{"customers", "consents"} {
		mustRun(t, env, "import", kind, filepath.Join(dir, kind+".csv"), "--config", cfg)
	}
	const rule = "today, 1 December, is your birthday in Europe/Madrid"
	r := mustRun(t, env, "preview", "birthday-treat", "--customer", "c003", "--at", "2026-12-01T10:00:00Z", "--config", cfg)
	if !strings.Contains(r.out, rule) {
		t.Errorf("preview does not give the planner's reason %q:\n%s", rule, r.out)
	}
	r = mustRun(t, env, "preview", "birthday-treat", "--customer", "c003", "--at", "2026-12-02T10:00:00Z", "--config", cfg)
	if strings.Contains(r.out, rule) || !strings.Contains(r.out, "not open") {
		t.Errorf("a day late, preview still gives the due reason:\n%s", r.out)
	}
	if sink.Count() != 0 {
		t.Errorf("a preview sent %d messages", sink.Count())
	}
}

// A simulation counts what would be decided, per campaign, and records and
// sends nothing: the real run that follows sends as if it had not happened.
func TestSimulateDecidesNothingForReal(t *testing.T) {
	sink := mailtest.NewSink(t)
	cfg, env := bakeryShop(t, sink.URL())
	dir := filepath.Dir(cfg)
	for _, kind := range []string{"customers", "consents"} {
		mustRun(t, env, "import", kind, filepath.Join(dir, kind+".csv"), "--config", cfg)
	}
	r := mustRun(t, env, "simulate", "--from", "2026-12-01", "--days", "1", "--config", cfg)
	sent := regexp.MustCompile(`(?m)^birthday-treat\s+sent\s+([0-9]+)\s*$`).FindStringSubmatch(r.out)
	if sent == nil || sent[1] == "0" || !strings.Contains(r.out, "Nothing was sent or recorded") {
		t.Fatalf("simulate does not count the birthday treats it would send:\n%s", r.out)
	}
	if sink.Count() != 0 {
		t.Fatalf("a simulation sent %d messages", sink.Count())
	}
	mustRun(t, env, "run-once", "--config", cfg, "--at", "2026-12-01T10:00:00Z")
	if want := len(expectedBirthdayRecipients(t, cfg)); sink.Count() != want || want == 0 {
		t.Errorf("after the simulation the real run sent %d, want %d", sink.Count(), want)
	}
}
