package courtesy

import "time"

// Answer is a survey answer: a score from 0 to 10 and an optional comment.
type Answer struct {
	MessageKey string
	CustomerID string
	CampaignID string
	Variant    string
	Score      int
	Comment    string
	At         time.Time
}

// Engagement is a first-party sign of interest: a survey answer, a
// preference change, a "why" page view, a purchase after a message. Never a
// pixel or a rewritten link.
type Engagement struct {
	CustomerID string
	MessageKey string
	CampaignID string
	Kind       string
	At         time.Time
}
