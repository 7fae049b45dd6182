// Package integrationstest signs deliveries the way Shopify, WooCommerce
// and Stripe sign them, for tests and load generators that play the
// platform against a courtesy server.
package integrationstest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

func mac(secret string, parts ...string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	for _, p := range parts {
		m.Write([]byte(p))
	}
	return m.Sum(nil)
}

// Shopify returns the headers Shopify sends with a webhook of topic whose
// id (X-Shopify-Webhook-Id) is id.
func Shopify(secret, topic, id string, body []byte) http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("X-Shopify-Topic", topic)
	h.Set("X-Shopify-Hmac-Sha256", base64.StdEncoding.EncodeToString(mac(secret, string(body))))
	h.Set("X-Shopify-Shop-Domain", "crumb-and-co.myshopify.com")
	h.Set("X-Shopify-API-Version", "2025-01")
	h.Set("X-Shopify-Webhook-Id", id)
	h.Set("X-Shopify-Triggered-At", "2026-11-20T15:15:01.123456789Z")
	return h
}

// WooCommerce returns the headers WooCommerce sends with a webhook of topic
// ("order.created") whose delivery id is id.
func WooCommerce(secret, topic, id string, body []byte) http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "WooCommerce/9.4.2 Hookshot (WordPress/6.7.1)")
	h.Set("X-WC-Webhook-Source", "https://shop.example/")
	h.Set("X-WC-Webhook-Topic", topic)
	resource, event, _ := strings.Cut(topic, ".")
	h.Set("X-WC-Webhook-Resource", resource)
	h.Set("X-WC-Webhook-Event", event)
	h.Set("X-WC-Webhook-Signature", base64.StdEncoding.EncodeToString(mac(secret, string(body))))
	h.Set("X-WC-Webhook-ID", "12")
	h.Set("X-WC-Webhook-Delivery-ID", id)
	return h
}

// WooCommercePing returns the body and headers of the ping WooCommerce
// sends, unsigned, when a webhook is saved.
func WooCommercePing(webhookID int) ([]byte, http.Header) {
	h := http.Header{}
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	h.Set("User-Agent", "WooCommerce/9.4.2 Hookshot (WordPress/6.7.1)")
	return []byte(fmt.Sprintf("webhook_id=%d", webhookID)), h
}

// Stripe returns the headers Stripe sends with an event signed at t with
// each of the secrets (two while a secret is rolled).
func Stripe(t time.Time, body []byte, secrets ...string) http.Header {
	ts := strconv.FormatInt(t.Unix(), 10)
	sig := "t=" + ts
	for _, s := range secrets {
		sig += ",v1=" + hex.EncodeToString(mac(s, ts, ".", string(body)))
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
	h.Set("Stripe-Signature", sig)
	return h
}
