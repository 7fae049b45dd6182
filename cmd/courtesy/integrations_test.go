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
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/integrations/integrationstest"
	"github.com/courtesyhq/courtesy/mailer/mailtest"
)

const shopifySecret = "shpss_0123456789abcdef0123456789abcdef"

// TestShopifyWebhookAsWired turns Shopify on as an owner does — a secret
// in the environment, the flag mapped in the file — and posts a signed
// order to the web server the web command builds; doctor says it is on.
func TestShopifyWebhookAsWired(t *testing.T) {
	cfg, env := bakeryShop(t, mailtest.NewSink(t).URL())
	mapShopifyToSurveys(t, cfg)

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

	a := loadApp(t, cfg, env)
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

// TestImportShopifyExport imports Shopify's own customer export as an
// owner would: customers land under the ids Shopify's webhooks give them,
// the marketing column grants the mapped purpose, and never over a word the
// ledger already has.
func TestImportShopifyExport(t *testing.T) {
	cfg, env := bakeryShop(t, mailtest.NewSink(t).URL())
	mapShopifyToSurveys(t, cfg)
	export := filepath.Join("..", "..", "csvimport", "testdata", "platforms", "shopify-customers.csv")

	// Ada unsubscribed from surveys through courtesy before the export is
	// imported; the export still says yes.
	db, err := loadApp(t, cfg, env).store()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if errs, err := db.UpsertCustomers(ctx, []courtesy.Customer{{ID: "c-ada", Email: "ada@example.org", Timezone: "Europe/London"}}); err != nil || errs[0] != nil {
		t.Fatal(err, errs)
	}
	if _, err := db.Withdraw(ctx, courtesy.ConsentRecord{CustomerID: "c-ada", Purpose: "surveys", Source: "one-click",
		RecordedAt: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)}, courtesy.OptOut{}); err != nil {
		t.Fatal(err)
	}

	r := runCmd(t, env, "import", "customers", "--from", "shopify", export, "--config", cfg)
	if r.code != exitUsage || !strings.Contains(r.out, "2 customers imported, 2 rows skipped") ||
		!strings.Contains(r.err, `shopify-customers.csv:5: accepts email marketing: "maybe" is not yes or no`) {
		t.Fatalf("import: exit %d\n%s\n%s", r.code, r.out, r.err)
	}
	ada, err := db.Customer(ctx, "c-ada")
	if err != nil || ada.FirstName != "Ada" || ada.Timezone != "Europe/London" {
		t.Errorf("Ada, known by address: %+v, %v", ada, err)
	}
	if l, _ := db.ConsentHistory(ctx, "c-ada"); len(l) != 1 || l[0].Status != courtesy.Withdrawn {
		t.Errorf("Ada's ledger after the export said yes: %+v", l)
	}
	if _, err := db.Customer(ctx, "shopify-207119551"); err != nil {
		t.Errorf("Charles: %v", err)
	}
	if l, _ := db.ConsentHistory(ctx, "shopify-207119551"); len(l) != 0 {
		t.Errorf("Charles said no and got %+v", l)
	}

	// A new yes is granted, once however often the file is imported.
	yes := filepath.Join(t.TempDir(), "customers_export.csv")
	if err := os.WriteFile(yes, []byte("Customer ID,First Name,Last Name,Email,Accepts Email Marketing\n'301,Hedy,Lamarr,hedy@example.org,yes\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		mustRun(t, env, "import", "customers", "--from", "shopify", yes, "--config", cfg)
	}
	l, _ := db.ConsentHistory(ctx, "shopify-301")
	if len(l) != 1 || l[0].Purpose != "surveys" || l[0].Source != "shopify" || l[0].Notice != "Shopify customer export: Accepts Email Marketing = yes" {
		t.Errorf("Hedy's ledger = %+v", l)
	}

	if r := runCmd(t, env, "import", "events", "--from", "shopify", yes, "--config", cfg); r.code != exitUsage {
		t.Errorf("--from with events: exit %d", r.code)
	}
}

// mapShopifyToSurveys maps Shopify's marketing flag to the surveys purpose
// in the config file.
func mapShopifyToSurveys(t *testing.T, cfg string) {
	t.Helper()
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("integrations:\n  shopify:\n    consent_purposes: [surveys]\n"); err != nil {
		t.Fatal(err)
	}
}
