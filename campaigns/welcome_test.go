package campaigns

import (
	"testing"
	"time"

	"github.com/courtesyhq/courtesy"
)

// TestWelcomeIsOncePerCustomer: a confirmed sign-up starts a welcome keyed
// by the customer alone, so a second sign-up brings no second one; no
// other event starts it.
func TestWelcomeIsOncePerCustomer(t *testing.T) {
	c := &Campaign{ID: "welcome", Kind: Welcome, Trigger: Trigger{Event: courtesy.Signup}, Expires: 3 * 24 * time.Hour}
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	first, ok := c.EventOccurrence(courtesy.Event{ID: 1, Type: courtesy.Signup, OccurredAt: at}, at, time.UTC)
	if !ok || first.ID != "welcome" || !first.Due.Equal(at) || !first.NotAfter.Equal(at.Add(3*24*time.Hour)) {
		t.Fatalf("first sign-up: %+v open=%v; want welcome due at once for 3 days", first, ok)
	}
	later := at.AddDate(0, 2, 0)
	again, _ := c.EventOccurrence(courtesy.Event{ID: 2, Type: courtesy.Signup, OccurredAt: later}, later, time.UTC)
	if again.ID != first.ID {
		t.Errorf("a second sign-up is occurrence %q, want the same %q", again.ID, first.ID)
	}
	for _, typ := range []courtesy.EventType{courtesy.Purchase, courtesy.Interest} {
		if o, _ := c.EventOccurrence(courtesy.Event{ID: 3, Type: typ, ItemID: "x", OccurredAt: at}, at, time.UTC); o.ID != "" {
			t.Errorf("a %s event started a welcome: %+v", typ, o)
		}
	}
}
