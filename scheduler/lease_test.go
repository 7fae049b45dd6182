package scheduler

import (
	"context"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy/internal/testenv"
)

func TestLeaseOneHolderAtATime(t *testing.T) {
	testenv.ForEachTopology(t, testenv.RedisDBScheduler, testLeaseOneHolderAtATime)
}

func testLeaseOneHolderAtATime(t *testing.T, env testenv.RedisEnv) {
	ctx := context.Background()
	// The lease's scripts keep to one slot of a Cluster.
	rec := testenv.RecordScripts(env.Client)
	if env.Topology == testenv.Cluster {
		t.Cleanup(func() {
			if n := testenv.AssertOneSlotEach(t, env.Client, rec.Calls()); n == 0 {
				t.Error("no script call was recorded")
			}
		})
	}
	// Long next to the renewals below, so a slow moment on a busy machine
	// does not let the lease lapse between them.
	const ttl = 2 * time.Second
	// Two processes, each with its own connections.
	a := NewLease(env.Client, env.Prefix+":lease:test", ttl)
	b := NewLease(env.NewClient(t), env.Prefix+":lease:test", ttl)

	hold := func(l *Lease) bool {
		t.Helper()
		ok, err := l.Hold(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !hold(a) {
		t.Fatal("the first scheduler did not get a free lease")
	}
	if hold(b) {
		t.Fatal("a second scheduler got a lease that is held")
	}
	// Renewing keeps it past its first expiry.
	for i := 0; i < 4; i++ {
		time.Sleep(ttl / 3)
		if !hold(a) {
			t.Fatal("the holder lost its lease while renewing it")
		}
		if hold(b) {
			t.Fatal("the other scheduler took a renewed lease")
		}
	}
	// The holder dies: the lease runs out and the other takes over.
	deadline := time.Now().Add(3 * ttl)
	for !hold(b) {
		if time.Now().After(deadline) {
			t.Fatal("the lease of a dead holder was never taken over")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if hold(a) {
		t.Fatal("the old holder came back and took the lease from the new one")
	}
	// Release gives it up at once, and only by its holder.
	if err := a.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if hold(a) {
		t.Fatal("a release by a non-holder freed the lease")
	}
	if err := b.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if !hold(a) {
		t.Fatal("a released lease could not be taken")
	}
}
