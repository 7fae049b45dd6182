package courtesy

import "time"

// CampaignState is the pause switch of a campaign, thrown by the owner or by
// a guardrail.
type CampaignState struct {
	ID     string
	Paused bool
	Reason string
	At     time.Time
}

// CampaignHealth is what the guardrail judges a campaign on: its messages
// sent at or after a time, and how many of those drew an opt-out or a
// complaint recorded at or after that time.
type CampaignHealth struct {
	Sent       int
	OptOuts    int // sent messages with at least one opt-out
	Complaints int // sent messages with a complaint report or a complaint opt-out
}
