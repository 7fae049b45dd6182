package integrations_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/integrations"
	"github.com/courtesyhq/courtesy/integrations/integrationstest"
)

// checkDelivery holds what every parsed delivery must be, whatever the
// body: either an error of a known kind, or a delivery the store can keep
// and that invents no consent.
func checkDelivery(t *testing.T, d courtesy.Delivery, err error, s integrations.Settings) {
	t.Helper()
	if err != nil {
		if !errors.Is(err, integrations.ErrMalformed) && !errors.Is(err, integrations.ErrSignature) {
			t.Fatalf("error of no known kind: %v", err)
		}
		return
	}
	if d.ID == "" {
		if d.Customer != nil || len(d.Events) > 0 || len(d.Consents) > 0 {
			t.Fatalf("a delivery without an id carries data: %+v", d)
		}
		return
	}
	if d.Customer == nil && (len(d.Events) > 0 || len(d.Consents) > 0) {
		t.Fatalf("events or consents without a customer: %+v", d)
	}
	for _, e := range d.Events {
		if e.Type != courtesy.Purchase || e.OccurredAt.IsZero() || e.AmountCents < 0 {
			t.Fatalf("event the store cannot keep: %+v", e)
		}
	}
	if len(d.Consents) > 0 && len(s.ConsentPurposes) == 0 {
		t.Fatalf("consent without a mapping: %+v", d.Consents)
	}
	for _, r := range d.Consents {
		if r.RecordedAt.After(received) || r.Source != "" && r.Source != d.Source {
			t.Fatalf("consent record dated after receipt or from elsewhere: %+v", r)
		}
	}
}

func FuzzShopify(f *testing.F) {
	f.Add(fixture(f, "shopify/orders-create.json"), "orders/create", true)
	f.Add(fixture(f, "shopify/customers-update.json"), "customers/update", false)
	f.Add([]byte(`{"id":1,"created_at":"2026-01-01T00:00:00Z","customer":{"id":"x","email":"a@b.co","email_marketing_consent":{"state":"subscribed"}}}`), "orders/create", true)
	f.Fuzz(func(t *testing.T, body []byte, topic string, mapped bool) {
		s := integrations.Settings{Secret: secret, Topics: integrations.Shopify.Topics}
		if mapped {
			s.ConsentPurposes = []string{"surveys"}
		}
		d, err := integrations.Shopify.Read(integrationstest.Shopify(secret, topic, "fuzz-1", body), body, s, received)
		checkDelivery(t, d, err, s)
	})
}

func FuzzWooCommerce(f *testing.F) {
	f.Add(fixture(f, "woocommerce/order-created.json"), "order.created", true)
	f.Add([]byte(`{"id":2,"email":"a@b.co","first_name":"A"}`), "customer.created", false)
	f.Add([]byte(`webhook_id=12`), "", false)
	f.Fuzz(func(t *testing.T, body []byte, topic string, mapped bool) {
		s := integrations.Settings{Secret: secret, Topics: integrations.WooCommerce.Topics, MarketingField: "_mailpoet_wc_optin"}
		if mapped {
			s.ConsentPurposes = []string{"surveys"}
		}
		h := integrationstest.WooCommerce(secret, topic, "fuzz-1", body)
		if topic == "" {
			h = http.Header{} // the ping's shape
		}
		d, err := integrations.WooCommerce.Read(h, body, s, received)
		checkDelivery(t, d, err, s)
	})
}

func FuzzStripe(f *testing.F) {
	f.Add(fixture(f, "stripe/checkout-session-completed.json"), int64(0), true)
	f.Add(fixture(f, "stripe/charge-succeeded.json"), int64(-10), false)
	f.Add([]byte(`{"id":"evt_1","type":"checkout.session.completed","data":{"object":{"id":"cs_1","created":1}}}`), int64(400), true)
	f.Fuzz(func(t *testing.T, body []byte, skew int64, mapped bool) {
		s := integrations.Settings{Secret: secret, Topics: integrations.Stripe.Topics}
		if mapped {
			s.ConsentPurposes = []string{"surveys"}
		}
		signedAt := received.Add(time.Duration(skew) * time.Second)
		d, err := integrations.Stripe.Read(integrationstest.Stripe(signedAt, body, secret), body, s, received)
		checkDelivery(t, d, err, s)
		if err == nil && (skew > 300 || skew < -300) {
			t.Fatalf("signature %ds off accepted", skew)
		}
	})
}
