package store_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/internal/testenv"
	"github.com/courtesyhq/courtesy/store"
	"github.com/courtesyhq/courtesy/store/storetest"
)

// bouncedAddress is the address of a customer whose mail bounced and who
// complained: the diagnostics that came back quote it.
const bouncedAddress = "Zebedee.Quint@Example.org"

var fingerprintKey = []byte("0123456789abcdef0123456789abcdef")

// addressSpellings are the ways the address can sit in a file or a column.
func addressSpellings() []string {
	return []string{bouncedAddress, strings.ToLower(bouncedAddress), strings.ToUpper(bouncedAddress),
		"zebedee.quint", "Quintavalle", store.EmailHash(bouncedAddress)}
}

// seedBouncedCustomer gives a customer every kind of row that can quote
// their address, beside a customer who stays.
func seedBouncedCustomer(t *testing.T, db *store.DB) courtesy.Customer {
	t.Helper()
	ctx := context.Background()
	zeb := courtesy.Customer{ID: "cust-7731", Email: bouncedAddress, FirstName: "Zebedee", LastName: "Quintavalle",
		CreatedAt: t0, UpdatedAt: t0}
	mustUpsert(t, db, zeb, customer("keeper"))
	// Rewritten rows leave their old versions in free space and the log.
	for i := range 3 {
		z := zeb
		z.UpdatedAt = at(time.Duration(i+1) * time.Minute)
		mustUpsert(t, db, z)
	}
	mustConsent(t, db, grant(zeb.ID, "birthday", 0))
	quote := "550 5.1.1 <" + strings.ToLower(bouncedAddress) + ">: Recipient address rejected: User unknown"
	m := mustPlan(t, db, message("birthday-treat", zeb.ID, "2026", 0))
	mustDecide(t, db, store.DecisionUpdate{Key: m.Key, Decision: courtesy.Decision{Outcome: courtesy.Failed, Reason: "rejected"},
		Detail: `{"error":"` + quote + `"}`, Subject: "Happy birthday, Zebedee", At: at(time.Hour)})
	other := mustPlan(t, db, message("birthday-treat", "keeper", "2026", 0))
	mustDecide(t, db, store.DecisionUpdate{Key: other.Key, Decision: courtesy.Decision{Outcome: courtesy.Failed, Reason: "rejected"},
		Detail: `{"error":"forwarded to ` + bouncedAddress + `"}`, At: at(time.Hour)})
	for _, s := range []courtesy.Suppression{
		{EmailHash: db.Fingerprint(bouncedAddress), Reason: "hard-bounce", Source: "smtp", Detail: quote, At: at(time.Hour)},
		{EmailHash: db.Fingerprint(bouncedAddress), Reason: "complaint", Source: "arf",
			Detail: "abuse report from " + bouncedAddress, At: at(2 * time.Hour)},
	} {
		if err := db.AddSuppression(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.LiftSuppressionBecause(ctx, db.Fingerprint(bouncedAddress), "hard-bounce",
		"owner: "+bouncedAddress+" says the mailbox is back", at(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := db.AddBounce(ctx, courtesy.Bounce{EmailHash: db.Fingerprint(bouncedAddress), MessageKey: m.Key,
		Status: "5.1.1", Kind: "hard", At: at(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Withdraw(ctx, withdrawal(zeb.ID, "birthday", 4*time.Hour), courtesy.OptOut{MessageKey: m.Key,
		CampaignID: "birthday-treat", Reason: "other", Comment: "write to " + bouncedAddress + " instead"}); err != nil {
		t.Fatal(err)
	}
	return zeb
}

// TestErasureLeavesNoTraceInSQLiteFiles erases a customer whose address
// bounced and complained, and reads every byte of the database, its
// write-ahead log and its shared-memory index for any spelling of it.
func TestErasureLeavesNoTraceInSQLiteFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "courtesy.db")
	db := storetest.Open(t, "sqlite://"+path, store.WithFingerprintKeys(fingerprintKey))
	zeb := seedBouncedCustomer(t, db)
	ctx := context.Background()
	if _, err := db.EraseCustomer(ctx, zeb.ID, "", at(5*time.Hour)); err != nil {
		t.Fatal(err)
	}
	// Read while the store is open: closing it checkpoints and removes the
	// log, which would hide what a running server leaves behind.
	files, _ := filepath.Glob(path + "*")
	if len(files) < 2 {
		t.Fatalf("database files: %v, want the database and its write-ahead log", files)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range addressSpellings() {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds %q after the erasure", filepath.Base(f), s)
			}
		}
	}
	wantOnlyTheFingerprint(t, db, zeb)
}

// TestErasureLeavesNoTraceInPostgres erases the same customer in
// PostgreSQL and reads every text column of every table. Old row versions
// are not read: they stay in the table's pages until autovacuum reuses
// them (docs/SECURITY.md).
func TestErasureLeavesNoTraceInPostgres(t *testing.T) {
	db := storetest.Open(t, testenv.PostgresURL(t), store.WithFingerprintKeys(fingerprintKey))
	zeb := seedBouncedCustomer(t, db)
	if _, err := db.EraseCustomer(context.Background(), zeb.ID, "", at(5*time.Hour)); err != nil {
		t.Fatal(err)
	}
	all, err := db.AllText(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for col, vals := range all {
		for _, v := range vals {
			for _, s := range addressSpellings() {
				if strings.Contains(strings.ToLower(v), strings.ToLower(s)) {
					t.Errorf("%s holds %q after the erasure: %q", col, s, v)
				}
			}
		}
	}
	wantOnlyTheFingerprint(t, db, zeb)
}

// wantOnlyTheFingerprint checks what an erasure leaves: one keyed
// fingerprint that blocks the address, which the other customer's rows do
// not lose.
func wantOnlyTheFingerprint(t *testing.T, db *store.DB, zeb courtesy.Customer) {
	t.Helper()
	ctx := context.Background()
	sups, err := db.Suppressions(ctx, courtesy.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sups) != 1 || sups[0].Reason != courtesy.ReasonErased || sups[0].EmailHash != db.Fingerprint(zeb.Email) ||
		sups[0].EmailHash == store.EmailHash(zeb.Email) {
		t.Errorf("suppressions after the erasure = %+v, want one erasure under the keyed fingerprint", sups)
	}
	rowErrs, err := db.UpsertCustomers(ctx, []courtesy.Customer{{ID: "again", Email: " ZEBEDEE.quint@example.ORG "}})
	if err != nil || len(rowErrs) != 1 || !errors.Is(rowErrs[0], courtesy.ErrErased) {
		t.Errorf("re-import of the erased address: %v, %v; want ErrErased", rowErrs, err)
	}
	if _, err := db.Customer(ctx, "keeper"); err != nil {
		t.Errorf("the other customer: %v", err)
	}
}
