package signupredis

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy/internal/testenv"
	"github.com/courtesyhq/courtesy/signup"
)

var at = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)

// TestGateHoldsAnAddressToItsWindows: one confirmation per ten minutes and
// three a day, per address, whatever other addresses do.
func TestGateHoldsAnAddressToItsWindows(t *testing.T) {
	ctx := context.Background()
	g := NewGate(testenv.Redis(t, testenv.RedisDBSignup), "t", signup.AddressLimits)
	var got []bool
	for _, step := range []time.Duration{0, time.Minute, 9 * time.Minute, 10 * time.Minute, 20 * time.Minute, 30 * time.Minute, 24*time.Hour + 1} {
		ok, err := g.Allow(ctx, "a", at.Add(step))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ok)
	}
	want := []bool{true, false, false, true, true, false, true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("turns (-want +got):\n%s", diff)
	}
	if ok, err := g.Allow(ctx, "b", at.Add(time.Minute)); err != nil || !ok {
		t.Errorf("another address waits for the first: %v, %v", ok, err)
	}
}

func TestTallyCountsPerDay(t *testing.T) {
	ctx := context.Background()
	tally := NewTally(testenv.Redis(t, testenv.RedisDBSignup), "t", time.UTC)
	for _, d := range []time.Duration{0, time.Hour, 24 * time.Hour} {
		if err := tally.Started(ctx, at.Add(d)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := tally.PerDay(ctx, at.AddDate(0, 0, -1), at.AddDate(0, 0, 3))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int{"2026-11-28": 2, "2026-11-29": 1}, got); diff != "" {
		t.Errorf("per day (-want +got):\n%s", diff)
	}
}
