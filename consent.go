package courtesy

import "time"

// ConsentStatus is the state a consent record moves a purpose to.
type ConsentStatus string

const (
	Granted   ConsentStatus = "granted"
	Withdrawn ConsentStatus = "withdrawn"
)

// AllPurposes is the purpose name of a global objection: a withdrawal of it
// suppresses every purpose ("no marketing at all").
const AllPurposes = "*"

// ConsentRecord is one entry of the append-only consent ledger. The current
// state of a purpose is derived from the ledger, never stored over it.
type ConsentRecord struct {
	ID         int64
	CustomerID string
	Purpose    string // a configured purpose, or AllPurposes
	Status     ConsentStatus
	Basis      string    // consent | soft-opt-in | implied; empty means consent
	Source     string    // form, import, api, preferences, one-click, unsubscribe-page, bounce, complaint, admin
	Notice     string    // the wording, or its version, the person saw
	MessageKey string    // the message whose link or header caused it, if any
	ExpiresAt  time.Time // implied consent lapses at this time; zero for none
	RecordedAt time.Time
}

// OptOut is the record of a withdrawal a person made from a message or a
// page: which message led to it, and the optional answer to "what made you
// leave?".
type OptOut struct {
	ID         int64
	CustomerID string
	Purpose    string
	Source     string
	MessageKey string
	CampaignID string
	Variant    string
	Reason     string
	Comment    string
	At         time.Time
}
