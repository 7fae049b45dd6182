package integrations

import (
	"crypto/hmac"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/courtesyhq/courtesy"
)

// StripeTolerance is how far a Stripe-Signature's timestamp may be from the
// time of receipt: Stripe's own libraries refuse older deliveries, so a
// captured delivery cannot be replayed later.
const StripeTolerance = 5 * time.Minute

// Stripe takes checkout.session.completed and, for payment methods that
// settle later, checkout.session.async_payment_succeeded (and
// charge.succeeded where configured) events, signed in Stripe-Signature with the endpoint's
// signing secret (whsec_…) over "t.body", and deduplicated by the event id.
// While a secret is rolled Stripe signs with both, in two v1 entries:
// either one verifying is enough.
var Stripe = Platform{
	Name:          "stripe",
	DefaultTopics: stripeDefaults,
	Topics:        []string{"checkout.session.completed", "checkout.session.async_payment_succeeded", "charge.succeeded"},
	verify:        verifyStripe,
	parse:         parseStripe,
}

var stripeDefaults = []string{"checkout.session.completed", "checkout.session.async_payment_succeeded"}

func verifyStripe(secret []byte, h http.Header, body []byte, now time.Time) error {
	header := h.Get("Stripe-Signature")
	if header == "" {
		return fmt.Errorf("no Stripe-Signature: %w", ErrSignature)
	}
	var (
		ts   int64
		sigs [][]byte
	)
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return fmt.Errorf("Stripe-Signature t=%q is not a Unix time: %w", v, ErrSignature)
			}
			ts = n
		case "v1":
			if sig, err := hex.DecodeString(v); err == nil {
				sigs = append(sigs, sig)
			}
		}
	}
	if ts == 0 || len(sigs) == 0 {
		return fmt.Errorf("Stripe-Signature needs t= and v1=: %w", ErrSignature)
	}
	if age := now.Sub(time.Unix(ts, 0)); age > StripeTolerance || age < -StripeTolerance {
		return fmt.Errorf("Stripe-Signature is %s from now, past the %s tolerance: %w", age.Round(time.Second),
			StripeTolerance, ErrSignature)
	}
	want := sign(secret, []byte(strconv.FormatInt(ts, 10)), []byte("."), body)
	for _, sig := range sigs {
		if hmac.Equal(sig, want) {
			return nil
		}
	}
	return fmt.Errorf("no v1 signature matches the body: %w", ErrSignature)
}

type stripeEvent struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Created int64  `json:"created"`
	Data    struct {
		Object json.RawMessage `json:"object"`
	} `json:"data"`
}

type stripeSession struct {
	ID              string `json:"id"`
	AmountTotal     int64  `json:"amount_total"`
	Currency        string `json:"currency"`
	Customer        string `json:"customer"`
	PaymentStatus   string `json:"payment_status"`
	Created         int64  `json:"created"`
	CustomerDetails *struct {
		Email string `json:"email"`
		Name  string `json:"name"`
	} `json:"customer_details"`
	Consent *struct {
		Promotions string `json:"promotions"`
	} `json:"consent"`
}

type stripeCharge struct {
	ID             string `json:"id"`
	Amount         int64  `json:"amount"`
	Currency       string `json:"currency"`
	Customer       string `json:"customer"`
	PaymentIntent  string `json:"payment_intent"`
	ReceiptEmail   string `json:"receipt_email"`
	Created        int64  `json:"created"`
	BillingDetails struct {
		Email string `json:"email"`
		Name  string `json:"name"`
	} `json:"billing_details"`
}

func parseStripe(_ http.Header, body []byte, s Settings, now time.Time) (courtesy.Delivery, error) {
	var ev stripeEvent
	if err := decode(body, &ev); err != nil {
		return courtesy.Delivery{}, err
	}
	if !strings.HasPrefix(ev.ID, "evt_") {
		return courtesy.Delivery{}, malformed("event id %q is not a Stripe event id", ev.ID)
	}
	if !takes(s, stripeDefaults, ev.Type) {
		return courtesy.Delivery{}, nil
	}
	d := courtesy.Delivery{ID: ev.ID}
	if len(ev.Data.Object) == 0 {
		return d, malformed("event has no data.object")
	}
	switch ev.Type {
	case "checkout.session.completed", "checkout.session.async_payment_succeeded":
		var cs stripeSession
		if err := decode(ev.Data.Object, &cs); err != nil {
			return d, err
		}
		if cs.ID == "" {
			return d, malformed("checkout session has no id")
		}
		created, err := when("created", time.Unix(cs.Created, 0), now)
		if err != nil {
			return d, err
		}
		var email, name string
		if cs.CustomerDetails != nil {
			email, name = cs.CustomerDetails.Email, cs.CustomerDetails.Name
		}
		if err := stripePerson(&d, cs.Customer, email, name); err != nil || d.Customer == nil {
			return d, err
		}
		if cs.Consent != nil {
			var status courtesy.ConsentStatus
			switch cs.Consent.Promotions {
			case "opt_in":
				status = courtesy.Granted
			case "opt_out":
				status = courtesy.Withdrawn
			}
			d.Consents = flagConsents(s, status, "Stripe Checkout consent.promotions: "+cs.Consent.Promotions,
				time.Unix(ev.Created, 0), now)
		}
		if cs.AmountTotal < 0 {
			return d, malformed("amount_total %d is negative", cs.AmountTotal)
		}
		if cs.PaymentStatus == "unpaid" {
			return d, nil // async_payment_succeeded brings the purchase, if it is paid
		}
		d.Events = purchase(cs.ID, stripeCents(cs.AmountTotal, cs.Currency), created, nil)
	case "charge.succeeded":
		var ch stripeCharge
		if err := decode(ev.Data.Object, &ch); err != nil {
			return d, err
		}
		if ch.ID == "" {
			return d, malformed("charge has no id")
		}
		created, err := when("created", time.Unix(ch.Created, 0), now)
		if err != nil {
			return d, err
		}
		email := ch.BillingDetails.Email
		if email == "" {
			email = ch.ReceiptEmail
		}
		if err := stripePerson(&d, ch.Customer, email, ch.BillingDetails.Name); err != nil || d.Customer == nil {
			return d, err
		}
		if ch.Amount < 0 {
			return d, malformed("amount %d is negative", ch.Amount)
		}
		order := ch.ID
		if ch.PaymentIntent != "" {
			order = ch.PaymentIntent
		}
		d.Events = purchase(order, stripeCents(ch.Amount, ch.Currency), created, nil)
	}
	return d, nil
}

func stripePerson(d *courtesy.Delivery, customer, email, name string) error {
	email, err := address("email", email)
	if err != nil {
		return err
	}
	first, last := splitName(name)
	d.Customer = person(customer, email, first, last)
	return nil
}

// zeroDecimal are the currencies Stripe counts in whole units.
var zeroDecimal = map[string]bool{"bif": true, "clp": true, "djf": true, "gnf": true, "jpy": true, "kmf": true,
	"krw": true, "mga": true, "pyg": true, "rwf": true, "ugx": true, "vnd": true, "vuv": true, "xaf": true,
	"xof": true, "xpf": true}

// threeDecimal are the currencies Stripe counts in thousandths.
var threeDecimal = map[string]bool{"bhd": true, "jod": true, "kwd": true, "omr": true, "tnd": true}

// stripeCents turns Stripe's amount in the currency's smallest unit into
// hundredths of the unit, as courtesy keeps every amount.
func stripeCents(amount int64, currency string) int64 {
	c := strings.ToLower(currency)
	switch {
	case zeroDecimal[c]:
		return amount * 100
	case threeDecimal[c]:
		return amount / 10
	}
	return amount
}
