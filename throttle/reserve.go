package throttle

import (
	"context"
	"time"

	"github.com/courtesyhq/courtesy"
)

// SendLog is the durable record of what was sent, from which the windows a
// limiter lost are rebuilt. It should list every message that was sent or
// may have been (claimed and not yet finished), since At, for the customer.
type SendLog interface {
	SentTimes(ctx context.Context, customerID string, since time.Time) ([]courtesy.SentRecord, error)
}

// Request asks for room for one message in its customer's windows.
type Request struct {
	Customer, Campaign, Key string
	Limits                  []Scoped
	At                      time.Time // when the message is to go
	// Sent is the customer's send log from SentSince on, when the caller
	// has read it already with the rest of what it knows about the message:
	// windows a limiter has lost are then rebuilt from it in the same trip
	// as the decision. A zero SentSince means it was not read.
	Sent      []courtesy.SentRecord
	SentSince time.Time
}

// Reservation is the answer to a Request, and of Fits. When OK is false,
// Refused is the limit that binds longest and RetryAt when its oldest
// counted message leaves its window — the earliest a new reservation can
// succeed, assuming nothing else is sent meanwhile.
type Reservation struct {
	OK      bool
	Refused Scoped
	RetryAt time.Time
}
