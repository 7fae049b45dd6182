package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/store"
)

func testEvents(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustUpsert(t, db, customer("c1"), customer("c2"))
	saved := courtesy.Event{CustomerID: "c1", Type: courtesy.Interest, ItemID: "sourdough", ItemName: "Sourdough",
		ItemURL: "https://crumb.example/sourdough", OccurredAt: at(0)}
	bought := courtesy.Event{CustomerID: "c1", Type: courtesy.Purchase, ItemID: "sourdough", OrderID: "o-1",
		AmountCents: 450, OccurredAt: at(2 * time.Hour)}
	other := courtesy.Event{CustomerID: "c2", Type: courtesy.Purchase, ItemID: "bagel", OrderID: "o-2",
		AmountCents: 120, OccurredAt: at(3 * time.Hour)}
	for _, e := range []*courtesy.Event{&saved, &bought, &other} {
		id, inserted, err := db.AddEvent(ctx, *e)
		if err != nil || !inserted {
			t.Fatalf("AddEvent = %d, %v, %v; want inserted", id, inserted, err)
		}
		e.ID = id
	}

	// A re-import of the same event adds nothing and names the stored one.
	dup := bought
	dup.ID, dup.ItemName = 0, "another name"
	id, inserted, err := db.AddEvent(ctx, dup)
	if err != nil || inserted || id != bought.ID {
		t.Errorf("AddEvent(duplicate) = %d, %v, %v; want %d, false", id, inserted, err, bought.ID)
	}
	if n := mustCount(t, db, "events"); n != 3 {
		t.Errorf("events = %d, want 3", n)
	}
	_, _, err = db.AddEvent(ctx, courtesy.Event{CustomerID: "nobody", Type: courtesy.Purchase, OccurredAt: at(0)})
	wantErr(t, err, courtesy.ErrNotFound)

	got, err := db.Event(ctx, bought.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(bought, got); diff != "" {
		t.Errorf("Event (-want +got):\n%s", diff)
	}
	_, err = db.Event(ctx, 999999)
	wantErr(t, err, courtesy.ErrNotFound)

	between := []struct {
		name     string
		typ      courtesy.EventType
		from, to time.Time
		want     []courtesy.Event
	}{
		{"from is inclusive", courtesy.Purchase, at(2 * time.Hour), at(4 * time.Hour), []courtesy.Event{bought, other}},
		{"to is exclusive", courtesy.Purchase, at(0), at(3 * time.Hour), []courtesy.Event{bought}},
		{"by type", courtesy.Interest, at(0), at(4 * time.Hour), []courtesy.Event{saved}},
		{"empty", courtesy.Interest, at(time.Hour), at(4 * time.Hour), nil},
	}
	for _, tt := range between {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.EventsBetween(ctx, tt.typ, tt.from, tt.to)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("EventsBetween (-want +got):\n%s", diff)
			}
		})
	}

	mine, err := db.CustomerEvents(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]courtesy.Event{saved, bought}, mine); diff != "" {
		t.Errorf("CustomerEvents (-want +got):\n%s", diff)
	}

	purchased := []struct {
		name     string
		customer string
		item     string
		since    time.Time
		want     bool
	}{
		{"the item", "c1", "sourdough", at(0), true},
		{"any item", "c1", "", at(0), true},
		{"since is inclusive", "c1", "sourdough", at(2 * time.Hour), true},
		{"bought before", "c1", "sourdough", at(2*time.Hour + time.Microsecond), false},
		{"another item", "c1", "bagel", at(0), false},
		{"interest is not a purchase", "c2", "sourdough", at(0), false},
	}
	for _, tt := range purchased {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.PurchasedSince(ctx, tt.customer, tt.item, tt.since)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("PurchasedSince = %v, want %v", got, tt.want)
			}
		})
	}
}
