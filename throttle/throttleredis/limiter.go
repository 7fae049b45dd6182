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
	res, err := l.ReserveAll(ctx, []throttle.Request{r})
	if err != nil {
		return throttle.Reservation{}, err
	}
	return res[0], nil
}

// ReserveAll is Reserve for many messages in one trip to Redis: a pipeline
// of one script call per message, so each customer's windows are still
// decided atomically, and on a Cluster no call crosses slots. Requests
// run in order: a later one for the same customer counts the earlier.
// Only the messages whose customer Redis has lost, and whose request
// carries no send log long enough, cost a second trip.
func (l *Limiter) ReserveAll(ctx context.Context, rs []throttle.Request) ([]throttle.Reservation, error) {
	calls := make([]reserveCall, len(rs))
	for i, r := range rs {
		c, err := newReserveCall(r)
		if err != nil {
			return nil, err
		}
		calls[i] = c
	}
	out := make([]throttle.Reservation, len(rs))
	vs, err := l.run(ctx, calls, func(c reserveCall) []any { return c.first() })
	if err != nil {
		return nil, err
	}
	var again []int // the customers Redis has no windows for: send the log
	for i, v := range vs {
		if v[0] < 0 {
			again = append(again, i)
			continue
		}
		out[i] = calls[i].answer(v)
	}
	if len(again) == 0 {
		return out, nil
	}
	retry := make([]reserveCall, len(again))
	for n, i := range again {
		c := calls[i]
		if l.log != nil {
			recs, err := l.log.SentTimes(ctx, c.r.Customer, c.since)
			if err != nil {
				return nil, fmt.Errorf("throttle: reserve %s: rebuild the windows of customer %s from the send log: %w", c.r.Key, c.r.Customer, err)
			}
			c.log = recs
		}
		c.logSince = c.since
		retry[n] = c
	}
	vs, err = l.run(ctx, retry, func(c reserveCall) []any { return c.withLog(c.log, c.logSince) })
	if err != nil {
		return nil, err
	}
	for n, v := range vs {
		c := retry[n]
		if v[0] < 0 {
			// The log covers the longest window by construction.
			return nil, fmt.Errorf("throttle: reserve %s: the windows of customer %s were not rebuilt from the send log", c.r.Key, c.r.Customer)
		}
		out[again[n]] = c.answer(v)
	}
	return out, nil
}

// reserveCall is one message's call of the reserve script.
type reserveCall struct {
	r     throttle.Request
	args  []any     // up to the send log
	since time.Time // how far back the longest window reaches
	// log and logSince, once read, are the send log sent on the second trip.
	log      []courtesy.SentRecord
	logSince time.Time
}

func newReserveCall(r throttle.Request) (reserveCall, error) {
	if r.Customer == "" || r.Campaign == "" || r.Key == "" {
		return reserveCall{}, errors.New("throttle: reserve needs a customer, a campaign and a message key")
	}
	var maxWindow time.Duration
	args := make([]any, 6, 6+3*len(r.Limits))
	for _, s := range r.Limits {
		scope, ok := s.Campaign()
		if !ok {
			return reserveCall{}, fmt.Errorf("throttle: reserve %s: scope %q is neither %q nor campaign:<id>", r.Key, s.Scope, throttle.GlobalScope)
		}
		if err := s.Limit.Validate(); err != nil {
			return reserveCall{}, fmt.Errorf("throttle: reserve %s: %w", r.Key, err)
		}
		maxWindow = max(maxWindow, s.Limit.Window)
		args = append(args, scope, s.Limit.Count, s.Limit.Window.Milliseconds())
	}
	copy(args, []any{r.At.UnixMilli(), maxWindow.Milliseconds(), r.Key, r.Campaign, ttlSlack.Milliseconds(), len(r.Limits)})
	return reserveCall{r: r, args: args, since: r.At.Add(-maxWindow)}, nil
}

// first is the arguments of the first trip: with the request's send log
// when it reaches back far enough, so that a lost window is rebuilt at once.
func (c reserveCall) first() []any {
	if !c.r.SentSince.IsZero() && !c.r.SentSince.After(c.since) {
		return c.withLog(c.r.Sent, c.r.SentSince)
	}
	return append(slices.Clip(c.args), -1)
}

func (c reserveCall) withLog(recs []courtesy.SentRecord, from time.Time) []any {
	a := append(slices.Clip(c.args), from.UnixMilli()) // a copy: args is the prefix of both calls
	for _, s := range recs {
		a = append(a, s.Key, s.At.UnixMilli(), s.CampaignID)
	}
	return a
}

// answer reads the script's reply: {0} reserved, {1, limit, retryAt}.
func (c reserveCall) answer(v []int64) throttle.Reservation {
	if v[0] == 0 {
		return throttle.Reservation{OK: true}
	}
	return throttle.Reservation{Refused: c.r.Limits[v[1]], RetryAt: time.UnixMilli(v[2]).In(c.r.At.Location())}
}

// run calls the reserve script once per call in one pipeline. A script
// Redis has forgotten (a restart) is loaded, and the calls sent again.
func (l *Limiter) run(ctx context.Context, calls []reserveCall, args func(reserveCall) []any) ([][]int64, error) {
	exec := func(eval func(redis.Pipeliner, reserveCall) *redis.Cmd) ([]*redis.Cmd, error) {
		cmds := make([]*redis.Cmd, len(calls))
		_, err := l.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, c := range calls {
				cmds[i] = eval(p, c)
			}
			return nil
		})
		return cmds, err
	}
	cmds, err := exec(func(p redis.Pipeliner, c reserveCall) *redis.Cmd {
		return reserveScript.EvalSha(ctx, p, []string{l.key(c.r.Customer)}, args(c)...)
	})
	if err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
		cmds, err = exec(func(p redis.Pipeliner, c reserveCall) *redis.Cmd {
			return reserveScript.Eval(ctx, p, []string{l.key(c.r.Customer)}, args(c)...)
		})
	}
	if err != nil {
		return nil, fmt.Errorf("throttle: reserve %d messages: %w", len(calls), err)
	}
	out := make([][]int64, len(cmds))
	for i, cmd := range cmds {
		v, err := cmd.Int64Slice()
		if err != nil {
			return nil, fmt.Errorf("throttle: reserve %s: %w", calls[i].r.Key, err)
		}
		out[i] = v
	}
	return out, nil
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
