package courtesy

import "time"

// Delivery is what one webhook from a shop platform asks courtesy to record:
// the customer it names, their events, and the consent records the owner's
// mapping of the platform's marketing flag makes of it. It is stored whole
// or not at all, and once per Source and ID: a platform delivers again
// whenever it is unsure it was heard.
type Delivery struct {
	// Source names the platform: "shopify", "woocommerce" or "stripe". It is
	// also the Source of the consent records.
	Source string
	// ID is the key a retried delivery repeats: the webhook or event id.
	ID string
	// ReceivedAt is when courtesy took the delivery.
	ReceivedAt time.Time
	// Customer is nil when the delivery names nobody, such as a ping or a
	// topic courtesy does not take; only its ID is then recorded.
	Customer *PlatformCustomer
	// Events and Consents leave CustomerID empty: the store fills in the
	// customer it matched or created.
	Events   []Event
	Consents []ConsentRecord
}

// PlatformCustomer is a person as a shop platform knows them.
type PlatformCustomer struct {
	// ExternalID is the platform's id of the customer; empty for a guest
	// checkout, who is then known by the address alone.
	ExternalID string
	Email      string
	FirstName  string
	LastName   string
}

// DeliveryOutcome says what storing a delivery did.
type DeliveryOutcome struct {
	// Duplicate is true when the delivery was recorded before: nothing was
	// written this time.
	Duplicate bool
	// Erased is true when the customer's address was erased at their
	// request: the delivery was recorded, nothing about the person was.
	Erased bool
	// CustomerID is the customer matched or created; empty when none.
	CustomerID      string
	CustomerCreated bool
	EventsAdded     int
	ConsentsAdded   int
}

// PlatformCustomerID is the courtesy id of a customer first seen on a
// platform under its id there: the same from a webhook and from an import
// of the platform's customer export, so either finds the other's customer.
func PlatformCustomerID(source, externalID string) string { return source + "-" + externalID }
