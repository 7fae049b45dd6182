package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/store"
)

func testErase(t *testing.T, db *store.DB) {
	ctx := context.Background()
	zeb := courtesy.Customer{ID: "cust-7731", Email: "Zebedee.Quint@example.org", FirstName: "Zebedee",
		LastName: "Quintavalle", Birthday: courtesy.MonthDay{Month: time.May, Day: 17}, CreatedAt: t0, UpdatedAt: t0}
	keep := customer("keeper")
	mustUpsert(t, db, zeb, keep)

	// Give both people a full history, touching every table.
	for _, id := range []string{zeb.ID, keep.ID} {
		mustConsent(t, db, grant(id, "birthday", 0))
		mustConsent(t, db, grant(id, "surveys", 0))
		ev, _, err := db.AddEvent(ctx, courtesy.Event{CustomerID: id, Type: courtesy.Purchase, ItemID: "loaf",
			OrderID: "order-" + id, OccurredAt: at(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		occ := fmt.Sprintf("o%d", ev)
		m := message("nps", id, occ, 2*time.Hour)
		m.Subject, m.Detail = "How was your loaf?", `{"email":"`+strings.ToLower(zeb.Email)+`","name":"Zebedee"}`
		if id == keep.ID {
			m.Detail = "{}"
		}
		m.MessageID = "<" + id + ".1@crumb.example>"
		mustPlan(t, db, m)
		mustDecide(t, db, store.DecisionUpdate{Key: m.Key, Decision: sent, At: at(3 * time.Hour)})
		b := mustPlan(t, db, message("birthday-treat", id, "2026", 0))
		mustDecide(t, db, store.DecisionUpdate{Key: b.Key, Decision: sent, At: at(4 * time.Hour)})
		if _, err := db.Withdraw(ctx, withdrawal(id, "birthday", 5*time.Hour),
			courtesy.OptOut{MessageKey: b.Key, CampaignID: "birthday-treat", Reason: "other", Comment: "I am " + id}); err != nil {
			t.Fatal(err)
		}
		if err := db.RecordAnswer(ctx, courtesy.Answer{MessageKey: m.Key, CustomerID: id, CampaignID: "nps", Score: 9,
			Comment: "loved it, " + id, At: at(6 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if err := db.RecordAnswer(ctx, courtesy.Answer{MessageKey: "web:" + id + ":x", CustomerID: id, Score: 3,
			At: at(6 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if err := db.RecordEngagement(ctx, courtesy.Engagement{CustomerID: id, MessageKey: m.Key, CampaignID: "nps",
			Kind: "survey-answer", At: at(6 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if err := db.SetPreferences(ctx, courtesy.Preferences{CustomerID: id, MaxPerWindow: "1/7d", UpdatedAt: at(0)}); err != nil {
			t.Fatal(err)
		}
		if err := db.AddBounce(ctx, courtesy.Bounce{EmailHash: store.EmailHash(id + "@x"), MessageKey: m.Key,
			Kind: "soft", At: at(7 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	before, err := db.CountDecisions(ctx, courtesy.Filter{})
	if err != nil {
		t.Fatal(err)
	}

	if _, err := db.EraseCustomer(ctx, zeb.ID, "", at(8*time.Hour)); err != nil {
		t.Fatalf("EraseCustomer: %v", err)
	}

	all, err := db.AllText(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) == 0 {
		t.Fatal("no data read back")
	}
	personal := []string{zeb.ID, strings.ToLower(zeb.Email), "zebedee", "quintavalle"}
	for col, vals := range all {
		for _, v := range vals {
			for _, p := range personal {
				if strings.Contains(strings.ToLower(v), p) {
					t.Errorf("%s still holds %q: %q", col, p, v)
				}
			}
		}
	}
	// The other customer is untouched.
	for table, wantMin := range map[string]int{"customers": 1, "consent_ledger": 3, "events": 1, "preferences": 1, "engagements": 1} {
		if n := mustCount(t, db, table); n != wantMin {
			t.Errorf("%s rows after erasure = %d, want %d (the other customer's)", table, n, wantMin)
		}
	}
	if _, err := db.Customer(ctx, keep.ID); err != nil {
		t.Errorf("other customer: %v", err)
	}

	// Only the hash is left, and it blocks the address.
	erased, err := db.IsErased(ctx, db.Fingerprint(zeb.Email))
	if err != nil || !erased {
		t.Errorf("IsErased = %v, %v; want true", erased, err)
	}
	ok, s, err := db.Suppressed(ctx, "zebedee.quint@example.org")
	if err != nil || !ok || s.Reason != courtesy.ReasonErased {
		t.Errorf("Suppressed = %v, %+v, %v; want an erasure", ok, s, err)
	}
	_, err = db.Customer(ctx, zeb.ID)
	wantErr(t, err, courtesy.ErrNotFound)

	// The owner's counts do not change: the messages stay, made anonymous.
	after, err := db.CountDecisions(ctx, courtesy.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if before["sent"] != 4 || after["sent"] != before["sent"] {
		t.Errorf("sent before/after erasure = %d/%d, want 4/4", before["sent"], after["sent"])
	}
	outs, err := db.OptOuts(ctx, courtesy.Filter{CampaignID: "birthday-treat"})
	if err != nil || len(outs) != 2 {
		t.Errorf("opt-outs after erasure = %d, %v; want 2", len(outs), err)
	}
	answers, err := db.Answers(ctx, courtesy.Filter{CampaignID: "nps"})
	if err != nil || len(answers) != 2 {
		t.Errorf("answers after erasure = %d, %v; want 2", len(answers), err)
	}

	// Erasing again needs the hash, and is harmless.
	_, err = db.EraseCustomer(ctx, zeb.ID, "", at(9*time.Hour))
	wantErr(t, err, courtesy.ErrNotFound)
	if _, err := db.EraseCustomer(ctx, zeb.ID, zeb.Email, at(9*time.Hour)); err != nil {
		t.Errorf("second EraseCustomer: %v", err)
	}
}
