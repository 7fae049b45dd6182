package integrations_test

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/integrations"
	"github.com/courtesyhq/courtesy/integrations/integrationstest"
)

const secret = "whsec_test_0123456789abcdefghij"

// received is when the fixtures arrive: a few minutes after the Stripe
// events in them were created.
var received = time.Date(2026, 11, 20, 15, 30, 0, 0, time.UTC)

func fixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func mustRead(t *testing.T, p integrations.Platform, h http.Header, body []byte, s integrations.Settings) courtesy.Delivery {
	t.Helper()
	d, err := p.Read(h, body, s, received)
	if err != nil {
		t.Fatalf("%s Read: %v", p.Name, err)
	}
	return d
}

func TestShopifyOrder(t *testing.T) {
	body := fixture(t, "shopify/orders-create.json")
	h := integrationstest.Shopify(secret, "orders/create", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", body)
	got := mustRead(t, integrations.Shopify, h, body, integrations.Settings{Secret: secret, ConsentPurposes: []string{"surveys"}})
	want := courtesy.Delivery{
		Source: "shopify", ID: "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", ReceivedAt: received,
		Customer: &courtesy.PlatformCustomer{ExternalID: "115310627314723954", Email: "ada@example.org",
			FirstName: "Ada", LastName: "Lovelace"},
		Events: []courtesy.Event{
			{Type: courtesy.Purchase, OrderID: "820982911946154508", ItemID: "632910392", ItemName: "Sourdough loaf",
				AmountCents: 1650, OccurredAt: time.Date(2026, 11, 20, 15, 15, 0, 0, time.UTC)},
			{Type: courtesy.Purchase, OrderID: "820982911946154508", ItemID: "921728736", ItemName: "Cinnamon bun",
				OccurredAt: time.Date(2026, 11, 20, 15, 15, 0, 0, time.UTC)},
		},
		Consents: []courtesy.ConsentRecord{{Purpose: "surveys", Status: courtesy.Granted, Basis: "consent",
			Notice:     "Shopify email_marketing_consent: subscribed (single_opt_in)",
			RecordedAt: time.Date(2026, 11, 20, 15, 14, 30, 0, time.UTC)}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("orders/create (-want +got):\n%s", diff)
	}
}

func TestWooCommerceOrder(t *testing.T) {
	body := fixture(t, "woocommerce/order-created.json")
	h := integrationstest.WooCommerce(secret, "order.created", "8c9d2f1e0a", body)
	got := mustRead(t, integrations.WooCommerce, h, body, integrations.Settings{Secret: secret,
		ConsentPurposes: []string{"surveys"}, MarketingField: "_mailpoet_wc_optin"})
	created := time.Date(2026, 11, 20, 15, 28, 2, 0, time.UTC)
	want := courtesy.Delivery{
		Source: "woocommerce", ID: "8c9d2f1e0a", ReceivedAt: received,
		Customer: &courtesy.PlatformCustomer{ExternalID: "26", Email: "grace.hopper@example.com",
			FirstName: "Grace", LastName: "Hopper"},
		Events: []courtesy.Event{
			{Type: courtesy.Purchase, OrderID: "727", ItemID: "93", ItemName: "Rye loaf", AmountCents: 2935, OccurredAt: created},
			{Type: courtesy.Purchase, OrderID: "727", ItemID: "22", ItemName: "Seeded crackers", OccurredAt: created},
		},
		Consents: []courtesy.ConsentRecord{{Purpose: "surveys", Status: courtesy.Granted, Basis: "consent",
			Notice: "WooCommerce checkout field _mailpoet_wc_optin: 1", RecordedAt: created}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order.created (-want +got):\n%s", diff)
	}
}

func TestStripeCheckoutSession(t *testing.T) {
	body := fixture(t, "stripe/checkout-session-completed.json")
	h := integrationstest.Stripe(received, body, secret)
	got := mustRead(t, integrations.Stripe, h, body, integrations.Settings{Secret: secret, ConsentPurposes: []string{"surveys"}})
	want := courtesy.Delivery{
		Source: "stripe", ID: "evt_1QaBcDEfGhIjKlMnOpQrStUv", ReceivedAt: received,
		Customer: &courtesy.PlatformCustomer{ExternalID: "cus_RkLmNoPqRsTuVw", Email: "katherine@example.com",
			FirstName: "Katherine", LastName: "Johnson"},
		Events: []courtesy.Event{{Type: courtesy.Purchase, OrderID: "cs_test_a1b2c3d4e5f6g7h8i9j0", AmountCents: 4200,
			OccurredAt: time.Unix(1795187700, 0).UTC()}},
		Consents: []courtesy.ConsentRecord{{Purpose: "surveys", Status: courtesy.Granted, Basis: "consent",
			Notice: "Stripe Checkout consent.promotions: opt_in", RecordedAt: time.Unix(1795188000, 0).UTC()}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("checkout.session.completed (-want +got):\n%s", diff)
	}
}

func TestStripeChargeOnlyWhereConfigured(t *testing.T) {
	body := fixture(t, "stripe/charge-succeeded.json")
	h := integrationstest.Stripe(received, body, secret)
	if d := mustRead(t, integrations.Stripe, h, body, integrations.Settings{Secret: secret}); d.ID != "" {
		t.Errorf("charge.succeeded taken by default: %+v", d)
	}
	got := mustRead(t, integrations.Stripe, h, body, integrations.Settings{Secret: secret,
		Topics: []string{"checkout.session.completed", "charge.succeeded"}})
	want := courtesy.Delivery{
		Source: "stripe", ID: "evt_3QaBcDEfGhIjKlMn1XyZaBcD", ReceivedAt: received,
		Customer: &courtesy.PlatformCustomer{Email: "dorothy@example.com", FirstName: "Dorothy", LastName: "Vaughan"},
		Events: []courtesy.Event{{Type: courtesy.Purchase, OrderID: "pi_3QaBcDEfGhIjKlMn1XyZaBcD", AmountCents: 1500,
			OccurredAt: time.Unix(1795188055, 0).UTC()}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("charge.succeeded (-want +got):\n%s", diff)
	}
}

func TestMarketingFlagIsConsentOnlyWhenMapped(t *testing.T) {
	shop := fixture(t, "shopify/orders-create.json")
	woo := fixture(t, "woocommerce/order-created.json")
	stripe := fixture(t, "stripe/checkout-session-completed.json")
	tests := []struct {
		name string
		p    integrations.Platform
		h    http.Header
		body []byte
		s    integrations.Settings
	}{
		{"shopify", integrations.Shopify, integrationstest.Shopify(secret, "orders/create", "1", shop), shop,
			integrations.Settings{Secret: secret}},
		{"woocommerce without a field", integrations.WooCommerce, integrationstest.WooCommerce(secret, "order.created", "1", woo), woo,
			integrations.Settings{Secret: secret, ConsentPurposes: []string{"surveys"}}},
		{"woocommerce without purposes", integrations.WooCommerce, integrationstest.WooCommerce(secret, "order.created", "1", woo), woo,
			integrations.Settings{Secret: secret, MarketingField: "_mailpoet_wc_optin"}},
		{"stripe", integrations.Stripe, integrationstest.Stripe(received, stripe, secret), stripe,
			integrations.Settings{Secret: secret}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mustRead(t, tt.p, tt.h, tt.body, tt.s)
			if d.Customer == nil || len(d.Events) == 0 {
				t.Fatalf("delivery = %+v, want a customer and a purchase", d)
			}
			if len(d.Consents) != 0 {
				t.Errorf("consents without a mapping: %+v", d.Consents)
			}
		})
	}
}

func TestShopifyUnsubscribedWithdrawsMappedPurposes(t *testing.T) {
	body := fixture(t, "shopify/customers-update.json")
	h := integrationstest.Shopify(secret, "customers/update", "c-upd-1", body)
	d := mustRead(t, integrations.Shopify, h, body, integrations.Settings{Secret: secret,
		ConsentPurposes: []string{"surveys", "reminders"}})
	want := []courtesy.ConsentRecord{
		{Purpose: "surveys", Status: courtesy.Withdrawn, Basis: "consent",
			Notice: "Shopify email_marketing_consent: unsubscribed (single_opt_in)", RecordedAt: time.Date(2026, 11, 25, 21, 40, 0, 0, time.UTC)},
		{Purpose: "reminders", Status: courtesy.Withdrawn, Basis: "consent",
			Notice: "Shopify email_marketing_consent: unsubscribed (single_opt_in)", RecordedAt: time.Date(2026, 11, 25, 21, 40, 0, 0, time.UTC)},
	}
	// The consent time is after the delivery's: a platform's clock ahead of
	// ours cannot date a record in courtesy's future.
	for i := range want {
		want[i].RecordedAt = received
	}
	if diff := cmp.Diff(want, d.Consents); diff != "" {
		t.Errorf("customers/update unsubscribed (-want +got):\n%s", diff)
	}
	if len(d.Events) != 0 {
		t.Errorf("customers/update made events: %+v", d.Events)
	}
}

func TestRefusedDeliveries(t *testing.T) {
	shop := fixture(t, "shopify/orders-create.json")
	woo := fixture(t, "woocommerce/order-created.json")
	stripe := fixture(t, "stripe/checkout-session-completed.json")
	half := func(b []byte) []byte { return b[:len(b)/2] }
	s := integrations.Settings{Secret: secret}
	tests := []struct {
		name string
		p    integrations.Platform
		h    http.Header
		body []byte
		s    integrations.Settings
		want error
	}{
		{"shopify, other secret", integrations.Shopify, integrationstest.Shopify("another-secret-0123456789", "orders/create", "1", shop), shop, s, integrations.ErrSignature},
		{"shopify, unsigned", integrations.Shopify, http.Header{"X-Shopify-Topic": {"orders/create"}, "X-Shopify-Webhook-Id": {"1"}}, shop, s, integrations.ErrSignature},
		{"shopify, truncated body", integrations.Shopify, integrationstest.Shopify(secret, "orders/create", "1", shop), half(shop), s, integrations.ErrSignature},
		{"shopify, truncated body signed as sent", integrations.Shopify, integrationstest.Shopify(secret, "orders/create", "1", half(shop)), half(shop), s, integrations.ErrMalformed},
		{"shopify, no webhook id", integrations.Shopify, integrationstest.Shopify(secret, "orders/create", "", shop), shop, s, integrations.ErrMalformed},
		{"shopify, no secret configured", integrations.Shopify, integrationstest.Shopify("", "orders/create", "1", shop), shop, integrations.Settings{}, integrations.ErrSignature},
		{"woocommerce, other secret", integrations.WooCommerce, integrationstest.WooCommerce("another-secret-0123456789", "order.created", "1", woo), woo, s, integrations.ErrSignature},
		{"woocommerce, truncated body", integrations.WooCommerce, integrationstest.WooCommerce(secret, "order.created", "1", woo), half(woo), s, integrations.ErrSignature},
		{"woocommerce, unsigned order", integrations.WooCommerce, http.Header{"X-Wc-Webhook-Topic": {"order.created"}}, woo, s, integrations.ErrSignature},
		{"stripe, other secret", integrations.Stripe, integrationstest.Stripe(received, stripe, "whsec_another_0123456789"), stripe, s, integrations.ErrSignature},
		{"stripe, stale timestamp", integrations.Stripe, integrationstest.Stripe(received.Add(-StripeTolerancePlus()), stripe, secret), stripe, s, integrations.ErrSignature},
		{"stripe, timestamp from the future", integrations.Stripe, integrationstest.Stripe(received.Add(StripeTolerancePlus()), stripe, secret), stripe, s, integrations.ErrSignature},
		{"stripe, truncated body", integrations.Stripe, integrationstest.Stripe(received, stripe, secret), half(stripe), s, integrations.ErrSignature},
		{"stripe, truncated body signed as sent", integrations.Stripe, integrationstest.Stripe(received, half(stripe), secret), half(stripe), s, integrations.ErrMalformed},
		{"stripe, no v1", integrations.Stripe, http.Header{"Stripe-Signature": {"t=1795188000,v0=abc"}}, stripe, s, integrations.ErrSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := tt.p.Read(tt.h, tt.body, tt.s, received)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Read = %+v, %v; want %v", d, err, tt.want)
			}
		})
	}
}

// StripeTolerancePlus is a second past the tolerance.
func StripeTolerancePlus() time.Duration { return integrations.StripeTolerance + time.Second }

func TestStripeAcceptsEitherSecretWhileRolling(t *testing.T) {
	body := fixture(t, "stripe/checkout-session-completed.json")
	for _, h := range []http.Header{
		integrationstest.Stripe(received, body, "whsec_old_secret_0123456789", secret),
		integrationstest.Stripe(received, body, secret, "whsec_new_secret_0123456789"),
		integrationstest.Stripe(received.Add(-integrations.StripeTolerance), body, secret),
	} {
		if _, err := integrations.Stripe.Read(h, body, integrations.Settings{Secret: secret}, received); err != nil {
			t.Errorf("Stripe-Signature %s: %v", h.Get("Stripe-Signature"), err)
		}
	}
}

func TestWooCommercePingIsAnsweredAndRecordsNothing(t *testing.T) {
	body, h := integrationstest.WooCommercePing(12)
	d, err := integrations.WooCommerce.Read(h, body, integrations.Settings{Secret: secret}, received)
	if err != nil {
		t.Fatalf("ping: %v", err)
	}
	if d.ID != "" || d.Customer != nil {
		t.Errorf("ping made a delivery to record: %+v", d)
	}
	// Only the bare ping goes unsigned; anything more needs the signature.
	if _, err := integrations.WooCommerce.Read(h, []byte("webhook_id=12&id=727"), integrations.Settings{Secret: secret}, received); !errors.Is(err, integrations.ErrSignature) {
		t.Errorf("unsigned body beyond the ping: err = %v, want ErrSignature", err)
	}
}

func TestTopicsNotTakenRecordNothing(t *testing.T) {
	body := fixture(t, "shopify/orders-create.json")
	h := integrationstest.Shopify(secret, "orders/paid", "p-1", body)
	if d := mustRead(t, integrations.Shopify, h, body, integrations.Settings{Secret: secret}); d.ID != "" {
		t.Errorf("orders/paid taken by default: %+v", d)
	}
	d := mustRead(t, integrations.Shopify, h, body, integrations.Settings{Secret: secret,
		Topics: []string{"orders/create", "orders/paid"}})
	if d.ID != "p-1" || len(d.Events) == 0 {
		t.Errorf("orders/paid where configured = %+v", d)
	}
}

func TestStripeDelayedPaymentCountsWhenPaid(t *testing.T) {
	completed := bytes.Replace(fixture(t, "stripe/checkout-session-completed.json"),
		[]byte(`"payment_status": "paid"`), []byte(`"payment_status": "unpaid"`), 1)
	s := integrations.Settings{Secret: secret}
	d := mustRead(t, integrations.Stripe, integrationstest.Stripe(received, completed, secret), completed, s)
	if d.Customer == nil || len(d.Events) != 0 {
		t.Errorf("completed, not yet paid: %+v, want the customer and no purchase", d)
	}
	paid := bytes.Replace(bytes.Replace(completed, []byte(`"payment_status": "unpaid"`), []byte(`"payment_status": "paid"`), 1),
		[]byte(`"type": "checkout.session.completed"`), []byte(`"type": "checkout.session.async_payment_succeeded"`), 1)
	paid = bytes.Replace(paid, []byte("evt_1QaBcDEfGhIjKlMnOpQrStUv"), []byte("evt_1QaBcDEfGhIjKlMnPaidLater"), 1)
	d = mustRead(t, integrations.Stripe, integrationstest.Stripe(received, paid, secret), paid, s)
	if len(d.Events) != 1 || d.Events[0].OrderID != "cs_test_a1b2c3d4e5f6g7h8i9j0" {
		t.Errorf("async_payment_succeeded: %+v, want the purchase", d)
	}
}

func TestWooCommerceCustomerWhereConfigured(t *testing.T) {
	body := fixture(t, "woocommerce/customer-created.json")
	h := integrationstest.WooCommerce(secret, "customer.created", "d-9", body)
	if d := mustRead(t, integrations.WooCommerce, h, body, integrations.Settings{Secret: secret}); d.ID != "" {
		t.Errorf("customer.created taken by default: %+v", d)
	}
	d := mustRead(t, integrations.WooCommerce, h, body, integrations.Settings{Secret: secret,
		Topics: []string{"order.created", "customer.created"}})
	want := &courtesy.PlatformCustomer{ExternalID: "26", Email: "grace.hopper@example.com", FirstName: "Grace", LastName: "Hopper"}
	if diff := cmp.Diff(want, d.Customer); diff != "" || len(d.Events) != 0 || len(d.Consents) != 0 {
		t.Errorf("customer.created (-want +got):\n%s\n%+v", diff, d)
	}
}
