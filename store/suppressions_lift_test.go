package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/store"
)

// An erasure is the person's own request and the fingerprint it leaves is
// what blocks a re-import: no lift undoes it. The address's other
// suppressions went with the erasure (their details quote the address), so
// none is left to lift.
func testLiftErasure(t *testing.T, db *store.DB) {
	ctx := context.Background()
	gone := customer("gone")
	mustUpsert(t, db, gone)
	hash := store.EmailHash(gone.Email)
	if err := db.AddSuppression(ctx, courtesy.Suppression{EmailHash: hash, Reason: "hard-bounce", Source: "dsn", At: at(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.EraseCustomer(ctx, "gone", "", at(2*time.Hour)); err != nil {
		t.Fatalf("EraseCustomer: %v", err)
	}

	wantErr(t, db.LiftSuppressionBecause(ctx, hash, courtesy.ReasonErased, "asked by phone to come back", at(3*time.Hour)), courtesy.ErrErased)
	wantErr(t, db.LiftSuppression(ctx, hash, courtesy.ReasonErased, at(3*time.Hour)), courtesy.ErrErased)
	wantErr(t, db.LiftSuppressionBecause(ctx, hash, "hard-bounce", "mailbox fixed", at(3*time.Hour)), courtesy.ErrNotFound)

	ok, s, err := db.Suppressed(ctx, gone.Email)
	if err != nil || !ok || s.Reason != courtesy.ReasonErased || !s.LiftedAt.IsZero() {
		t.Errorf("Suppressed = %v, %+v, %v; want the erasure, in force", ok, s, err)
	}
	rowErrs, err := db.UpsertCustomers(ctx, []courtesy.Customer{gone})
	if err != nil {
		t.Fatalf("UpsertCustomers: %v", err)
	}
	wantErr(t, rowErrs[0], courtesy.ErrErased)
}
