package throttle

import (
	"context"
	"strconv"
	"testing"
	"time"
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
