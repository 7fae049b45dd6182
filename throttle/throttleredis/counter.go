package throttleredis

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Counter counts events per key in fixed windows kept in Redis, so a limit
// holds across every process that shares the Redis: the web pages' limits
// per customer, which a stranger with one link must not be able to outrun
// by spreading requests over several servers.
//
// The window is read from the caller's clock, so a test can move it; a
// window's key expires one window after it ends, on Redis's clock.
type Counter struct {
	rdb    redis.UniversalClient
	prefix string
}

// NewCounter returns a counter keeping its keys under prefix in rdb.
func NewCounter(rdb redis.UniversalClient, prefix string) *Counter {
	return &Counter{rdb: rdb, prefix: prefix}
}

// counterScript counts one event and sets the key's life on the first.
// KEYS[1] is the window's key; ARGV[1] its life in milliseconds.
var counterScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
`)

// Take counts one event for key in the window of the given length that
// holds now, and reports whether the count is within limit. Refused events
// count too, so hammering a key does not shorten its wait.
func (c *Counter) Take(ctx context.Context, key string, limit int, window time.Duration, now time.Time) (bool, error) {
	if window < time.Millisecond {
		window = time.Millisecond
	}
	slot := now.UnixMilli() / window.Milliseconds()
	k := c.prefix + ":" + key + ":" + strconv.FormatInt(slot, 10)
	n, err := counterScript.Run(ctx, c.rdb, []string{k}, (2 * window).Milliseconds()).Int64()
	if err != nil {
		return false, fmt.Errorf("throttle: count %s: %w", key, err)
	}
	return n <= int64(limit), nil
}

// Forget deletes every window of the keys, for an erasure: a key names a
// customer.
func (c *Counter) Forget(ctx context.Context, keys ...string) error {
	for _, key := range keys {
		match := globEscaper.Replace(c.prefix+":"+key) + ":*"
		del := func(ctx context.Context, rdb redis.UniversalClient) error {
			iter := rdb.Scan(ctx, 0, match, 100).Iterator()
			for iter.Next(ctx) {
				if err := rdb.Del(ctx, iter.Val()).Err(); err != nil {
					return err
				}
			}
			return iter.Err()
		}
		var err error
		if cc, ok := c.rdb.(*redis.ClusterClient); ok {
			err = cc.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error { return del(ctx, n) })
		} else {
			err = del(ctx, c.rdb)
		}
		if err != nil {
			return fmt.Errorf("throttle: forget %s: %w", key, err)
		}
	}
	return nil
}

var globEscaper = strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`, `]`, `\]`)
