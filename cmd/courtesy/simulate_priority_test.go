package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSimulateLetsTheHigherPriorityGoFirst: in a shop whose saved-item
// reminder (priority 1) is due at 09:00 and whose birthday greeting
// (priority 10) at 09:30, a customer with both on one day and room for one
// message a day gets the greeting, in a simulation as in a real run: the
// reminder waits for the greeting, sees it decided, and finds no room
// (rather than waiting on until it expires).
func TestSimulateLetsTheHigherPriorityGoFirst(t *testing.T) {
	cfg, env := bakeryShop(t, "smtp://127.0.0.1:1")
	dir := filepath.Dir(cfg)
	reminder := filepath.Join(dir, "campaigns", "saved-reminder.yaml")
	raw, err := os.ReadFile(reminder)
	if err != nil {
		t.Fatal(err)
	}
	early := strings.NewReplacer("priority: 5", "priority: 1", `at: "10:00"`, `at: "09:00"`).Replace(string(raw))
	if early == string(raw) {
		t.Fatal("the bakery's reminder changed: this test no longer makes it early")
	}
	// The greeting's window outlasts the reminder's, so a reminder that
	// did not see the greeting decided would wait until it expired.
	birthday := filepath.Join(dir, "campaigns", "birthday.yaml")
	if raw, err = os.ReadFile(birthday); err != nil {
		t.Fatal(err)
	}
	long := strings.Replace(string(raw), "window: 3h", "window: 10h", 1)
	if long == string(raw) {
		t.Fatal("the bakery's greeting changed: this test no longer lengthens its window")
	}
	files := map[string]string{
		reminder:        early,
		birthday:        long,
		"customers.csv": "id,email,first_name,last_name,birthday,timezone,locale\nann,ann@example.com,Ann,Lee,12-02,Europe/London,en\n",
		"consents.csv": "customer_id,purpose,status,source,notice,recorded_at\n" +
			"ann,birthday,granted,form,v1,2026-01-01T00:00:00Z\nann,reminders,granted,form,v1,2026-01-01T00:00:00Z\n",
		"events.csv": "customer_id,type,item_id,item_name,item_url,order_id,amount,occurred_at\n" +
			"ann,interest,rye,Rye loaf,https://crumb.example/rye,,,2026-11-29T08:00:00Z\n",
	}
	for name, body := range files {
		if !filepath.IsAbs(name) {
			name = filepath.Join(dir, "ann-"+name)
		}
		if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, kind := range []string{"customers", "consents", "events"} {
		mustRun(t, env, "import", kind, filepath.Join(dir, "ann-"+kind+".csv"), "--config", cfg)
	}
	r := mustRun(t, env, "simulate", "--from", "2026-12-02", "--days", "1", "--step", "25m", "--config", cfg)
	for _, want := range []string{`birthday-treat\s+sent\s+1`, `saved-reminder\s+suppressed:limit\s+1`} {
		if !regexp.MustCompile(`(?m)^` + want + `\s*$`).MatchString(r.out) {
			t.Errorf("the simulation does not show %q:\n%s", want, r.out)
		}
	}
}
