package integrations

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/courtesyhq/courtesy"
)

// Shopify takes orders/create (and orders/paid where configured) and
// customers/create|update webhooks, signed in X-Shopify-Hmac-Sha256 with the
// app's client secret, or the key Settings > Notifications > Webhooks shows,
// and deduplicated by X-Shopify-Webhook-Id, which Shopify repeats when it
// retries.
var Shopify = Platform{
	Name:          "shopify",
	DefaultTopics: shopifyDefaults,
	Topics:        []string{"orders/create", "orders/paid", "customers/create", "customers/update"},
	verify: func(secret []byte, h http.Header, body []byte, _ time.Time) error {
		return verifyBase64HMAC(secret, h.Get("X-Shopify-Hmac-Sha256"), body)
	},
	parse: parseShopify,
}

var shopifyDefaults = []string{"orders/create", "customers/create", "customers/update"}

type shopifyConsent struct {
	State            string    `json:"state"`
	OptInLevel       string    `json:"opt_in_level"`
	ConsentUpdatedAt time.Time `json:"consent_updated_at"`
}

type shopifyCustomer struct {
	ID                    json.RawMessage `json:"id"`
	Email                 string          `json:"email"`
	FirstName             string          `json:"first_name"`
	LastName              string          `json:"last_name"`
	EmailMarketingConsent *shopifyConsent `json:"email_marketing_consent"`
}

type shopifyOrder struct {
	ID        json.RawMessage  `json:"id"`
	Email     string           `json:"email"`
	CreatedAt time.Time        `json:"created_at"`
	Currency  string           `json:"currency"`
	Total     string           `json:"total_price"`
	Customer  *shopifyCustomer `json:"customer"`
	Billing   *struct {
		FirstName string `json:"first_name"`
		LastName  string `json:"last_name"`
	} `json:"billing_address"`
	LineItems []struct {
		ProductID json.RawMessage `json:"product_id"`
		Title     string          `json:"title"`
	} `json:"line_items"`
}

func parseShopify(h http.Header, body []byte, s Settings, now time.Time) (courtesy.Delivery, error) {
	topic := h.Get("X-Shopify-Topic")
	if !takes(s, shopifyDefaults, topic) {
		return courtesy.Delivery{}, nil
	}
	deliveryID, err := needID("X-Shopify-Webhook-Id", h.Get("X-Shopify-Webhook-Id"))
	if err != nil {
		return courtesy.Delivery{}, err
	}
	d := courtesy.Delivery{ID: deliveryID}
	switch topic {
	case "customers/create", "customers/update":
		var c shopifyCustomer
		if err := decode(body, &c); err != nil {
			return d, err
		}
		if id(c.ID) == "" {
			return d, malformed("customer has no id")
		}
		d.Customer, d.Consents, err = shopifyPerson(c, "email", s, now)
		return d, err
	}
	var o shopifyOrder
	if err := decode(body, &o); err != nil {
		return d, err
	}
	orderID := id(o.ID)
	if orderID == "" {
		return d, malformed("order has no id")
	}
	created, err := when("created_at", o.CreatedAt, now)
	if err != nil {
		return d, err
	}
	c := shopifyCustomer{Email: o.Email}
	if o.Customer != nil {
		c = *o.Customer
		if o.Email != "" {
			c.Email = o.Email // the address the order was placed with
		}
	}
	if c.FirstName == "" && c.LastName == "" && o.Billing != nil {
		c.FirstName, c.LastName = o.Billing.FirstName, o.Billing.LastName
	}
	if d.Customer, d.Consents, err = shopifyPerson(c, "customer.email", s, now); err != nil || d.Customer == nil {
		return d, err // an order without a person courtesy could write to is not theirs to count
	}
	amount, err := decimalCents("total_price", o.Total)
	if err != nil {
		return d, err
	}
	var items []lineItem
	for _, li := range o.LineItems {
		items = append(items, lineItem{ProductID: id(li.ProductID), Title: li.Title})
	}
	d.Events = purchase(orderID, amount, created, items)
	return d, nil
}

// shopifyPerson is the customer of a Shopify payload, with the records its
// email_marketing_consent makes: "subscribed" grants the mapped purposes,
// "unsubscribed" withdraws them, and every other state ("not_subscribed",
// "pending" before a double opt-in is confirmed) says nothing.
func shopifyPerson(c shopifyCustomer, field string, s Settings, now time.Time) (*courtesy.PlatformCustomer, []courtesy.ConsentRecord, error) {
	email, err := address(field, c.Email)
	if err != nil {
		return nil, nil, err
	}
	p := person(id(c.ID), email, c.FirstName, c.LastName)
	if p == nil || c.EmailMarketingConsent == nil {
		return p, nil, nil
	}
	mc := c.EmailMarketingConsent
	var status courtesy.ConsentStatus
	switch mc.State {
	case "subscribed":
		status = courtesy.Granted
	case "unsubscribed":
		status = courtesy.Withdrawn
	}
	notice := fmt.Sprintf("Shopify email_marketing_consent: %s", mc.State)
	if mc.OptInLevel != "" {
		notice += " (" + mc.OptInLevel + ")"
	}
	return p, flagConsents(s, status, notice, mc.ConsentUpdatedAt, now), nil
}
