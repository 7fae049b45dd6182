// Package signupredis keeps, in Redis, the little a sign-up needs before it
// is confirmed: how many confirmations an address was sent lately, and how
// many sign-ups were started each day. Neither holds an address: the first
// is keyed by a keyed hash of it, the second is a count.
package signupredis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/courtesyhq/courtesy/signup"
)

// Gate counts the confirmations sent to each address over sliding windows.
type Gate struct {
	rdb     redis.UniversalClient
	prefix  string
	windows []signup.Window
	longest time.Duration
}

// NewGate returns a gate over windows, kept under prefix in rdb.
func NewGate(rdb redis.UniversalClient, prefix string, windows []signup.Window) *Gate {
	g := &Gate{rdb: rdb, prefix: prefix + ":signup:address:", windows: windows}
	for _, w := range windows {
		g.longest = max(g.longest, w.Per)
	}
	return g
}

// Allow takes a turn for the address standing behind addressKey at now when
// every window has room, and reports whether it did. The check and the turn
// are one step, so two sign-ups at once cannot both slip through.
func (g *Gate) Allow(ctx context.Context, addressKey string, now time.Time) (bool, error) {
	var member [8]byte
	_, _ = rand.Read(member[:])
	args := []any{now.UnixMilli(), hex.EncodeToString(member[:]), g.longest.Milliseconds()}
	for _, w := range g.windows {
		args = append(args, w.Count, w.Per.Milliseconds())
	}
	ok, err := allowScript.Run(ctx, g.rdb, []string{g.prefix + addressKey}, args...).Int()
	if err != nil {
		return false, fmt.Errorf("sign-up limits: %w", err)
	}
	return ok == 1, nil
}

// allowScript: KEYS[1] a sorted set of turns scored by time (ms);
// ARGV now, a fresh member, the longest window, then count and span of
// each window. It forgets turns older than the longest window.
var allowScript = redis.NewScript(`
local now = tonumber(ARGV[1])
local longest = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - longest)
for i = 4, #ARGV, 2 do
  local count, span = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
  if redis.call('ZCOUNT', KEYS[1], '(' .. (now - span), '+inf') >= count then
    return 0
  end
end
redis.call('ZADD', KEYS[1], now, ARGV[2])
redis.call('PEXPIRE', KEYS[1], longest)
return 1
`)

// Tally counts the sign-ups started each day.
type Tally struct {
	rdb    redis.UniversalClient
	prefix string
	loc    *time.Location
}

// keep is how long a day's count is kept: long enough for a year's report.
const keep = 400 * 24 * time.Hour

// NewTally returns a tally under prefix in rdb whose days are those of loc.
func NewTally(rdb redis.UniversalClient, prefix string, loc *time.Location) *Tally {
	if loc == nil {
		loc = time.UTC
	}
	return &Tally{rdb: rdb, prefix: prefix + ":signup:started:", loc: loc}
}

// Started counts one sign-up started at now.
func (t *Tally) Started(ctx context.Context, now time.Time) error {
	key := t.prefix + now.In(t.loc).Format(time.DateOnly)
	p := t.rdb.TxPipeline()
	p.Incr(ctx, key)
	p.Expire(ctx, key, keep)
	if _, err := p.Exec(ctx); err != nil {
		return fmt.Errorf("count a sign-up: %w", err)
	}
	return nil
}

// PerDay returns the sign-ups started on each day from from to until
// (exclusive), keyed "2006-01-02"; days without one are absent.
func (t *Tally) PerDay(ctx context.Context, from, until time.Time) (map[string]int, error) {
	var days, keys []string
	for d := from.In(t.loc); d.Before(until); d = d.AddDate(0, 0, 1) {
		day := d.Format(time.DateOnly)
		days = append(days, day)
		keys = append(keys, t.prefix+day)
	}
	out := map[string]int{}
	if len(keys) == 0 {
		return out, nil
	}
	// One GET each rather than MGET: on a Redis Cluster the days live on
	// different nodes.
	p := t.rdb.Pipeline()
	cmds := make([]*redis.StringCmd, len(keys))
	for i, k := range keys {
		cmds[i] = p.Get(ctx, k)
	}
	if _, err := p.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("read sign-ups started: %w", err)
	}
	for i, c := range cmds {
		if n, err := c.Int(); err == nil && n > 0 {
			out[days[i]] = n
		}
	}
	return out, nil
}
