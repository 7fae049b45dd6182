package courtesy

import "time"

// Suppression stops every message to an address, whatever its consent: a
// hard bounce, a complaint, an erasure. It is keyed by the address hash, so
// it outlives the customer row.
type Suppression struct {
	EmailHash  string
	Reason     string // e.g. hard-bounce, complaint, erased
	Source     string
	Detail     string
	At         time.Time
	LiftedAt   time.Time // zero while it is in force
	LiftReason string
}

// Bounce is one delivery failure or complaint reported for an address.
type Bounce struct {
	EmailHash  string
	MessageKey string
	Status     string // the enhanced status code, e.g. 5.1.1
	Kind       string // hard, soft or complaint
	At         time.Time
}
