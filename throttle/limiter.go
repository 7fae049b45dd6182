package throttle

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/courtesyhq/courtesy"
)

// SendLog is the durable record of what was sent, from which the Limiter
// rebuilds windows Redis has lost. It should list every message that was
// sent or may have been (claimed and not yet finished), since At, for the
// customer.
type SendLog interface {
	SentTimes(ctx context.Context, customerID string, since time.Time) ([]courtesy.SentRecord, error)
}

// Reservation is the answer of Reserve. When OK is false, Refused is the
// limit that binds longest and RetryAt when its oldest counted message
// leaves its window — the earliest a new reservation can succeed, assuming
// nothing else is sent meanwhile.
type Reservation struct {
	OK      bool
	Refused Scoped
	RetryAt time.Time
}

// Limiter enforces per-customer limits for every worker sharing one Redis.
// It is safe for concurrent use.
type Limiter struct {
	rdb    redis.UniversalClient
	prefix string
	log    SendLog
}

// NewLimiter returns a Limiter keeping its windows under prefix in rdb. log
// may be nil, in which case windows Redis loses are forgotten.
func NewLimiter(rdb redis.UniversalClient, prefix string, log SendLog) *Limiter {
	return &Limiter{rdb: rdb, prefix: prefix, log: log}
}

// ttlSlack keeps keys a day past their longest window, so a clock slightly
// ahead on one worker does not lose entries that a window still needs.
const ttlSlack = Day

// key is the one hash that holds all of a customer's windows and the
// record of how complete they are: lost together, rebuilt together.
func (l *Limiter) key(customerID string) string {
	return l.prefix + ":c:" + customerID
}

// Request asks for room for one message in its customer's windows.
type Request struct {
	Customer, Campaign, Key string
	Limits                  []Scoped
	At                      time.Time // when the message is to go
	// Sent is the customer's send log from SentSince on, when the caller
	// has read it already with the rest of what it knows about the message:
	// windows Redis has lost are then rebuilt from it in the same trip as
	// the decision. A zero SentSince means it was not read.
	Sent      []courtesy.SentRecord
	SentSince time.Time
}

// Reserve takes a slot for the message in every window of its limits — or
// in none, if any of them is full. The message is counted in the global
// and its campaign's windows whatever limits the request names, so later
// checks see it. Reserving a key that is already reserved succeeds and
// counts nothing twice.
//
// It is one trip to Redis while the customer's windows are there, or when
// the request carries a send log long enough to rebuild them. Otherwise,
// when Redis has lost them or never had them (a customer not written to
// lately), it reads the send log itself and decides on the second trip.
func (l *Limiter) Reserve(ctx context.Context, r Request) (Reservation, error) {
	if r.Customer == "" || r.Campaign == "" || r.Key == "" {
		return Reservation{}, errors.New("throttle: reserve needs a customer, a campaign and a message key")
	}
	var maxWindow time.Duration
	args := make([]any, 6, 6+3*len(r.Limits))
	for _, s := range r.Limits {
		scope, ok := scopeCampaign(s.Scope)
		if !ok {
			return Reservation{}, fmt.Errorf("throttle: reserve %s: scope %q is neither %q nor campaign:<id>", r.Key, s.Scope, GlobalScope)
		}
		if err := s.Limit.validate(); err != nil {
			return Reservation{}, fmt.Errorf("throttle: reserve %s: %w", r.Key, err)
		}
		maxWindow = max(maxWindow, s.Limit.Window)
		args = append(args, scope, s.Limit.Count, s.Limit.Window.Milliseconds())
	}
	copy(args, []any{r.At.UnixMilli(), maxWindow.Milliseconds(), r.Key, r.Campaign, ttlSlack.Milliseconds(), len(r.Limits)})
	keys := []string{l.key(r.Customer)}
	since := r.At.Add(-maxWindow)
	withLog := func(recs []courtesy.SentRecord, from time.Time) []any {
		a := append(slices.Clip(args), from.UnixMilli()) // a copy: args is the prefix of both calls
		for _, s := range recs {
			a = append(a, s.Key, s.At.UnixMilli(), s.CampaignID)
		}
		return a
	}

	first := append(slices.Clip(args), -1)
	if !r.SentSince.IsZero() && !r.SentSince.After(since) {
		first = withLog(r.Sent, r.SentSince)
	}
	v, err := reserveScript.Run(ctx, l.rdb, keys, first...).Int64Slice()
	if err == nil && v[0] < 0 {
		// Redis holds no complete windows for this customer: send the log.
		var recs []courtesy.SentRecord
		if l.log != nil {
			if recs, err = l.log.SentTimes(ctx, r.Customer, since); err != nil {
				return Reservation{}, fmt.Errorf("throttle: reserve %s: rebuild the windows of customer %s from the send log: %w", r.Key, r.Customer, err)
			}
		}
		v, err = reserveScript.Run(ctx, l.rdb, keys, withLog(recs, since)...).Int64Slice()
	}
	switch {
	case err != nil:
		return Reservation{}, fmt.Errorf("throttle: reserve %s: %w", r.Key, err)
	case v[0] == 0:
		return Reservation{OK: true}, nil
	case v[0] == 1:
		return Reservation{Refused: r.Limits[v[1]], RetryAt: time.UnixMilli(v[2]).In(r.At.Location())}, nil
	}
	// The log covers the longest window by construction.
	return Reservation{}, fmt.Errorf("throttle: reserve %s: the windows of customer %s were not rebuilt from the send log", r.Key, r.Customer)
}

// Release gives back the slot of a message that was reserved and will not
// be sent after all. Releasing a key that holds no slot does nothing.
func (l *Limiter) Release(ctx context.Context, customerID, messageKey string) error {
	if err := l.rdb.HDel(ctx, l.key(customerID), "m:"+messageKey).Err(); err != nil {
		return fmt.Errorf("throttle: release %s: %w", messageKey, err)
	}
	return nil
}

// ForgetCustomer drops every window of the customer, for an erasure: the
// hash names them and their messages. A customer who is not there is not
// an error.
func (l *Limiter) ForgetCustomer(ctx context.Context, customerID string, _ []string) error {
	if err := l.rdb.Del(ctx, l.key(customerID)).Err(); err != nil {
		return fmt.Errorf("throttle: forget customer: %w", err)
	}
	return nil
}
