package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// An erasure leaves a hash that blocks a re-import; lifting suppressions
// must not be a way around it.
func TestSuppressionLiftRefusesAnErasure(t *testing.T) {
	cfg, env := bakeryShop(t, "file://"+t.TempDir())
	customers := filepath.Join(filepath.Dir(cfg), "customers.csv")
	mustRun(t, env, "import", "customers", customers, "--config", cfg)
	var email string
	for _, row := range readCSV(t, customers) {
		if row[0] == "c001" {
			email = row[1]
		}
	}
	if email == "" {
		t.Fatal("no c001 in the bakery's customers")
	}
	mustRun(t, env, "erase", "c001", "--config", cfg)

	r := runCmd(t, env, "suppression", "lift", strings.ToUpper(email), "--reason", "asked by phone to come back", "--config", cfg)
	if r.code != exitUsage || !strings.Contains(r.err, "was erased at its owner's request") {
		t.Errorf("lift of an erasure: exit %d, want %d saying it was erased\nstdout:\n%s\nstderr:\n%s", r.code, exitUsage, r.out, r.err)
	}
	if strings.Contains(r.out, "lifted") {
		t.Errorf("lift of an erasure printed %q", r.out)
	}
	r = runCmd(t, env, "import", "customers", customers, "--config", cfg)
	if r.code != exitUsage || !strings.Contains(r.err, "customers.csv:2: email: this address asked to be erased") {
		t.Errorf("re-import after the refused lift: exit %d\n%s%s", r.code, r.out, r.err)
	}
}
