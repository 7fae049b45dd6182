// Package integrations takes the webhooks of the platforms small shops sell
// through — Shopify, WooCommerce and Stripe — as each platform sends them:
// it checks the platform's signature over the raw body and turns the payload
// into a courtesy.Delivery of a customer, purchase events and, only for the
// purposes the owner mapped, consent records made from the platform's own
// marketing flag. It does no I/O: the web package reads the request and the
// store keeps the delivery once.
package integrations
