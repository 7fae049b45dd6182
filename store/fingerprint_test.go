package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/store"
	"github.com/courtesyhq/courtesy/store/storetest"
)

// TestFingerprintsMoveToANewKey opens a store whose fingerprints were made
// without a key, as every store was before keys, with a key: the
// customers' fingerprints and the suppressions of their addresses move to
// the key, so a bounced address stays suppressed for the send path, and an
// erasure made before, whose address is gone, still blocks a re-import.
func TestFingerprintsMoveToANewKey(t *testing.T) {
	ctx := context.Background()
	url := "sqlite://" + filepath.Join(t.TempDir(), "courtesy.db")
	old, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	mustUpsert(t, old, customer("bounced"), customer("gone"))
	if err := old.AddSuppression(ctx, store.Suppression{EmailHash: store.EmailHash("bounced@example.org"),
		Reason: "hard-bounce", Source: "smtp", At: t0}); err != nil {
		t.Fatal(err)
	}
	if _, err := old.EraseCustomer(ctx, "gone", "", t0); err != nil {
		t.Fatal(err)
	}
	m := mustPlan(t, old, message("birthday-treat", "bounced", "2026", 0))
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	db := storetest.Open(t, url, store.WithFingerprintKeys(fingerprintKey))
	sc, err := db.SendContext(ctx, m.Key, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if !sc.Suppressed || sc.Suppression.EmailHash != db.Fingerprint("bounced@example.org") {
		t.Errorf("send context after the new key: suppressed %v under %q, want the hard bounce under the keyed fingerprint",
			sc.Suppressed, sc.Suppression.EmailHash)
	}
	if db.Fingerprint("bounced@example.org") == store.EmailHash("bounced@example.org") {
		t.Fatal("the keyed fingerprint is the unkeyed hash")
	}
	rowErrs, err := db.UpsertCustomers(ctx, []courtesy.Customer{{ID: "back", Email: "GONE@example.org"}})
	if err != nil || !errors.Is(rowErrs[0], store.ErrErased) {
		t.Errorf("re-import of an address erased before the key: %v, %v; want ErrErased", rowErrs, err)
	}
	c, err := db.CustomerByEmail(ctx, "Bounced@Example.org")
	if err != nil || c.ID != "bounced" {
		t.Errorf("CustomerByEmail after the new key = %q, %v", c.ID, err)
	}
}
