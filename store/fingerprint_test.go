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
	if err := old.AddSuppression(ctx, courtesy.Suppression{EmailHash: store.EmailHash("bounced@example.org"),
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
	if err != nil || !errors.Is(rowErrs[0], courtesy.ErrErased) {
		t.Errorf("re-import of an address erased before the key: %v, %v; want ErrErased", rowErrs, err)
	}
	// That attempt gave the address back for a moment: its erasure now
	// holds the keyed fingerprint, and the unkeyed hash is gone.
	sups, err := db.Suppressions(ctx, courtesy.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sups {
		if s.EmailHash == store.EmailHash("gone@example.org") {
			t.Errorf("the unkeyed hash of the erased address is still kept: %+v", s)
		}
	}
	if erased, err := db.IsErased(ctx, db.Fingerprint("gone@example.org")); err != nil || !erased {
		t.Errorf("IsErased(keyed) after the refused import = %v, %v; want true", erased, err)
	}
	c, err := db.CustomerByEmail(ctx, "Bounced@Example.org")
	if err != nil || c.ID != "bounced" {
		t.Errorf("CustomerByEmail after the new key = %q, %v", c.ID, err)
	}
}

// TestStoreWithoutItsFingerprintKeySaysSo: opened without a key, a store
// whose fingerprints are keyed is left as it is (moving them back to the
// unkeyed form would undo the key) and says the key is missing, so a
// command can refuse to run lookups that would miss every erasure.
func TestStoreWithoutItsFingerprintKeySaysSo(t *testing.T) {
	ctx := context.Background()
	url := "sqlite://" + filepath.Join(t.TempDir(), "courtesy.db")
	keyed, err := store.Open(ctx, url, store.WithFingerprintKeys(fingerprintKey))
	if err != nil {
		t.Fatal(err)
	}
	mustUpsert(t, keyed, customer("c1"))
	if keyed.FingerprintKeyMissing() {
		t.Error("a store opened with its key says the key is missing")
	}
	want := keyed.Fingerprint("c1@example.org")
	if err := keyed.Close(); err != nil {
		t.Fatal(err)
	}
	bare := storetest.Open(t, url)
	if !bare.FingerprintKeyMissing() {
		t.Error("a keyed store opened without its key does not say so")
	}
	ids, err := storetest.Open(t, url, store.WithFingerprintKeys(fingerprintKey)).CustomerIDsByEmail(ctx, "c1@example.org")
	if err != nil || len(ids) != 1 {
		t.Errorf("after an open without the key, the keyed fingerprint %s no longer finds c1: %v, %v", want, ids, err)
	}
}

// TestSuppressionOfAnAddressBeforeItIsACustomerHoldsAcrossTheKey: a
// complaint about an address that was no customer yet, kept in the unkeyed
// form, still stops the address once it is imported under a key.
func TestSuppressionOfAnAddressBeforeItIsACustomerHoldsAcrossTheKey(t *testing.T) {
	ctx := context.Background()
	url := "sqlite://" + filepath.Join(t.TempDir(), "courtesy.db")
	old, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if err := old.AddSuppression(ctx, courtesy.Suppression{EmailHash: store.EmailHash("later@example.org"),
		Reason: "complaint", Source: "arf", At: t0}); err != nil {
		t.Fatal(err)
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	db := storetest.Open(t, url, store.WithFingerprintKeys(fingerprintKey))
	mustUpsert(t, db, customer("later"))
	m := mustPlan(t, db, message("birthday-treat", "later", "2026", 0))
	sc, err := db.SendContext(ctx, m.Key, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if !sc.Suppressed || sc.Suppression.Reason != "complaint" {
		t.Errorf("send context of the customer imported after the key: suppressed %v (%q), want the complaint",
			sc.Suppressed, sc.Suppression.Reason)
	}
}
