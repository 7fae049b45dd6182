package throttle

import (
	"context"
	"errors"
	"fmt"
	"github.com/courtesyhq/courtesy"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
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

// rebuildAttempts bounds the rebuild-then-check loop: Redis would have to
// lose the windows again between the two steps for a second round to be
// needed.
const rebuildAttempts = 3

// ttlSlack keeps keys a day past their longest window, so a clock slightly
// ahead on one worker does not lose entries that a window still needs.
const ttlSlack = Day

func (l *Limiter) marker(customerID string) string {
	return l.prefix + ":c:{" + customerID + "}:built"
}

func (l *Limiter) set(customerID, scope string) string {
	return l.prefix + ":c:{" + customerID + "}:s:" + scope
}

// Reserve takes a slot for message messageKey of campaignID, to be sent at
// at, in every window of limits — or in none, if any of them is full. The
// message is counted in the global and its campaign's windows whatever
// limits the call names, so later checks see it. Reserving a key that is
// already reserved succeeds and counts nothing twice.
func (l *Limiter) Reserve(ctx context.Context, customerID, campaignID, messageKey string, limits []Scoped, at time.Time) (Reservation, error) {
	if customerID == "" || campaignID == "" || messageKey == "" {
		return Reservation{}, errors.New("throttle: reserve needs a customer, a campaign and a message key")
	}
	keys := []string{l.marker(customerID), l.set(customerID, GlobalScope), l.set(customerID, CampaignScope(campaignID))}
	index := map[string]int{GlobalScope: 2, CampaignScope(campaignID): 3} // 1-based, as Lua sees KEYS
	var maxWindow time.Duration
	limitArgs := make([]any, 0, 3*len(limits))
	for _, s := range limits {
		if !validScope(s.Scope) {
			return Reservation{}, fmt.Errorf("throttle: reserve %s: scope %q is neither %q nor campaign:<id>", messageKey, s.Scope, GlobalScope)
		}
		if err := s.Limit.validate(); err != nil {
			return Reservation{}, fmt.Errorf("throttle: reserve %s: %w", messageKey, err)
		}
		i, ok := index[s.Scope]
		if !ok {
			keys = append(keys, l.set(customerID, s.Scope))
			i = len(keys)
			index[s.Scope] = i
		}
		maxWindow = max(maxWindow, s.Limit.Window)
		limitArgs = append(limitArgs, i, s.Limit.Count, s.Limit.Window.Milliseconds())
	}
	args := append([]any{at.UnixMilli(), maxWindow.Milliseconds(), messageKey, ttlSlack.Milliseconds(), len(limits)}, limitArgs...)

	for range rebuildAttempts {
		v, err := reserveScript.Run(ctx, l.rdb, keys, args...).Int64Slice()
		if err != nil {
			return Reservation{}, fmt.Errorf("throttle: reserve %s: %w", messageKey, err)
		}
		switch v[0] {
		case 0:
			return Reservation{OK: true}, nil
		case 1:
			return Reservation{Refused: limits[v[1]], RetryAt: time.UnixMilli(v[2]).In(at.Location())}, nil
		}
		if err := l.rebuild(ctx, customerID, at.Add(-maxWindow), maxWindow, keys[1:]); err != nil {
			return Reservation{}, fmt.Errorf("throttle: reserve %s: %w", messageKey, err)
		}
	}
	return Reservation{}, fmt.Errorf("throttle: reserve %s: the windows of customer %s were lost again while being rebuilt", messageKey, customerID)
}

// rebuild loads the customer's sends since since from the send log into the
// windows and marks them complete from since. Members are message keys, so
// two workers rebuilding at once add each send once.
func (l *Limiter) rebuild(ctx context.Context, customerID string, since time.Time, horizon time.Duration, sets []string) error {
	var recs []courtesy.SentRecord
	if l.log != nil {
		var err error
		recs, err = l.log.SentTimes(ctx, customerID, since)
		if err != nil {
			return fmt.Errorf("rebuild the windows of customer %s from the send log: %w", customerID, err)
		}
	}
	keys := append([]string{l.marker(customerID)}, sets...)
	index := make(map[string]int, len(keys))
	for i, k := range keys {
		index[k] = i + 1
	}
	args := []any{since.UnixMilli(), horizon.Milliseconds(), ttlSlack.Milliseconds(), index[l.set(customerID, GlobalScope)]}
	for _, r := range recs {
		k := l.set(customerID, CampaignScope(r.CampaignID))
		i, ok := index[k]
		if !ok {
			keys = append(keys, k)
			i = len(keys)
			index[k] = i
		}
		args = append(args, r.Key, r.At.UnixMilli(), i)
	}
	if err := rebuildScript.Run(ctx, l.rdb, keys, args...).Err(); err != nil {
		return fmt.Errorf("rebuild the windows of customer %s: %w", customerID, err)
	}
	return nil
}

// windows lists the customer's sets that exist, as the marker records them.
func (l *Limiter) windows(ctx context.Context, customerID string) ([]string, error) {
	fields, err := l.rdb.HKeys(ctx, l.marker(customerID)).Result()
	if err != nil {
		return nil, err
	}
	var sets []string
	for _, f := range fields {
		if k, ok := strings.CutPrefix(f, "s:"); ok {
			sets = append(sets, k)
		}
	}
	return sets, nil
}

// Release gives back the slot of a message that was reserved and will not
// be sent after all. Releasing a key that holds no slot does nothing.
func (l *Limiter) Release(ctx context.Context, customerID, messageKey string) error {
	sets, err := l.windows(ctx, customerID)
	if err != nil {
		return fmt.Errorf("throttle: release %s: %w", messageKey, err)
	}
	if len(sets) == 0 {
		return nil
	}
	keys := append([]string{l.marker(customerID)}, sets...)
	if err := releaseScript.Run(ctx, l.rdb, keys, messageKey).Err(); err != nil {
		return fmt.Errorf("throttle: release %s: %w", messageKey, err)
	}
	return nil
}

// Confirm records that the reserved message went at at, which may be later
// than the time it was reserved for (a retried SMTP exchange): its windows
// then count it from when it really went, as the send log does. Confirming a
// key that holds no slot does nothing.
func (l *Limiter) Confirm(ctx context.Context, customerID, messageKey string, at time.Time) error {
	sets, err := l.windows(ctx, customerID)
	if err != nil {
		return fmt.Errorf("throttle: confirm %s: %w", messageKey, err)
	}
	if len(sets) == 0 {
		return nil
	}
	_, err = l.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, k := range sets {
			p.ZAddXX(ctx, k, redis.Z{Score: float64(at.UnixMilli()), Member: messageKey})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("throttle: confirm %s: %w", messageKey, err)
	}
	return nil
}
