package main

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/courtesyhq/courtesy/internal/testenv"
)

// TestProcessSentinelFailover runs a scheduler and a worker process under
// Sentinel and shuts the primary down in the middle of the run. Sentinel
// promotes the replica (down-after-milliseconds 5000), the processes follow
// it, and the old primary is started again as a replica of the new one, as
// scripts/services does. Every message still gets exactly one final
// decision, no customer gets more than the limit allows, and the sink
// receives none twice; the messages that were in flight go on within
// seconds of the promotion (see redisOutage).
func TestProcessSentinelFailover(t *testing.T) {
	start := time.Now()
	// An earlier run may have left a failover under way; leave the setup
	// whole for the next.
	testenv.WaitSentinelSettled(t, 30*time.Second)
	t.Cleanup(func() { testenv.WaitSentinelSettled(t, 30*time.Second) })
	_, redisURL, yaml := appRedis(t, testenv.Sentinel)
	// Two campaigns that a limit of one message a day lets only one of
	// through: the limits hold across the failover too.
	s := newProcShop(t, procShopOptions{redisURL: redisURL, redisYAML: yaml, campaigns: 2, perCustomer: "1/24h", maxPerSecond: 40})
	const customers = 300
	s.addCustomers(customers)
	ctx := context.Background()
	old, err := testenv.SentinelPrimary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.start("scheduler", "scheduler")
	s.start("worker", "worker", "--concurrency", "5")
	s.sink.WaitFor(t, 60, 30*time.Second)

	primary := redis.NewClient(&redis.Options{Addr: old, MaxRetries: -1})
	defer primary.Close()
	stoppedAt := s.sink.Count()
	// The reply is the connection closing.
	_ = primary.Do(ctx, "SHUTDOWN", "NOSAVE").Err()
	// Five seconds to call the primary down and one to promote; a busy
	// machine can put the Sentinels in TILT mode, judging nothing for 30
	// seconds, first.
	promoted := procWaitUntil(t, 45*time.Second, "Sentinel promotes the replica", func() bool {
		p, err := testenv.SentinelPrimary(ctx)
		return err == nil && p != old
	})
	now, _ := testenv.SentinelPrimary(ctx)
	t.Logf("primary %s shut down after %d messages; %s promoted in %v", old, stoppedAt, now, promoted.Round(100*time.Millisecond))
	if out, err := exec.Command("../../scripts/services", "redis-ha").CombinedOutput(); err != nil {
		t.Fatalf("start the old primary again: %v\n%s", err, out)
	}

	// The second campaign's messages wait for the first's (PriorityWait,
	// 30 s a time): a message deferred just before the fault is looked at
	// again a wait or two later, so recovery is bounded by two waits and a
	// planning round, not by the failover.
	s.checkRecovered(2*customers, customers, 90*time.Second)

	// The old primary serves again, as a replica of the new one — or as
	// the primary, should a busy machine have made Sentinel fail over once
	// more, which the run above came through as well.
	testenv.WaitSentinelSettled(t, 30*time.Second)
	role, err := primary.Do(ctx, "ROLE").Slice()
	now, _ = testenv.SentinelPrimary(ctx)
	switch {
	case err == nil && len(role) > 0 && role[0] == "slave":
	case err == nil && len(role) > 0 && role[0] == "master" && now == old:
		t.Logf("Sentinel failed over a second time, back to %s", old)
	default:
		t.Errorf("the old primary %s: ROLE = %v, %v; want a replica", old, role, err)
	}
	t.Logf("the whole failover run took %v", time.Since(start).Round(100*time.Millisecond))
}
