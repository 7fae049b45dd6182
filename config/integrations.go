package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/courtesyhq/courtesy/integrations"
	"github.com/courtesyhq/courtesy/internal/yamlnode"
)

// Integrations are the shop platforms whose webhooks courtesy takes. A
// platform is on when its secret is set in the environment; the file says
// only what its deliveries mean.
type Integrations struct {
	// Shopify is integrations.shopify. Defaults to off.
	Shopify integrations.Settings
	// WooCommerce is integrations.woocommerce. Defaults to off.
	WooCommerce integrations.Settings
	// Stripe is integrations.stripe. Defaults to off.
	Stripe integrations.Settings
}

// MinWebhookSecret is the shortest webhook secret accepted. The platforms
// generate 32 characters or more; WooCommerce also lets the owner type
// one, and a short one could be guessed.
const MinWebhookSecret = 16

// IntegrationSecrets names the variable that holds each platform's
// secret, in the order the platforms are shown.
var IntegrationSecrets = []struct{ Platform, Env string }{
	{integrations.Shopify.Name, "COURTESY_SHOPIFY_SECRET"},
	{integrations.WooCommerce.Name, "COURTESY_WOOCOMMERCE_SECRET"},
	{integrations.Stripe.Name, "COURTESY_STRIPE_SECRET"},
}

// Platform returns the settings of the platform called name.
func (in *Integrations) Platform(name string) *integrations.Settings {
	switch name {
	case integrations.Shopify.Name:
		return &in.Shopify
	case integrations.WooCommerce.Name:
		return &in.WooCommerce
	case integrations.Stripe.Name:
		return &in.Stripe
	}
	return nil
}

// On lists the platforms whose secret is set, in a stable order.
func (in *Integrations) On() []string {
	var out []string
	for _, e := range IntegrationSecrets {
		if in.Platform(e.Platform).Secret != "" {
			out = append(out, e.Platform)
		}
	}
	return out
}

// decodeIntegrations reads the integrations section: per platform, the
// purposes its marketing flag maps to, the topics taken and, for
// WooCommerce, the field its checkout plugin keeps the flag in.
func (c *Config) decodeIntegrations(root *yamlnode.Map) {
	im := root.Sub("integrations")
	for _, e := range IntegrationSecrets {
		p := integrations.Platforms[e.Platform]
		s := c.Integrations.Platform(e.Platform)
		pm := im.Sub(e.Platform)
		s.ConsentPurposes, _ = pm.Strings("consent_purposes", func(_ int, v string) error {
			if _, ok := c.Purpose(v); !ok {
				return fmt.Errorf("%q is not one of the purposes (%s)", v, strings.Join(c.PurposeNames(), ", "))
			}
			return nil
		})
		s.Topics, _ = pm.Strings("topics", func(_ int, v string) error {
			if !slices.Contains(p.Topics, v) {
				return fmt.Errorf("%q is not a %s topic courtesy takes (%s)", v, p.Name, strings.Join(p.Topics, ", "))
			}
			return nil
		})
		if e.Platform == integrations.WooCommerce.Name {
			pm.String("marketing_field", &s.MarketingField)
		}
		pm.Node("secret") // known, so that it is refused below with a reason rather than as a typo
		pm.Close()
		if k := pm.KeyNode("secret"); k != nil {
			root.Doc().Errorf(k, pm.Field("secret"), "webhook secrets are secrets: set %s in the environment, not the file", e.Env)
		}
		if e.Platform == integrations.WooCommerce.Name && len(s.ConsentPurposes) > 0 && s.MarketingField == "" {
			if k := pm.KeyNode("consent_purposes"); k != nil {
				root.Doc().Errorf(k, pm.Field("consent_purposes"), "needs marketing_field: WooCommerce has no marketing "+
					"checkbox of its own; name the order meta_data key your checkout plugin keeps it under")
			}
		}
		if e.Platform == integrations.Stripe.Name && slices.Contains(s.Topics, "charge.succeeded") &&
			slices.Contains(s.Topics, "checkout.session.completed") {
			if k := pm.KeyNode("topics"); k != nil {
				root.Doc().Warnf(k, pm.Field("topics"), "a Checkout payment also sends charge.succeeded: "+
					"with both topics it counts as two purchases")
			}
		}
	}
	im.Close()
}

// applyIntegrationsEnv takes the platforms' secrets from the environment,
// refusing one too short to keep a stranger from signing deliveries.
func (c *Config) applyIntegrationsEnv(getenv func(string) string) error {
	var errs []error
	for _, e := range IntegrationSecrets {
		v := strings.TrimSpace(getenv(e.Env))
		if v == "" {
			continue
		}
		if len(v) < MinWebhookSecret {
			errs = append(errs, fmt.Errorf("%s: %d characters; a webhook secret needs at least %d (paste the one the platform generated)",
				e.Env, len(v), MinWebhookSecret))
			continue
		}
		c.Integrations.Platform(e.Platform).Secret = v
	}
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}
