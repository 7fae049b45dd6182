package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/integrations"
	"github.com/courtesyhq/courtesy/integrations/integrationstest"
)

const (
	shopSecret   = "shpss_0123456789abcdef0123456789abcdef"
	wooSecret    = "ck_woo_secret_0123456789abcdefghij"
	stripeSecret = "whsec_0123456789abcdefghijklmnopqrstuv"
	shopBuyer    = "shopify-115310627314723954"
)

func platformFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("..", "integrations", "testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// withPlatforms turns the three platforms on, Shopify's and Stripe's
// marketing flags mapped to surveys.
func withPlatforms(shopPurposes ...string) envOption {
	return func(c *Config, _ *Deps) {
		c.Integrations = map[string]integrations.Settings{
			"shopify":     {Secret: shopSecret, ConsentPurposes: shopPurposes},
			"woocommerce": {Secret: wooSecret},
			"stripe":      {Secret: stripeSecret, ConsentPurposes: []string{"surveys"}},
		}
	}
}

func (e *env) deliver(platform string, h http.Header, body []byte) response {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/hooks/"+platform, bytes.NewReader(body))
	req.Header = h
	return e.do(req)
}

func (e *env) shopifyOrder(id string) response {
	e.t.Helper()
	body := platformFixture(e.t, "shopify/orders-create.json")
	return e.deliver("shopify", integrationstest.Shopify(shopSecret, "orders/create", id, body), body)
}

// held is what the store holds about a platform's customer.
type held struct {
	Events   []courtesy.Event
	Consents []courtesy.ConsentRecord
}

func (e *env) heldAbout(customerID string) held {
	e.t.Helper()
	ctx := context.Background()
	evs, err := e.st.CustomerEvents(ctx, customerID)
	if err != nil {
		e.t.Fatal(err)
	}
	recs, err := e.st.ConsentHistory(ctx, customerID)
	if err != nil {
		e.t.Fatal(err)
	}
	return held{evs, recs}
}

func recorded(tb testing.TB, r response) deliveryResult {
	tb.Helper()
	if r.code != http.StatusOK {
		tb.Fatalf("delivery answered %d: %s", r.code, r.body)
	}
	var out deliveryResult
	if err := json.Unmarshal([]byte(r.body), &out); err != nil {
		tb.Fatal(err)
	}
	return out
}

func TestPlatformWithoutSecretIsNotThere(t *testing.T) {
	e := newEnv(t)
	if r := e.shopifyOrder("w-1"); r.code != http.StatusNotFound {
		t.Errorf("Shopify off: %d, want 404", r.code)
	}
	if _, err := e.st.Customer(context.Background(), shopBuyer); !errors.Is(err, courtesy.ErrNotFound) {
		t.Errorf("a platform that is off recorded a customer: %v", err)
	}
}

func TestPlatformDeliveryIsRecordedOnce(t *testing.T) {
	for _, backend := range []struct {
		name string
		opt  func(*testing.T) envOption
	}{
		{"sqlite", func(*testing.T) envOption { return func(*Config, *Deps) {} }},
		{"postgres", onPostgres},
	} {
		t.Run(backend.name, func(t *testing.T) {
			e := newEnv(t, backend.opt(t), withPlatforms("surveys"))
			if out := recorded(t, e.shopifyOrder("b54557e4-bdd9")); !out.Recorded {
				t.Fatalf("first delivery not recorded: %+v", out)
			}
			c, err := e.st.Customer(context.Background(), shopBuyer)
			if err != nil || c.Email != "ada@example.org" || c.FirstName != "Ada" || c.LastName != "Lovelace" {
				t.Fatalf("customer = %+v, %v", c, err)
			}
			first := e.heldAbout(shopBuyer)
			if len(first.Events) != 2 || first.Events[0].Type != courtesy.Purchase || first.Events[0].OrderID != "820982911946154508" ||
				first.Events[0].AmountCents+first.Events[1].AmountCents != 1650 {
				t.Errorf("events = %+v", first.Events)
			}
			if len(first.Consents) != 1 || first.Consents[0].Source != "shopify" || first.Consents[0].Basis != "consent" ||
				!consent.Current(first.Consents, "surveys", e.clock.Now()).Granted {
				t.Errorf("consent = %+v", first.Consents)
			}
			// Shopify missed the 200 and delivers again.
			if out := recorded(t, e.shopifyOrder("b54557e4-bdd9")); out.Recorded || !out.Duplicate {
				t.Errorf("second delivery = %+v, want a duplicate", out)
			}
			if again := e.heldAbout(shopBuyer); len(again.Events) != 2 || len(again.Consents) != 1 {
				t.Errorf("after the retry: %d events, %d consent records", len(again.Events), len(again.Consents))
			}
		})
	}
}

func TestConcurrentRetriesRecordOnce(t *testing.T) {
	e := newEnv(t, onPostgres(t), withPlatforms("surveys"))
	var wg sync.WaitGroup
	outs := make(chan deliveryResult, 8)
	for range 8 {
		wg.Go(func() { outs <- recorded(t, e.shopifyOrder("same-delivery")) })
	}
	wg.Wait()
	close(outs)
	n := 0
	for out := range outs {
		if out.Recorded {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d of 8 concurrent deliveries recorded, want 1", n)
	}
	if h := e.heldAbout(shopBuyer); len(h.Events) != 2 || len(h.Consents) != 1 {
		t.Errorf("%d events, %d consent records", len(h.Events), len(h.Consents))
	}
}

func TestRefusedDeliveriesRecordNothing(t *testing.T) {
	var logs syncBuffer
	e := newEnv(t, withPlatforms("surveys"), func(c *Config, _ *Deps) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	shop := platformFixture(t, "shopify/orders-create.json")
	stripe := platformFixture(t, "stripe/checkout-session-completed.json")
	woo := platformFixture(t, "woocommerce/order-created.json")
	half := func(b []byte) []byte { return b[:len(b)/2] }
	now := e.clock.Now()
	big := append(bytes.Repeat([]byte(" "), 64<<10), shop...)
	tests := []struct {
		name     string
		platform string
		h        http.Header
		body     []byte
		code     int
		logged   string
	}{
		{"shopify, wrong secret", "shopify", integrationstest.Shopify("shpss_not_the_secret_0123456789", "orders/create", "1", shop), shop, 401, "signature does not match"},
		{"shopify, truncated on the way", "shopify", integrationstest.Shopify(shopSecret, "orders/create", "2", shop), half(shop), 401, "signature does not match"},
		{"shopify, truncated and signed", "shopify", integrationstest.Shopify(shopSecret, "orders/create", "3", half(shop)), half(shop), 400, "not the documented JSON"},
		{"shopify, over the size limit", "shopify", integrationstest.Shopify(shopSecret, "orders/create", "4", big), big, 413, ""},
		{"stripe, stale timestamp", "stripe", integrationstest.Stripe(now.Add(-6*time.Minute), stripe, stripeSecret), stripe, 401, "past the 5m0s tolerance"},
		{"stripe, wrong secret", "stripe", integrationstest.Stripe(now, stripe, "whsec_not_the_secret_0123456789"), stripe, 401, "no v1 signature"},
		{"woocommerce, unsigned order", "woocommerce", http.Header{"X-Wc-Webhook-Topic": {"order.created"}}, woo, 401, "no signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.deliver(tt.platform, tt.h, tt.body)
			if r.code != tt.code {
				t.Errorf("answered %d, want %d: %s", r.code, tt.code, r.body)
			}
			if tt.logged != "" && !strings.Contains(logs.String(), tt.logged) {
				t.Errorf("the log does not say %q:\n%s", tt.logged, logs.String())
			}
		})
	}
	ctx := context.Background()
	for _, addr := range []string{"ada@example.org", "katherine@example.com", "grace.hopper@example.com"} {
		if c, err := e.st.CustomerByEmail(ctx, addr); !errors.Is(err, courtesy.ErrNotFound) {
			t.Errorf("a refused delivery recorded %s: %+v, %v", addr, c, err)
		}
	}
	// None of them used up the delivery id: the genuine delivery is taken.
	if out := recorded(t, e.shopifyOrder("1")); !out.Recorded {
		t.Errorf("the genuine delivery after the refused ones = %+v", out)
	}
}

func TestMarketingFlagIsConsentOnlyWhenMapped(t *testing.T) {
	e := newEnv(t, withPlatforms()) // Shopify's flag mapped to nothing
	recorded(t, e.shopifyOrder("w-1"))
	h := e.heldAbout(shopBuyer)
	if len(h.Events) != 2 {
		t.Fatalf("events = %+v, want the purchase of two products", h.Events)
	}
	if len(h.Consents) != 0 {
		t.Errorf("consent invented from an unmapped flag: %+v", h.Consents)
	}
}

func TestPlatformUnsubscribeWithdrawsMappedPurposes(t *testing.T) {
	e := newEnv(t, withPlatforms("surveys"))
	recorded(t, e.shopifyOrder("w-1"))
	body := platformFixture(t, "shopify/customers-update.json")
	recorded(t, e.deliver("shopify", integrationstest.Shopify(shopSecret, "customers/update", "w-2", body), body))
	h := e.heldAbout(shopBuyer)
	if st := consent.Current(h.Consents, "surveys", e.clock.Now()); st.Granted || st.Relied.Source != "shopify" {
		t.Errorf("after Shopify's unsubscribed: %+v", st)
	}
	// The older "subscribed" of a late order/create retry cannot undo it.
	recorded(t, e.shopifyOrder("w-3"))
	after := e.heldAbout(shopBuyer).Consents
	if consent.Current(after, "surveys", e.clock.Now()).Granted || len(after) != 2 {
		t.Errorf("an older subscribed flag after the unsubscribe: ledger %+v", after)
	}
}

func TestStripeAndWooCommerceDeliveries(t *testing.T) {
	e := newEnv(t, withPlatforms("surveys"))
	ping, h := integrationstest.WooCommercePing(12)
	if out := recorded(t, e.deliver("woocommerce", h, ping)); out.Recorded {
		t.Errorf("the ping recorded something: %+v", out)
	}
	woo := platformFixture(t, "woocommerce/order-created.json")
	recorded(t, e.deliver("woocommerce", integrationstest.WooCommerce(wooSecret, "order.created", "d-1", woo), woo))
	if h := e.heldAbout("woocommerce-26"); len(h.Events) != 2 || len(h.Consents) != 0 {
		t.Errorf("WooCommerce order, no marketing field: %+v", h)
	}
	stripe := platformFixture(t, "stripe/checkout-session-completed.json")
	sh := integrationstest.Stripe(e.clock.Now(), stripe, "whsec_old_secret_0123456789", stripeSecret)
	recorded(t, e.deliver("stripe", sh, stripe))
	got := e.heldAbout("stripe-cus_RkLmNoPqRsTuVw")
	if len(got.Events) != 1 || got.Events[0].AmountCents != 4200 || !consent.Current(got.Consents, "surveys", e.clock.Now()).Granted {
		t.Errorf("Stripe checkout: %+v", got)
	}
	if out := recorded(t, e.deliver("stripe", sh, stripe)); !out.Duplicate {
		t.Errorf("the same Stripe event again = %+v, want a duplicate", out)
	}
}
