package main

import (
	"os"
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
	cfg, env := importedBakery(t, sink.URL())
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
	cfg, env := importedBakery(t, sink.URL())
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

// A preview shows the message in the customer's language, or in the one
// asked for, whole; a test copy goes to the marketer, marked as a test, and
// counts nowhere: the customer's real message still goes afterwards.
func TestPreviewPerLanguageAndTestSend(t *testing.T) {
	sink := mailtest.NewSink(t)
	cfg, env := importedBakery(t, sink.URL())
	const at = "2026-12-01T10:00:00Z"
	htmlFile := filepath.Join(t.TempDir(), "preview.html")
	r := mustRun(t, env, "preview", "birthday-treat", "--customer", "c003", "--at", at, "--html", htmlFile, "--config", cfg)
	for _, want := range []string{"Language: es", "Subject:  Feliz cumpleaños, José", "\nDarse de baja: https://", "--- HTML part ---"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("the Madrid customer's preview lacks %q:\n%s", want, r.out)
		}
	}
	html, err := os.ReadFile(htmlFile)
	if err != nil || !strings.Contains(string(html), "¡Feliz cumpleaños de parte de todo el equipo") || !strings.Contains(string(html), ">Darse de baja</a>") {
		t.Errorf("--html wrote %q (%v)", html, err)
	}
	r = mustRun(t, env, "preview", "birthday-treat", "--customer", "c003", "--at", at, "--locale", "da", "--config", cfg)
	for _, want := range []string{"Language: en", "Subject:  Happy birthday, José", "\nUnsubscribe: https://"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("--locale da (no Danish template) lacks %q:\n%s", want, r.out)
		}
	}
	if strings.Contains(r.out, "Darse de baja") || strings.Contains(r.out, "Feliz") {
		t.Errorf("--locale da mixes in Spanish:\n%s", r.out)
	}

	r = mustRun(t, env, "preview", "birthday-treat", "--customer", "c003", "--at", at, "--send-to", "marketer@crumb.example", "--config", cfg)
	msgs := sink.Messages()
	if len(msgs) != 1 || msgs[0].To[0] != "marketer@crumb.example" {
		t.Fatalf("test send: %d messages %v\n%s", len(msgs), msgs, r.out)
	}
	c, err := msgs[0].Content()
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject != "[PRUEBA] Feliz cumpleaños, José" || msgs[0].Header.Get("X-Courtesy-Test") != "yes" || msgs[0].Header.Get("Content-Language") != "es" {
		t.Errorf("test copy: subject %q, headers %v", c.Subject, msgs[0].Header)
	}
	// The copy's links open nothing: the marketer's mail client, a click or
	// a scanner must not unsubscribe José or show his data.
	if live := regexp.MustCompile(`/(u|p|why|s)/[A-Za-z0-9_-]{16,}`).FindAllString(string(msgs[0].Data), -1); len(live) > 0 {
		t.Errorf("the test copy carries the customer's live links: %v", live)
	}
	if !strings.Contains(msgs[0].Header.Get("List-Unsubscribe"), "/u/test-copy") || !strings.Contains(c.Text, "/p/test-copy") {
		t.Errorf("the test copy's links are not the inert ones: List-Unsubscribe %q\n%s", msgs[0].Header.Get("List-Unsubscribe"), c.Text)
	}
	if r := mustRun(t, env, "log", "sends", "--config", cfg, "--format", "csv"); strings.Count(strings.TrimSpace(r.out), "\n") != 0 {
		t.Errorf("the test copy shows in the send log:\n%s", r.out)
	}
	mustRun(t, env, "run-once", "--config", cfg, "--at", at)
	got := false
	for _, m := range sink.Messages()[1:] {
		got = got || m.To[0] == "jose.martinez@example.com"
	}
	if !got {
		t.Error("after a test copy of his message, the customer's own did not go")
	}
	if rerr := runCmd(t, env, "preview", "birthday-treat", "--customer", "c003", "--send-to", "not an address", "--config", cfg); rerr.code != 2 {
		t.Errorf("a bad --send-to: exit %d, want 2", rerr.code)
	}
}

// importedBakery is the bakery example with its customers and consents
// imported.
func importedBakery(t *testing.T, smtpURL string) (string, map[string]string) {
	t.Helper()
	cfg, env := bakeryShop(t, smtpURL)
	dir := filepath.Dir(cfg)
	for _, kind := range []string{"customers", "consents"} {
		mustRun(t, env, "import", kind, filepath.Join(dir, kind+".csv"), "--config", cfg)
	}
	return cfg, env
}
