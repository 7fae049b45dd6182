package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/integrations"
)

func TestIntegrationsSection(t *testing.T) {
	c := mustParse(t, "courtesy.yaml", minimal+`integrations:
  shopify:
    consent_purposes: [reminders]
    topics: [orders/create, orders/paid]
  woocommerce:
    consent_purposes: [birthday, reminders]
    marketing_field: _mailpoet_wc_optin
`)
	want := Integrations{
		Shopify: integrations.Settings{ConsentPurposes: []string{"reminders"}, Topics: []string{"orders/create", "orders/paid"}},
		WooCommerce: integrations.Settings{ConsentPurposes: []string{"birthday", "reminders"},
			MarketingField: "_mailpoet_wc_optin"},
	}
	if diff := cmp.Diff(want, c.Integrations); diff != "" {
		t.Errorf("integrations (-want +got):\n%s", diff)
	}
	if on := c.Integrations.On(); len(on) != 0 {
		t.Errorf("On() without secrets = %v, want none", on)
	}
	err := c.ApplyEnv(func(k string) string {
		return map[string]string{"COURTESY_SHOPIFY_SECRET": "shpss_0123456789abcdef0123456789abcdef",
			"COURTESY_STRIPE_SECRET": "whsec_0123456789abcdefghijklmnopqrstuv"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"shopify", "stripe"}, c.Integrations.On()); diff != "" {
		t.Errorf("On() (-want +got):\n%s", diff)
	}
}

func TestIntegrationsErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown purpose", "integrations:\n  shopify:\n    consent_purposes: [surveys]\n",
			[]string{`courtesy.yaml:12: integrations.shopify.consent_purposes[0]: "surveys" is not one of the purposes (birthday, reminders)`}},
		{"unknown topic", "integrations:\n  stripe:\n    topics: [invoice.paid]\n",
			[]string{`courtesy.yaml:12: integrations.stripe.topics[0]: "invoice.paid" is not a stripe topic courtesy takes (checkout.session.completed, checkout.session.async_payment_succeeded, charge.succeeded)`}},
		{"secret in the file", "integrations:\n  woocommerce:\n    secret: abc\n",
			[]string{`courtesy.yaml:12: integrations.woocommerce.secret: webhook secrets are secrets: set COURTESY_WOOCOMMERCE_SECRET in the environment, not the file`}},
		{"woocommerce purposes without a field", "integrations:\n  woocommerce:\n    consent_purposes: [birthday]\n",
			[]string{`courtesy.yaml:12: integrations.woocommerce.consent_purposes: needs marketing_field: WooCommerce has no marketing checkbox of its own; name the order meta_data key your checkout plugin keeps it under`}},
		{"unknown platform", "integrations:\n  etsy: {}\n",
			[]string{`courtesy.yaml:11: integrations.etsy: unknown key (known: shopify, stripe, woocommerce)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("courtesy.yaml", []byte(minimal+tt.yaml))
			var ds courtesy.Diagnostics
			if !errors.As(err, &ds) {
				t.Fatalf("Parse error = %v, want Diagnostics", err)
			}
			if diff := cmp.Diff(tt.want, ds.Strings()); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}

func TestShortWebhookSecretIsRefused(t *testing.T) {
	c := mustParse(t, "courtesy.yaml", minimal)
	err := c.ApplyEnv(func(k string) string {
		return map[string]string{"COURTESY_WOOCOMMERCE_SECRET": "hunter2", "REDIS_URL": "redis://10.0.0.1:6379/0"}[k]
	})
	if err == nil || !strings.HasPrefix(err.Error(), "COURTESY_WOOCOMMERCE_SECRET: 7 characters") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("ApplyEnv error = %v, want one naming the variable and not the secret", err)
	}
	if c.Integrations.WooCommerce.Secret != "" {
		t.Error("a short secret turned WooCommerce on")
	}
	if c.Redis.URL != "redis://10.0.0.1:6379/0" {
		t.Error("the other variables were not applied")
	}
}

func TestStripeBothTopicsIsAWarning(t *testing.T) {
	c := mustParse(t, "courtesy.yaml", minimal+"integrations:\n  stripe:\n    topics: [checkout.session.completed, charge.succeeded]\n")
	want := []string{"courtesy.yaml:12: integrations.stripe.topics: a Checkout payment also sends charge.succeeded: with both topics it counts as two purchases"}
	if diff := cmp.Diff(want, c.Warnings().Strings()); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}
