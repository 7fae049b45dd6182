package throttleredis

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy/internal/testenv"
)

// TestCounterLimitsPerKeyAndWindow: a key gets limit events in a window and
// no more, other keys are not touched, and the next window starts afresh.
func TestCounterLimitsPerKeyAndWindow(t *testing.T) {
	rdb := setup(t)
	c := NewCounter(rdb, "test:count")
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	take := func(key string, at time.Time) bool {
		t.Helper()
		ok, err := c.Take(ctx, key, 3, time.Hour, at)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	for i := range 3 {
		if !take("a", now.Add(time.Duration(i)*time.Minute)) {
			t.Fatalf("event %d of 3 refused", i+1)
		}
	}
	if take("a", now.Add(10*time.Minute)) {
		t.Error("a fourth event in the hour was let through")
	}
	if !take("b", now.Add(10*time.Minute)) {
		t.Error("another key was refused")
	}
	if !take("a", now.Add(time.Hour)) {
		t.Error("the next window was refused")
	}
	ttl, err := rdb.PTTL(ctx, "test:count:a:"+strconv.FormatInt(now.UnixMilli()/time.Hour.Milliseconds(), 10)).Result()
	if err != nil || ttl <= 0 || ttl > 2*time.Hour {
		t.Errorf("window key TTL = %v, %v; want it to expire within two windows", ttl, err)
	}
}

// TestCounterForgetsAKey: an erasure deletes every window of a customer's
// key, wherever a Cluster keeps them, and no other key's; a key with
// characters a SCAN pattern would read as a glob is taken as written.
func TestCounterForgetsAKey(t *testing.T) {
	testenv.ForEachTopology(t, testenv.RedisDBThrottle, func(t *testing.T, r testenv.RedisEnv) {
		ctx := context.Background()
		c := NewCounter(r.Client, r.Prefix+":count")
		now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		for _, key := range []string{"web:post:c[1]*", "web:post:c1", "web:post:c10"} {
			for h := range 5 {
				if _, err := c.Take(ctx, key, 10, time.Hour, now.Add(time.Duration(h)*time.Hour)); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := c.Forget(ctx, "web:post:c[1]*", "web:post:c1"); err != nil {
			t.Fatal(err)
		}
		keys, err := testenv.Keys(ctx, r.Client, r.Prefix+":count:*")
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) != 5 {
			t.Fatalf("keys left = %v, want the five windows of web:post:c10", keys)
		}
		for _, k := range keys {
			if !strings.HasPrefix(k, r.Prefix+":count:web:post:c10:") {
				t.Errorf("%s was left, or another key's window was deleted", k)
			}
		}
	})
}
