package courtesy

import "time"

// EventType names what a customer did.
type EventType string

const (
	// Interest is an item a customer saved or asked about.
	Interest EventType = "interest"
	// Purchase is an order a customer placed.
	Purchase EventType = "purchase"
	// Signup is a sign-up the customer confirmed from the link we sent
	// them: what a welcome campaign answers. Only the confirmation makes it.
	Signup EventType = "signup"
)

// Event is something a customer did that a campaign may answer.
type Event struct {
	ID          int64
	CustomerID  string
	Type        EventType
	ItemID      string
	ItemName    string
	ItemURL     string
	OrderID     string
	AmountCents int64
	OccurredAt  time.Time
}
