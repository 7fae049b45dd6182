package main

import (
	"sort"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy/internal/testenv"
)

// TestProcessWorkersHoldTheLimits has three `courtesy worker` processes and
// a scheduler race over 1,000 due messages for 50 customers — twenty
// campaigns each — under a limit of one message a day. Counted at the SMTP
// server, every customer gets exactly one.
func TestProcessWorkersHoldTheLimits(t *testing.T) {
	s := newProcShop(t, procShopOptions{
		redisURL:     testenv.RedisURL(t, testenv.RedisDBWorkers),
		campaigns:    20,
		perCustomer:  "1/24h",
		samePriority: true,
	})
	s.addCustomers(50)
	for i := 0; i < 3; i++ {
		s.start("worker-"+string(rune('a'+i)), "worker", "--concurrency", "8")
	}
	s.start("scheduler", "scheduler", "--every", "1s", "--lease", "5s")
	procWaitUntil(t, 3*time.Minute, "every message decided", func() bool {
		_, total, open := s.decisions()
		return total == 1000 && open == 0
	})
	s.checkDeliveredOnce(1)
	counts, _, _ := s.decisions()
	if counts["sent"] != 50 || s.sink.Count() != 50 {
		t.Errorf("sent %d (sink %d), want one for each of the 50 customers; decisions %v", counts["sent"], s.sink.Count(), counts)
	}
}

// TestProcessWorkersShareTheProviderRate has three worker processes send
// 300 messages under smtp.max_per_second: 50. The rate grants no burst
// beyond 50 a second; the server counts on arrival, so the check allows 5
// for messages granted late in one second that arrive with early ones of the
// next, and the whole run may not go faster than 50/s on average.
func TestProcessWorkersShareTheProviderRate(t *testing.T) {
	s := newProcShop(t, procShopOptions{
		redisURL:     testenv.RedisURL(t, testenv.RedisDBWorkers),
		campaigns:    6,
		perCustomer:  "100/24h",
		maxPerSecond: 50,
		samePriority: true,
	})
	s.addCustomers(50)
	for i := 0; i < 3; i++ {
		s.start("worker-"+string(rune('a'+i)), "worker", "--concurrency", "8")
	}
	s.start("scheduler", "scheduler", "--every", "1s", "--lease", "5s")
	procWaitUntil(t, 3*time.Minute, "300 messages sent", func() bool { return s.sink.Count() >= 300 })
	var at []time.Time
	for _, m := range s.sink.Messages() {
		at = append(at, m.At)
	}
	sort.Slice(at, func(i, j int) bool { return at[i].Before(at[j]) })
	busiest := 0
	for i, j := 0, 0; i < len(at); i++ {
		for at[i].Sub(at[j]) >= time.Second {
			j++
		}
		busiest = max(busiest, i-j+1)
	}
	if busiest > 55 {
		t.Errorf("the SMTP server saw %d messages in one second; the rate is 50/s", busiest)
	}
	if span := at[len(at)-1].Sub(at[0]); span < 299*time.Second/50-500*time.Millisecond {
		t.Errorf("300 messages went in %s: faster than 50/s allows", span)
	}
	t.Logf("busiest second: %d messages; 300 messages over %s", busiest, at[len(at)-1].Sub(at[0]).Round(time.Millisecond))
	s.checkDeliveredOnce(6)
}
