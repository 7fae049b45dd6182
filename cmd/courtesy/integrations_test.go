package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/courtesyhq/courtesy/integrations/integrationstest"
	"github.com/courtesyhq/courtesy/mailer/mailtest"
)

const shopifySecret = "shpss_0123456789abcdef0123456789abcdef"

// TestShopifyWebhookAsWired turns Shopify on as an owner does — a secret
// in the environment, the flag mapped in the file — and posts a signed
// order to the web server the web command builds; doctor says it is on.
func TestShopifyWebhookAsWired(t *testing.T) {
	cfg, env := bakeryShop(t, mailtest.NewSink(t).URL())
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("integrations:\n  shopify:\n    consent_purposes: [surveys]\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()

	off := mustRun(t, env, "doctor", "--config", cfg)
	if !strings.Contains(off.out, "shopify: off (set COURTESY_SHOPIFY_SECRET to turn it on)") {
		t.Errorf("doctor without the secret:\n%s", off.out)
	}
	env["COURTESY_SHOPIFY_SECRET"] = shopifySecret
	on := mustRun(t, env, "doctor", "--config", cfg)
	for _, want := range []string{
		"shopify: on: POST https://crumb.example/hooks/shopify takes orders/create, customers/create, customers/update; its marketing flag grants and withdraws surveys",
		"stripe: off (set COURTESY_STRIPE_SECRET to turn it on)",
	} {
		if !strings.Contains(on.out, want) {
			t.Errorf("doctor lacks %q:\n%s", want, on.out)
		}
	}

	inv := &invocation{ctx: context.Background(), stdio: stdio{out: &bytes.Buffer{}, err: &bytes.Buffer{}},
		getenv: func(k string) string { return env[k] }, config: cfg, logLevel: "error"}
	a, err := inv.load()
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	srv, err := a.webServer()
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler)
	defer ts.Close()
	body, err := os.ReadFile(filepath.Join("..", "..", "integrations", "testdata", "shopify", "orders-create.json"))
	if err != nil {
		t.Fatal(err)
	}
	post := func(platform string, h http.Header) int {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/hooks/"+platform, bytes.NewReader(body))
		req.Header = h
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if code := post("shopify", integrationstest.Shopify(shopifySecret, "orders/create", "w-1", body)); code != http.StatusOK {
		t.Fatalf("signed Shopify order: %d", code)
	}
	if code := post("stripe", integrationstest.Stripe(a.now(), body, "whsec_0123456789abcdefghij")); code != http.StatusNotFound {
		t.Errorf("Stripe, not turned on: %d, want 404", code)
	}
	c, err := a.db.Customer(context.Background(), "shopify-115310627314723954")
	if err != nil || c.Email != "ada@example.org" {
		t.Errorf("customer from the webhook: %+v, %v", c, err)
	}
}
