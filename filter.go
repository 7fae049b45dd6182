package courtesy

import "time"

// Filter narrows the lists a store returns to the owner's logs, the report
// and an export. Zero fields do not filter. Each list says which of its
// time columns Since and Until apply to; lists come newest first.
type Filter struct {
	CampaignID string
	CustomerID string
	Since      time.Time // inclusive
	Until      time.Time // exclusive
	// Outcomes keeps messages whose decision has one of these outcomes
	// (Messages, CountDecisions).
	Outcomes []Outcome
	// Limit caps the rows returned; 0 means no cap.
	Limit int
	// AfterKey continues a Messages listing after the message with this key,
	// the last one of the previous page.
	AfterKey string
}
