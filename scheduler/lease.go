package scheduler

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Lease is a Redis lock with an expiry that its holder keeps renewing. When
// the holder dies, the lease runs out and another process takes it.
type Lease struct {
	rdb   redis.UniversalClient
	key   string
	token string
	ttl   time.Duration
}

// NewLease returns a lease on key that lasts ttl unless renewed.
func NewLease(rdb redis.UniversalClient, key string, ttl time.Duration) *Lease {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return &Lease{rdb: rdb, key: key, token: hex.EncodeToString(b[:]), ttl: ttl}
}

// acquireOrRenew takes the lease when it is free and extends it when this
// process holds it, in one step.
var acquireOrRenew = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if cur == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if cur == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`)

var release = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`)

// Hold reports whether this process holds the lease now, taking or renewing
// it as needed.
func (l *Lease) Hold(ctx context.Context) (bool, error) {
	n, err := acquireOrRenew.Run(ctx, l.rdb, []string{l.key}, l.token, l.ttl.Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("scheduler lease: %w", err)
	}
	return n == 1, nil
}

// Release gives the lease up if this process holds it.
func (l *Lease) Release(ctx context.Context) error {
	return release.Run(ctx, l.rdb, []string{l.key}, l.token).Err()
}
