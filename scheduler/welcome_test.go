package scheduler

import (
	"context"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/campaigns"
	"github.com/courtesyhq/courtesy/store/storetest"
)

type noQueue struct{}

func (noQueue) Enqueue(context.Context, string, time.Time, time.Time) error { return nil }
func (noQueue) EnqueueBatch(context.Context, []string) error                { return nil }

// TestWelcomeIsPlannedFromTheConfirmation: the planner finds the sign-up
// events confirmations leave and plans one welcome per customer.
func TestWelcomeIsPlannedFromTheConfirmation(t *testing.T) {
	ctx := context.Background()
	st := storetest.OpenSQLite(t)
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	if _, err := st.UpsertCustomers(ctx, []courtesy.Customer{{ID: "su-1", Email: "grace@example.org"}, {ID: "c-2", Email: "bob@example.org"}}); err != nil {
		t.Fatal(err)
	}
	for _, e := range []courtesy.Event{
		{CustomerID: "su-1", Type: courtesy.Signup, OrderID: "confirmation:su-1:1", OccurredAt: at.Add(-time.Hour)},
		{CustomerID: "su-1", Type: courtesy.Signup, OrderID: "confirmation:su-1:2", OccurredAt: at.Add(-time.Minute)},
		{CustomerID: "c-2", Type: courtesy.Purchase, OrderID: "o-1", OccurredAt: at.Add(-time.Hour)},
	} {
		if _, _, err := st.AddEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	welcome := &campaigns.Campaign{ID: "welcome", Kind: campaigns.Welcome, Purpose: "birthday", Enabled: true,
		Trigger: campaigns.Trigger{Event: courtesy.Signup}, Expires: 3 * 24 * time.Hour}
	p := &Planner{Campaigns: []*campaigns.Campaign{welcome}, Store: st, Queue: noQueue{}, Location: time.UTC}
	st1, err := p.Plan(ctx, at)
	if err != nil {
		t.Fatal(err)
	}
	if st1.Planned != 1 {
		t.Fatalf("planned %d messages, want one welcome", st1.Planned)
	}
	m, err := st.Message(ctx, "welcome:su-1:welcome")
	if err != nil {
		t.Fatal(err)
	}
	if m.Purpose != "birthday" || m.CustomerID != "su-1" {
		t.Errorf("welcome = %+v", m)
	}
	if st2, err := p.Plan(ctx, at.Add(time.Hour)); err != nil || st2.Planned != 0 {
		t.Errorf("a second round planned %d (%v), want none", st2.Planned, err)
	}
}
