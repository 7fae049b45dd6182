package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/store"
)

func shopifyOrder(deliveryID, customerID, email, orderID string, d time.Duration) courtesy.Delivery {
	return courtesy.Delivery{
		Source: "shopify", ID: deliveryID, ReceivedAt: at(d),
		Customer: &courtesy.PlatformCustomer{ExternalID: customerID, Email: email, FirstName: "Ada", LastName: "Lovelace"},
		Events: []courtesy.Event{{Type: courtesy.Purchase, OrderID: orderID, ItemID: "loaf", ItemName: "Sourdough loaf",
			AmountCents: 650, OccurredAt: at(d)}},
		Consents: []courtesy.ConsentRecord{{Purpose: "surveys", Status: courtesy.Granted, Basis: "consent",
			Notice: "Shopify email marketing: subscribed", RecordedAt: at(d)}},
	}
}

func mustRecordDelivery(t *testing.T, db *store.DB, d courtesy.Delivery) courtesy.DeliveryOutcome {
	t.Helper()
	out, err := db.RecordDelivery(context.Background(), d, consent.PlatformRecordApplies)
	if err != nil {
		t.Fatalf("RecordDelivery(%s): %v", d.ID, err)
	}
	return out
}

func testRecordDelivery(t *testing.T, db *store.DB) {
	ctx := context.Background()
	first := shopifyOrder("wh-1", "7001", "ada@example.org", "order-1", 0)
	if diff := cmp.Diff(courtesy.DeliveryOutcome{CustomerID: "shopify-7001", CustomerCreated: true, EventsAdded: 1,
		ConsentsAdded: 1}, mustRecordDelivery(t, db, first)); diff != "" {
		t.Errorf("first delivery (-want +got):\n%s", diff)
	}
	// The platform did not hear the 200 and delivers again.
	if diff := cmp.Diff(courtesy.DeliveryOutcome{Duplicate: true}, mustRecordDelivery(t, db, first)); diff != "" {
		t.Errorf("the same delivery again (-want +got):\n%s", diff)
	}
	// A new order from the same person, now under another address: matched
	// by the platform's id, the address updated, the grant not repeated.
	second := shopifyOrder("wh-2", "7001", "ada.l@example.org", "order-2", time.Hour)
	if diff := cmp.Diff(courtesy.DeliveryOutcome{CustomerID: "shopify-7001", EventsAdded: 1},
		mustRecordDelivery(t, db, second)); diff != "" {
		t.Errorf("second order (-want +got):\n%s", diff)
	}
	c, err := db.Customer(ctx, "shopify-7001")
	if err != nil {
		t.Fatal(err)
	}
	if c.Email != "ada.l@example.org" || c.FirstName != "Ada" {
		t.Errorf("customer after the second order = %+v", c)
	}
	// A guest checkout with the address of a customer courtesy already has.
	mustUpsert(t, db, customer("c-42"))
	guest := shopifyOrder("wh-3", "", "c-42@example.org", "order-3", 2*time.Hour)
	if out := mustRecordDelivery(t, db, guest); out.CustomerID != "c-42" || out.CustomerCreated {
		t.Errorf("guest with a known address = %+v, want customer c-42 matched", out)
	}
	if got := mustCount(t, db, "events"); got != 3 {
		t.Errorf("events = %d, want 3", got)
	}
	if got := mustCount(t, db, "consent_ledger"); got != 2 {
		t.Errorf("consent records = %d, want 2 (one per customer)", got)
	}
}

func testRecordDeliveryIsAtomic(t *testing.T, db *store.DB) {
	bad := shopifyOrder("wh-9", "7009", "bea@example.org", "order-9", 0)
	bad.Events = append(bad.Events, courtesy.Event{Type: courtesy.Purchase}) // no time: refused
	if _, err := db.RecordDelivery(context.Background(), bad, consent.PlatformRecordApplies); err == nil {
		t.Fatal("RecordDelivery accepted an event without a time")
	}
	for _, table := range []string{"webhook_deliveries", "customers", "events", "consent_ledger", "integration_customers"} {
		if n := mustCount(t, db, table); n != 0 {
			t.Errorf("%s holds %d rows after a failed delivery, want 0", table, n)
		}
	}
	// The platform's retry of the same delivery is then taken whole.
	good := shopifyOrder("wh-9", "7009", "bea@example.org", "order-9", 0)
	if out := mustRecordDelivery(t, db, good); out.Duplicate || out.EventsAdded != 1 {
		t.Errorf("retry after a failure = %+v, want it recorded", out)
	}
}

func testRecordDeliveryErased(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustUpsert(t, db, customer("gone"))
	if _, err := db.EraseCustomer(ctx, "gone", "", t0); err != nil {
		t.Fatal(err)
	}
	out := mustRecordDelivery(t, db, shopifyOrder("wh-5", "7005", "gone@example.org", "order-5", time.Hour))
	if diff := cmp.Diff(courtesy.DeliveryOutcome{Erased: true}, out); diff != "" {
		t.Errorf("delivery for an erased address (-want +got):\n%s", diff)
	}
	if _, err := db.Customer(ctx, "shopify-7005"); !errors.Is(err, courtesy.ErrNotFound) {
		t.Errorf("customer of an erased address: err = %v, want ErrNotFound", err)
	}
	if n := mustCount(t, db, "events") + mustCount(t, db, "consent_ledger"); n != 0 {
		t.Errorf("%d event and consent rows stored for an erased address", n)
	}
}

func testEraseForgetsPlatformIDs(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustRecordDelivery(t, db, shopifyOrder("wh-1", "7001", "ada@example.org", "order-1", 0))
	if n := mustCount(t, db, "integration_customers"); n != 1 {
		t.Fatalf("integration_customers = %d rows, want 1", n)
	}
	if _, err := db.EraseCustomer(ctx, "shopify-7001", "", at(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n := mustCount(t, db, "integration_customers"); n != 0 {
		t.Errorf("integration_customers keeps %d rows naming an erased customer", n)
	}
	// Shopify still knows the person; courtesy takes nothing more of them.
	out := mustRecordDelivery(t, db, shopifyOrder("wh-2", "7001", "ada@example.org", "order-2", 2*time.Hour))
	if !out.Erased || mustCount(t, db, "customers") != 0 {
		t.Errorf("a delivery after the erasure = %+v", out)
	}
}

func testDeliveryIDsAreKeptForARetention(t *testing.T, db *store.DB) {
	mustRecordDelivery(t, db, shopifyOrder("wh-old", "7001", "ada@example.org", "order-1", 0))
	mustRecordDelivery(t, db, shopifyOrder("wh-recent", "7001", "ada@example.org", "order-2", store.DeliveryRetention-time.Hour))
	if n := mustCount(t, db, "webhook_deliveries"); n != 2 {
		t.Fatalf("webhook_deliveries = %d, want both ids within the retention", n)
	}
	mustRecordDelivery(t, db, shopifyOrder("wh-new", "7001", "ada@example.org", "order-3", store.DeliveryRetention+time.Hour))
	if n := mustCount(t, db, "webhook_deliveries"); n != 2 {
		t.Errorf("webhook_deliveries = %d, want the oldest id gone", n)
	}
	// The old order delivered again after that is still the one event.
	if out := mustRecordDelivery(t, db, shopifyOrder("wh-old", "7001", "ada@example.org", "order-1", 0)); out.EventsAdded != 0 {
		t.Errorf("the old order again added %d events", out.EventsAdded)
	}
}
