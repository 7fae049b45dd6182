package integrations

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/csvimport"
)

// lineItem is what courtesy keeps of an order's line: the product it names.
type lineItem struct {
	ProductID string
	Title     string
}

// purchase is the events an order makes: one per product, so that a
// reminder about any product in it sees it bought, each naming its
// product. The order's total is on the first, so that a sum over purchases
// counts each order once; a survey is planned once per order however many
// events it has.
func purchase(orderID string, amount int64, at time.Time, items []lineItem) []courtesy.Event {
	var out []courtesy.Event
	seen := map[string]bool{}
	for _, it := range items {
		if seen[it.ProductID] {
			continue // another variant of a product already named
		}
		seen[it.ProductID] = true
		out = append(out, courtesy.Event{Type: courtesy.Purchase, OrderID: orderID, ItemID: it.ProductID,
			ItemName: strings.TrimSpace(it.Title), OccurredAt: at})
	}
	if len(out) == 0 {
		out = append(out, courtesy.Event{Type: courtesy.Purchase, OrderID: orderID, OccurredAt: at})
	}
	out[0].AmountCents = amount
	return out
}

// decimalCents reads a platform's decimal amount ("403.00") as hundredths.
func decimalCents(field, s string) (int64, error) {
	if strings.TrimSpace(s) == "" {
		return 0, nil
	}
	n, err := csvimport.ParseAmount(s)
	if err != nil {
		return 0, malformed("%s: %v", field, err)
	}
	return n, nil
}

// id reads a platform id that is a JSON number or string; absent, null, 0
// and "" are no id.
func id(raw json.RawMessage) string {
	s := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	if s == "null" || s == "0" {
		return ""
	}
	return s
}

// address checks an address a platform sent; empty is no address.
func address(field, s string) (string, error) {
	if strings.TrimSpace(s) == "" {
		return "", nil
	}
	a, err := csvimport.NormalizeEmail(s)
	if err != nil {
		return "", malformed("%s is not an email address", field)
	}
	return a, nil
}

// splitName cuts a full name at its first space, as a platform that keeps
// one name field gives it.
func splitName(full string) (first, last string) {
	first, last, _ = strings.Cut(strings.TrimSpace(full), " ")
	return first, strings.TrimSpace(last)
}

// person is the customer a delivery names, or nil when it names nobody
// courtesy could write to or match.
func person(externalID, email, first, last string) *courtesy.PlatformCustomer {
	if externalID == "" && email == "" {
		return nil
	}
	return &courtesy.PlatformCustomer{ExternalID: externalID, Email: email, FirstName: strings.TrimSpace(first),
		LastName: strings.TrimSpace(last)}
}

// decode reads a platform's JSON body into v, naming what is wrong.
func decode(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return malformed("not the documented JSON: %v", err)
	}
	return nil
}

// needID refuses a delivery without the id its retries repeat.
func needID(header, v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", malformed("no %s header", header)
	}
	if len(v) > 200 {
		return "", malformed("%s is %d characters long", header, len(v))
	}
	return v, nil
}

// earliest is before any order a shop platform could send.
var earliest = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// when checks the time a platform says an order was placed: not before the
// platforms existed, and not more than a day ahead of ours, which would
// plan the survey it leads to for a day that has not come.
func when(field string, t, now time.Time) (time.Time, error) {
	if t.Before(earliest) || t.After(now.Add(24*time.Hour)) {
		return time.Time{}, malformed("%s: %s is not a time an order was placed", field, t.Format(time.RFC3339))
	}
	return t.UTC(), nil
}
