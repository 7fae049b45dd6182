package testenv

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// SentinelPrimary returns the address every test Sentinel names as the
// primary now; just after a failover they may disagree for a moment, which
// is an error.
func SentinelPrimary(ctx context.Context) (string, error) {
	named := map[string]bool{}
	for _, a := range SentinelAddrs() {
		s := redis.NewSentinelClient(&redis.Options{Addr: a})
		hp, err := s.GetMasterAddrByName(ctx, SentinelMaster).Result()
		_ = s.Close()
		if err != nil || len(hp) != 2 {
			return "", fmt.Errorf("sentinel %s does not name the primary of %q: %v", a, SentinelMaster, err)
		}
		named[net.JoinHostPort(hp[0], hp[1])] = true
	}
	if len(named) != 1 {
		return "", fmt.Errorf("the sentinels name different primaries: %v", named)
	}
	for p := range named {
		return p, nil
	}
	return "", fmt.Errorf("no sentinel at %v", SentinelAddrs())
}

// WaitSentinelSettled waits until the Sentinel setup is whole: every
// Sentinel names the same primary and sees the two others, and every other
// data node is its replica with the replication link up. A test that fails
// the primary over calls it before, in case an earlier run left a failover
// under way, and after, so the next test finds the setup usable.
func WaitSentinelSettled(tb testing.TB, timeout time.Duration) {
	tb.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(timeout)
	var why error
	for {
		if why = sentinelSettled(ctx); why == nil {
			return
		}
		if noSentinelAnswers(ctx) {
			unreachable(tb, "Redis Sentinel", why) // skips outside CI
		}
		if time.Now().After(deadline) {
			tb.Fatalf("the Sentinel setup did not settle in %v: %v", timeout, why)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// noSentinelAnswers reports whether not one Sentinel takes a connection:
// none is running, as opposed to a setup in the middle of a failover.
func noSentinelAnswers(ctx context.Context) bool {
	for _, a := range SentinelAddrs() {
		c, err := (&net.Dialer{Timeout: time.Second}).DialContext(ctx, "tcp", a)
		if err == nil {
			_ = c.Close()
			return false
		}
	}
	return true
}

func sentinelSettled(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	primary := ""
	var replicas []map[string]string
	for _, a := range SentinelAddrs() {
		s := redis.NewSentinelClient(&redis.Options{Addr: a})
		m, err := s.Master(ctx, SentinelMaster).Result()
		if err == nil {
			replicas, err = s.Replicas(ctx, SentinelMaster).Result()
		}
		_ = s.Close()
		switch {
		case err != nil:
			return fmt.Errorf("sentinel %s: %w", a, err)
		case m["flags"] != "master":
			return fmt.Errorf("sentinel %s: the primary is %s", a, m["flags"])
		case m["num-other-sentinels"] != "2":
			return fmt.Errorf("sentinel %s sees %s other sentinels, want 2", a, m["num-other-sentinels"])
		}
		p := net.JoinHostPort(m["ip"], m["port"])
		if primary != "" && p != primary {
			return fmt.Errorf("sentinels disagree on the primary: %s and %s", primary, p)
		}
		primary = p
	}
	if len(replicas) == 0 {
		return fmt.Errorf("the primary %s has no replica", primary)
	}
	for _, r := range replicas {
		addr := net.JoinHostPort(r["ip"], r["port"])
		if r["flags"] != "slave" {
			return fmt.Errorf("replica %s is %s", addr, r["flags"])
		}
		c := redis.NewClient(&redis.Options{Addr: addr})
		info, err := c.Info(ctx, "replication").Result()
		_ = c.Close()
		if err != nil {
			return fmt.Errorf("replica %s: %w", addr, err)
		}
		if !strings.Contains(info, "master_link_status:up") || !strings.Contains(info, "master_port:"+strings.Split(primary, ":")[1]) {
			return fmt.Errorf("replica %s does not replicate from %s yet", addr, primary)
		}
	}
	return nil
}
