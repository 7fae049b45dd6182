package throttleredis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Rate is a sending rate shared by every worker on every machine that uses
// the same Redis and prefix: smtp.max_per_second.
//
// It is a generic cell rate algorithm (GCRA) run in Redis on Redis's own
// clock, so workers' clocks need not agree. It lets perSecond messages a
// second through on average and up to burst more at once after a pause: in
// any one second, at most perSecond+burst are let through.
type Rate struct {
	rdb       redis.UniversalClient
	key       string
	interval  time.Duration // between two messages at the steady rate
	tolerance time.Duration // how far ahead of the steady rate a burst may run
}

// NewRate returns a rate of perSecond messages a second with bursts of up to
// burst more, kept under prefix in rdb. A perSecond below 1 means 1; a
// negative burst means 0.
func NewRate(rdb redis.UniversalClient, prefix string, perSecond, burst int) *Rate {
	perSecond = max(perSecond, 1)
	burst = max(burst, 0)
	interval := time.Second / time.Duration(perSecond)
	return &Rate{rdb: rdb, key: prefix + ":rate", interval: interval, tolerance: time.Duration(burst) * interval}
}

// Allow takes one message's turn if there is one now; if not, retryAfter is
// how long until the next.
func (r *Rate) Allow(ctx context.Context) (ok bool, retryAfter time.Duration, err error) {
	ok, retryAfter, _, err = r.allow(ctx)
	return ok, retryAfter, err
}

// allow is Allow that also says when, on Redis's clock, the turn was given.
func (r *Rate) allow(ctx context.Context) (bool, time.Duration, time.Time, error) {
	v, err := rateScript.Run(ctx, r.rdb, []string{r.key}, r.interval.Microseconds(), r.tolerance.Microseconds()).Int64Slice()
	if err != nil {
		return false, 0, time.Time{}, fmt.Errorf("throttle: rate %s: %w", r.key, err)
	}
	if len(v) != 3 {
		return false, 0, time.Time{}, errors.New("throttle: rate " + r.key + ": unexpected reply")
	}
	return v[0] == 1, time.Duration(v[1]) * time.Microsecond, time.UnixMicro(v[2]), nil
}

// Wait blocks until it has taken a turn or ctx is done.
func (r *Rate) Wait(ctx context.Context) error {
	_, err := r.wait(ctx)
	return err
}

func (r *Rate) wait(ctx context.Context) (time.Time, error) {
	for {
		ok, after, at, err := r.allow(ctx)
		if err != nil || ok {
			return at, err
		}
		t := time.NewTimer(max(after, 100*time.Microsecond))
		select {
		case <-ctx.Done():
			t.Stop()
			return time.Time{}, ctx.Err()
		case <-t.C:
		}
	}
}

// rateScript: KEYS[1] holds the theoretical arrival time (TAT) of the next
// message, in microseconds of Redis's clock. ARGV: the interval and the
// tolerance, in microseconds. Returns {allowed, retry after µs, now µs}.
var rateScript = redis.NewScript(`
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or 0)
if tat < now then tat = now end
if tat - now > tolerance then
  return {0, tat - now - tolerance, now}
end
local nxt = tat + interval
redis.call('SET', KEYS[1], string.format('%d', nxt), 'PX', math.floor((nxt - now) / 1000) + 1000)
return {1, 0, now}
`)
