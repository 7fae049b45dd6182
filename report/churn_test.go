package report_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/report"
	"github.com/courtesyhq/courtesy/store"
)

// A customer churned who did not buy again, or who withdrew something in
// the period and has no purpose left granted at its end; a withdrawal
// before the period does not count.
func TestChurnCountsWithdrawalsInThePeriod(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "courtesy.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	t0 := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	day := func(n int) time.Time { return t0.Add(time.Duration(n) * 24 * time.Hour) }
	var b store.Bulk
	consent := func(id, purpose string, s courtesy.ConsentStatus, at time.Time) {
		b.Consents = append(b.Consents, courtesy.ConsentRecord{CustomerID: id, Purpose: purpose, Status: s,
			Source: "form", RecordedAt: at})
	}
	bought := func(id string, at time.Time) {
		b.Events = append(b.Events, courtesy.Event{CustomerID: id, Type: courtesy.Purchase, OrderID: "o-" + id,
			AmountCents: 500, OccurredAt: at})
	}
	for _, c := range []struct {
		id      string
		outcome courtesy.Outcome
	}{{"s1", courtesy.Sent}, {"s2", courtesy.Sent}, {"s3", courtesy.Sent}, {"s4", courtesy.Sent},
		{"c1", courtesy.Control}, {"c2", courtesy.Control}} {
		b.Customers = append(b.Customers, courtesy.Customer{ID: c.id, Email: c.id + "@example.com", CreatedAt: day(-30), UpdatedAt: day(-30)})
		b.Messages = append(b.Messages, courtesy.Message{Key: courtesy.MessageKey("birthday-treat", c.id, "2026"),
			CampaignID: "birthday-treat", CustomerID: c.id, Purpose: "birthday", CreatedAt: day(1), DecidedAt: day(1),
			Decision: courtesy.Decision{Outcome: c.outcome}})
		consent(c.id, "birthday", courtesy.Granted, day(-20))
	}
	// s1 bought, then withdrew the only purpose it had: churned.
	bought("s1", day(5))
	consent("s1", "birthday", courtesy.Withdrawn, day(2))
	// s2 bought and withdrew birthdays, but keeps surveys: stays.
	bought("s2", day(5))
	consent("s2", "surveys", courtesy.Granted, day(-20))
	consent("s2", "birthday", courtesy.Withdrawn, day(2))
	// s3 did not buy again: churned.
	// s4 bought; it withdrew everything, but before the period: stays.
	bought("s4", day(5))
	consent("s4", "birthday", courtesy.Withdrawn, day(-5))
	// c1 bought: stays. c2 did not: churned.
	bought("c1", day(6))
	if err := db.BulkLoad(ctx, b); err != nil {
		t.Fatal(err)
	}
	r, err := report.Build(ctx, db, report.Options{Since: t0, Until: day(30), Purposes: []string{"birthday", "surveys"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Campaigns) != 1 {
		t.Fatalf("campaigns: %+v", r.Campaigns)
	}
	ch := r.Campaigns[0].Churn
	if ch.Sent != 4 || ch.SentChurned != 2 || ch.Control != 2 || ch.ControlChurned != 1 {
		t.Errorf("churn: sent %d of %d, control %d of %d; want 2 of 4 and 1 of 2",
			ch.SentChurned, ch.Sent, ch.ControlChurned, ch.Control)
	}
}
