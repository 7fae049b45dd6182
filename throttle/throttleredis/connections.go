package throttleredis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrSlotLost is returned by Renew when a slot's lease ran out and another
// holder may have taken it: the connection should be closed.
var ErrSlotLost = errors.New("throttle: connection slot lost")

// Connections is a counting semaphore shared by every worker on every
// machine: smtp.max_connections. A slot is a lease, so a worker that dies
// holding one frees it when the lease runs out; a worker that keeps a
// connection open renews its lease while it does.
type Connections struct {
	rdb   redis.UniversalClient
	key   string
	slots int
	lease time.Duration
}

// NewConnections returns a semaphore of slots slots (at least 1) kept under
// prefix in rdb. A lease of zero means 30 seconds.
func NewConnections(rdb redis.UniversalClient, prefix string, slots int, lease time.Duration) *Connections {
	if lease <= 0 {
		lease = 30 * time.Second
	}
	return &Connections{rdb: rdb, key: prefix + ":conns", slots: max(slots, 1), lease: lease}
}

// Slot is one held connection slot.
type Slot struct {
	c     *Connections
	token string
}

// TryAcquire takes a slot if one is free; if not, retryAfter is when the
// first lease runs out.
func (c *Connections) TryAcquire(ctx context.Context) (slot Slot, ok bool, retryAfter time.Duration, err error) {
	var b [12]byte
	_, _ = rand.Read(b[:])
	token := hex.EncodeToString(b[:])
	v, err := acquireScript.Run(ctx, c.rdb, []string{c.key}, token, c.slots, c.lease.Milliseconds()).Int64Slice()
	if err != nil {
		return Slot{}, false, 0, fmt.Errorf("throttle: acquire a connection slot: %w", err)
	}
	if v[0] == 0 {
		return Slot{}, false, time.Duration(v[1]) * time.Millisecond, nil
	}
	return Slot{c: c, token: token}, true, 0, nil
}

// Acquire waits for a free slot, or until ctx is done. Slots are not handed
// out in order of asking; with few workers that is fair enough.
func (c *Connections) Acquire(ctx context.Context) (Slot, error) {
	for {
		s, ok, after, err := c.TryAcquire(ctx)
		if err != nil || ok {
			return s, err
		}
		// A released slot does not announce itself: look again soon.
		t := time.NewTimer(min(max(after, time.Millisecond), 50*time.Millisecond))
		select {
		case <-ctx.Done():
			t.Stop()
			return Slot{}, ctx.Err()
		case <-t.C:
		}
	}
}

// Renew extends the slot's lease by the full lease time.
func (s Slot) Renew(ctx context.Context) error {
	n, err := renewScript.Run(ctx, s.c.rdb, []string{s.c.key}, s.token, s.c.lease.Milliseconds()).Int64()
	if err != nil {
		return fmt.Errorf("throttle: renew a connection slot: %w", err)
	}
	if n == 0 {
		return ErrSlotLost
	}
	return nil
}

// Release frees the slot.
func (s Slot) Release(ctx context.Context) error {
	if err := s.c.rdb.ZRem(ctx, s.c.key, s.token).Err(); err != nil {
		return fmt.Errorf("throttle: release a connection slot: %w", err)
	}
	return nil
}

// The semaphore is a sorted set of holders scored by when their lease ends,
// on Redis's clock.
var acquireScript = redis.NewScript(`
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, tonumber(first[2]) - now}
end
local lease = tonumber(ARGV[3])
redis.call('ZADD', KEYS[1], string.format('%d', now + lease), ARGV[1])
redis.call('PEXPIRE', KEYS[1], lease * 2)
return {1, 0}
`)

var renewScript = redis.NewScript(`
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local until_ = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not until_ or tonumber(until_) <= now then return 0 end
local lease = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], string.format('%d', now + lease), ARGV[1])
if redis.call('PTTL', KEYS[1]) < lease * 2 then redis.call('PEXPIRE', KEYS[1], lease * 2) end
return 1
`)
