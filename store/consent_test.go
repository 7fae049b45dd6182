package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/store"
)

func grant(customerID, purpose string, d time.Duration) courtesy.ConsentRecord {
	return courtesy.ConsentRecord{CustomerID: customerID, Purpose: purpose, Status: courtesy.Granted,
		Basis: "consent", Source: "form", Notice: "notice-v1", RecordedAt: at(d)}
}

func withdrawal(customerID, purpose string, d time.Duration) courtesy.ConsentRecord {
	return courtesy.ConsentRecord{CustomerID: customerID, Purpose: purpose, Status: courtesy.Withdrawn,
		Source: "one-click", MessageKey: "birthday:" + customerID + ":2026", RecordedAt: at(d)}
}

func testConsentLedger(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustUpsert(t, db, customer("c1"), customer("c2"))
	late := grant("c1", "surveys", 2*time.Hour)
	late.ExpiresAt = at(48 * time.Hour)
	late.Basis = "implied"
	early := grant("c1", "birthday", time.Hour)
	tie := withdrawal("c1", "birthday", 2*time.Hour)
	late.ID = mustConsent(t, db, late)
	early.ID = mustConsent(t, db, early)
	tie.ID = mustConsent(t, db, tie)
	mustConsent(t, db, grant("c2", "birthday", 0))

	got, err := db.ConsentHistory(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	// Ordered by RecordedAt, then by ID for records of the same instant.
	if diff := cmp.Diff([]courtesy.ConsentRecord{early, late, tie}, got); diff != "" {
		t.Errorf("ConsentHistory (-want +got):\n%s", diff)
	}

	_, err = db.AppendConsent(ctx, grant("nobody", "birthday", 0))
	wantErr(t, err, courtesy.ErrNotFound)
	if _, err := db.AppendConsent(ctx, courtesy.ConsentRecord{CustomerID: "c1", Purpose: "birthday", Status: "maybe"}); err == nil {
		t.Error("AppendConsent accepted status maybe")
	}
}

func testAppendConsentErased(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := customer("a"), customer("b")
	b.Email = a.Email // two records of one person
	mustUpsert(t, db, a, b)
	if _, err := db.EraseCustomer(ctx, "a", "", at(time.Hour)); err != nil {
		t.Fatal(err)
	}
	_, err := db.AppendConsent(ctx, grant("b", "birthday", 2*time.Hour))
	wantErr(t, err, courtesy.ErrErased)
	if n := mustCount(t, db, "consent_ledger"); n != 0 {
		t.Errorf("ledger rows = %d, want 0", n)
	}
}

func testWithdraw(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustUpsert(t, db, customer("c1"))
	mustConsent(t, db, grant("c1", "birthday", 0))

	tests := []struct {
		name        string
		r           courtesy.ConsentRecord
		wantChanged bool
		wantLedger  int
		wantOptOuts int
	}{
		{"first withdrawal", withdrawal("c1", "birthday", time.Hour), true, 2, 1},
		{"repeated POST", withdrawal("c1", "birthday", 2*time.Hour), false, 2, 1},
		{"stop everything is its own purpose", withdrawal("c1", courtesy.AllPurposes, 3*time.Hour), true, 3, 2},
		{"stop everything again", withdrawal("c1", courtesy.AllPurposes, 4*time.Hour), false, 3, 2},
		{"purpose never granted", withdrawal("c1", "surveys", 5*time.Hour), true, 4, 3},
	}
	for _, tt := range tests {
		changed, err := db.Withdraw(ctx, tt.r, courtesy.OptOut{CampaignID: "birthday-treat", Variant: "personal"})
		if err != nil {
			t.Fatalf("%s: Withdraw: %v", tt.name, err)
		}
		if changed != tt.wantChanged {
			t.Errorf("%s: changed = %v, want %v", tt.name, changed, tt.wantChanged)
		}
		if got := mustCount(t, db, "consent_ledger"); got != tt.wantLedger {
			t.Errorf("%s: ledger rows = %d, want %d", tt.name, got, tt.wantLedger)
		}
		if got := mustCount(t, db, "opt_outs"); got != tt.wantOptOuts {
			t.Errorf("%s: opt-out rows = %d, want %d", tt.name, got, tt.wantOptOuts)
		}
	}

	// A new grant makes the next withdrawal count again.
	mustConsent(t, db, grant("c1", "birthday", 6*time.Hour))
	changed, err := db.Withdraw(ctx, withdrawal("c1", "birthday", 7*time.Hour), courtesy.OptOut{})
	if err != nil || !changed {
		t.Errorf("withdraw after re-grant = %v, %v; want true", changed, err)
	}

	// The opt-out takes its empty fields from the ledger record.
	latest, err := db.OptOuts(ctx, courtesy.Filter{CustomerID: "c1", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := []courtesy.OptOut{{ID: latest[0].ID, CustomerID: "c1", Purpose: "birthday", Source: "one-click",
		MessageKey: "birthday:c1:2026", At: at(7 * time.Hour)}}
	if diff := cmp.Diff(want, latest); diff != "" {
		t.Errorf("latest opt-out (-want +got):\n%s", diff)
	}

	_, err = db.Withdraw(ctx, withdrawal("nobody", "birthday", 0), courtesy.OptOut{})
	wantErr(t, err, courtesy.ErrNotFound)
}

// Concurrent one-click POSTs for the same message record one withdrawal.
func testWithdrawConcurrent(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustUpsert(t, db, customer("c1"))
	mustConsent(t, db, grant("c1", "birthday", 0))
	const n = 20
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		changed int
	)
	for i := range n {
		wg.Go(func() {
			ok, err := db.Withdraw(ctx, withdrawal("c1", "birthday", time.Duration(i+1)*time.Second), courtesy.OptOut{})
			if err != nil {
				t.Errorf("Withdraw: %v", err)
			}
			if ok {
				mu.Lock()
				changed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if changed != 1 {
		t.Errorf("%d of %d concurrent withdrawals changed something, want 1", changed, n)
	}
	if got := mustCount(t, db, "opt_outs"); got != 1 {
		t.Errorf("opt-out rows = %d, want 1", got)
	}
}

func testOptOuts(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustUpsert(t, db, customer("c1"), customer("c2"))
	for i, o := range []struct {
		customer, purpose, campaign string
	}{
		{"c1", "birthday", "birthday-treat"},
		{"c2", "birthday", "birthday-treat"},
		{"c2", "surveys", "nps"},
	} {
		if _, err := db.Withdraw(ctx, withdrawal(o.customer, o.purpose, time.Duration(i)*time.Hour),
			courtesy.OptOut{CampaignID: o.campaign}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := db.OptOuts(ctx, courtesy.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    courtesy.Filter
		want []string // customer/purpose, newest first
	}{
		{"all", courtesy.Filter{}, []string{"c2/surveys", "c2/birthday", "c1/birthday"}},
		{"campaign", courtesy.Filter{CampaignID: "birthday-treat"}, []string{"c2/birthday", "c1/birthday"}},
		{"customer", courtesy.Filter{CustomerID: "c2"}, []string{"c2/surveys", "c2/birthday"}},
		{"since until", courtesy.Filter{Since: at(time.Hour), Until: at(2 * time.Hour)}, []string{"c2/birthday"}},
		{"limit", courtesy.Filter{Limit: 1}, []string{"c2/surveys"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outs, err := db.OptOuts(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, o := range outs {
				got = append(got, o.CustomerID+"/"+o.Purpose)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("OptOuts (-want +got):\n%s", diff)
			}
		})
	}

	if err := db.SetOptOutReason(ctx, all[1].ID, "too-many", "twice a week is a lot"); err != nil {
		t.Fatal(err)
	}
	after, err := db.OptOuts(ctx, courtesy.Filter{CustomerID: "c2", Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if after[1].Reason != "too-many" || after[1].Comment != "twice a week is a lot" || after[0].Reason != "" {
		t.Errorf("after SetOptOutReason: %+v", after)
	}
	wantErr(t, db.SetOptOutReason(ctx, 999999, "other", ""), courtesy.ErrNotFound)
}

// The report's ledger: whole ledgers, up to the end, of the customers who
// withdrew something in the period, and nobody else's.
func testConsentLedgerOfWithdrawals(t *testing.T, db *store.DB) {
	mustUpsert(t, db, customer("in"), customer("before"), customer("after"), customer("never"))
	in := []courtesy.ConsentRecord{grant("in", "birthday", 0), withdrawal("in", "birthday", 5*time.Hour),
		grant("in", "surveys", 6*time.Hour)}
	for i := range in {
		in[i].ID = mustConsent(t, db, in[i])
	}
	mustConsent(t, db, grant("in", "surveys", 20*time.Hour)) // after the period
	mustConsent(t, db, withdrawal("before", "birthday", time.Hour))
	mustConsent(t, db, withdrawal("after", "birthday", 20*time.Hour))
	mustConsent(t, db, grant("never", "birthday", 5*time.Hour))

	got, err := db.ConsentLedger(context.Background(), at(4*time.Hour), at(10*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string][]courtesy.ConsentRecord{"in": in}, got); diff != "" {
		t.Errorf("ConsentLedger (-want +got):\n%s", diff)
	}
}
