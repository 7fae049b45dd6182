package throttleredis

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/throttle"
)

// Limiter enforces per-customer limits for every worker sharing one Redis.
// It is safe for concurrent use.
type Limiter struct {
	rdb    redis.UniversalClient
	prefix string
	log    throttle.SendLog
}

// NewLimiter returns a Limiter keeping its windows under prefix in rdb. log
// may be nil, in which case windows Redis loses are forgotten.
func NewLimiter(rdb redis.UniversalClient, prefix string, log throttle.SendLog) *Limiter {
	return &Limiter{rdb: rdb, prefix: prefix, log: log}
}

// ttlSlack keeps keys a day past their longest window, so a clock slightly
// ahead on one worker does not lose entries that a window still needs.
const ttlSlack = throttle.Day

// key is the one hash that holds all of a customer's windows and the
// record of how complete they are: lost together, rebuilt together.
func (l *Limiter) key(customerID string) string {
	return l.prefix + ":c:" + customerID
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
func (l *Limiter) Reserve(ctx context.Context, r throttle.Request) (throttle.Reservation, error) {
	if r.Customer == "" || r.Campaign == "" || r.Key == "" {
		return throttle.Reservation{}, errors.New("throttle: reserve needs a customer, a campaign and a message key")
	}
	var maxWindow time.Duration
	args := make([]any, 6, 6+3*len(r.Limits))
	for _, s := range r.Limits {
		scope, ok := s.Campaign()
		if !ok {
			return throttle.Reservation{}, fmt.Errorf("throttle: reserve %s: scope %q is neither %q nor campaign:<id>", r.Key, s.Scope, throttle.GlobalScope)
		}
		if err := s.Limit.Validate(); err != nil {
			return throttle.Reservation{}, fmt.Errorf("throttle: reserve %s: %w", r.Key, err)
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
				return throttle.Reservation{}, fmt.Errorf("throttle: reserve %s: rebuild the windows of customer %s from the send log: %w", r.Key, r.Customer, err)
			}
		}
		v, err = reserveScript.Run(ctx, l.rdb, keys, withLog(recs, since)...).Int64Slice()
	}
	switch {
	case err != nil:
		return throttle.Reservation{}, fmt.Errorf("throttle: reserve %s: %w", r.Key, err)
	case v[0] == 0:
		return throttle.Reservation{OK: true}, nil
	case v[0] == 1:
		return throttle.Reservation{Refused: r.Limits[v[1]], RetryAt: time.UnixMilli(v[2]).In(r.At.Location())}, nil
	}
	// The log covers the longest window by construction.
	return throttle.Reservation{}, fmt.Errorf("throttle: reserve %s: the windows of customer %s were not rebuilt from the send log", r.Key, r.Customer)
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
