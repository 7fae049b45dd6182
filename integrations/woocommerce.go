package integrations

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/courtesyhq/courtesy"
)

// WooCommerce takes order.created (and customer.created|updated where
// configured) webhooks, signed in X-WC-Webhook-Signature with the secret
// typed or generated when the webhook is saved, and deduplicated by
// X-WC-Webhook-Delivery-ID. When a webhook is saved WooCommerce sends an
// unsigned ping, "webhook_id=N", and keeps the webhook only if it is
// answered with a 2xx: that ping is answered and records nothing.
var WooCommerce = Platform{
	Name:          "woocommerce",
	DefaultTopics: wooDefaults,
	Topics:        []string{"order.created", "order.updated", "customer.created", "customer.updated"},
	verify: func(secret []byte, h http.Header, body []byte, _ time.Time) error {
		if isWooPing(h, body) {
			return nil
		}
		return verifyBase64HMAC(secret, h.Get("X-WC-Webhook-Signature"), body)
	},
	parse: parseWooCommerce,
}

var (
	wooDefaults = []string{"order.created"}
	wooPing     = regexp.MustCompile(`^webhook_id=[0-9]{1,20}$`)
)

// isWooPing reports whether a delivery is the ping of a webhook being
// saved: no signature, no topic, and a body of webhook_id=N alone.
func isWooPing(h http.Header, body []byte) bool {
	return h.Get("X-WC-Webhook-Signature") == "" && h.Get("X-WC-Webhook-Topic") == "" && wooPing.Match(body)
}

type wooCustomer struct {
	ID        json.RawMessage `json:"id"`
	Email     string          `json:"email"`
	FirstName string          `json:"first_name"`
	LastName  string          `json:"last_name"`
}

type wooOrder struct {
	ID             json.RawMessage `json:"id"`
	Status         string          `json:"status"`
	Currency       string          `json:"currency"`
	DateCreatedGMT string          `json:"date_created_gmt"`
	Total          string          `json:"total"`
	CustomerID     json.RawMessage `json:"customer_id"`
	Billing        struct {
		FirstName string `json:"first_name"`
		LastName  string `json:"last_name"`
		Email     string `json:"email"`
	} `json:"billing"`
	LineItems []struct {
		ProductID json.RawMessage `json:"product_id"`
		Name      string          `json:"name"`
	} `json:"line_items"`
	MetaData []struct {
		Key   string          `json:"key"`
		Value json.RawMessage `json:"value"`
	} `json:"meta_data"`
}

// wooTime reads WooCommerce's *_gmt times, written without a zone.
func wooTime(field, s string) (time.Time, error) {
	t, err := time.Parse("2006-01-02T15:04:05", strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, malformed("%s: %q is not a time", field, s)
	}
	return t, nil
}

func parseWooCommerce(h http.Header, body []byte, s Settings, now time.Time) (courtesy.Delivery, error) {
	if isWooPing(h, body) {
		return courtesy.Delivery{}, nil
	}
	topic := h.Get("X-WC-Webhook-Topic")
	if !takes(s, wooDefaults, topic) {
		return courtesy.Delivery{}, nil
	}
	deliveryID, err := needID("X-WC-Webhook-Delivery-ID", h.Get("X-WC-Webhook-Delivery-ID"))
	if err != nil {
		return courtesy.Delivery{}, err
	}
	d := courtesy.Delivery{ID: deliveryID}
	if strings.HasPrefix(topic, "customer.") {
		var c wooCustomer
		if err := decode(body, &c); err != nil {
			return d, err
		}
		email, err := address("email", c.Email)
		if err != nil {
			return d, err
		}
		if id(c.ID) == "" {
			return d, malformed("customer has no id")
		}
		d.Customer = person(id(c.ID), email, c.FirstName, c.LastName)
		return d, nil
	}
	var o wooOrder
	if err := decode(body, &o); err != nil {
		return d, err
	}
	orderID := id(o.ID)
	if orderID == "" {
		return d, malformed("order has no id")
	}
	created, err := wooTime("date_created_gmt", o.DateCreatedGMT)
	if err == nil {
		created, err = when("date_created_gmt", created, now)
	}
	if err != nil {
		return d, err
	}
	email, err := address("billing.email", o.Billing.Email)
	if err != nil {
		return d, err
	}
	d.Customer = person(id(o.CustomerID), email, o.Billing.FirstName, o.Billing.LastName)
	if d.Customer == nil {
		return d, nil
	}
	if s.MarketingField != "" {
		for _, m := range o.MetaData {
			if m.Key == s.MarketingField && truthy(m.Value) {
				notice := fmt.Sprintf("WooCommerce checkout field %s: %s", m.Key, strings.Trim(string(m.Value), `"`))
				d.Consents = flagConsents(s, courtesy.Granted, notice, created, now)
			}
		}
	}
	if o.Status == "failed" || o.Status == "cancelled" || o.Status == "pending" {
		return d, nil // not a purchase, yet or at all
	}
	amount, err := decimalCents("total", o.Total)
	if err != nil {
		return d, err
	}
	var items []lineItem
	for _, li := range o.LineItems {
		items = append(items, lineItem{ProductID: id(li.ProductID), Title: li.Name})
	}
	d.Events = purchase(orderID, amount, created, items)
	return d, nil
}

// truthy reads a checkbox as checkout plugins store it. An unticked box is
// not a withdrawal: the person was only not asked, or said nothing.
func truthy(raw json.RawMessage) bool {
	switch strings.ToLower(strings.Trim(strings.TrimSpace(string(raw)), `"`)) {
	case "1", "yes", "true", "on", "checked", "subscribed":
		return true
	}
	return false
}
