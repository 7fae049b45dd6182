package throttleredis

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy/internal/testenv"
)

func TestRateAllow(t *testing.T) {
	testenv.ForEachTopology(t, testenv.RedisDBThrottle, testRateAllow)
}

func testRateAllow(t *testing.T, env testenv.RedisEnv) {
	ctx := context.Background()
	r := NewRate(env.Client, env.Prefix+fmt.Sprintf(":rate:%x", rand.Uint32()), 10, 2)
	// A fresh rate lets the burst through at once: one turn plus two more.
	for i := range 3 {
		ok, _, err := r.Allow(ctx)
		if err != nil || !ok {
			t.Fatalf("turn %d of the burst: ok=%v err=%v", i, ok, err)
		}
	}
	ok, after, err := r.Allow(ctx)
	if err != nil || ok {
		t.Fatalf("after the burst: ok=%v err=%v, want refused", ok, err)
	}
	if after <= 0 || after > 100*time.Millisecond {
		t.Errorf("retry after %v, want within one interval (100ms)", after)
	}
	start := time.Now()
	if err := r.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < after/2 {
		t.Errorf("Wait returned after %v, before the turn came (%v)", waited, after)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := r.Wait(cctx); err == nil {
		t.Errorf("Wait on a cancelled context returned no error")
	}
}

// Three groups of workers, each with its own connection pool as separate
// processes would have, share 50 messages a second with a burst of 5.
func TestRateSharedAcrossClients(t *testing.T) {
	testenv.ForEachTopology(t, testenv.RedisDBThrottle, testRateSharedAcrossClients)
}

func testRateSharedAcrossClients(t *testing.T, env testenv.RedisEnv) {
	const perSecond, burst = 50, 5
	prefix := env.Prefix + fmt.Sprintf(":rate:%x", rand.Uint32())
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()

	var (
		mu      sync.Mutex
		granted []time.Time // on Redis's clock
	)
	var wg sync.WaitGroup
	for range 3 {
		r := NewRate(env.NewClient(t), prefix, perSecond, burst)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					at, err := r.wait(ctx)
					if err != nil {
						return // the three seconds are up
					}
					mu.Lock()
					granted = append(granted, at)
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()

	slices.SortFunc(granted, func(a, b time.Time) int { return a.Compare(b) })
	worst := 0
	for i, x := range granted {
		n := 0
		for _, y := range granted[i:] {
			if y.Sub(x) >= time.Second {
				break
			}
			n++
		}
		worst = max(worst, n)
	}
	t.Logf("%d granted in 3s; the busiest second held %d", len(granted), worst)
	if worst > perSecond+burst {
		t.Errorf("a one-second span held %d turns, want at most %d", worst, perSecond+burst)
	}
	if len(granted) < 3*perSecond*9/10 {
		t.Errorf("only %d turns in 3s: the rate starves its workers", len(granted))
	}
}
