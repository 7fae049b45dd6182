package throttleredis

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy/internal/testenv"
)

// Thirty workers on three connection pools never hold more than four
// connections at once.
func TestConnectionsBoundHolders(t *testing.T) {
	testenv.ForEachTopology(t, testenv.RedisDBThrottle, testConnectionsBoundHolders)
}

func testConnectionsBoundHolders(t *testing.T, env testenv.RedisEnv) {
	const slots = 4
	prefix := env.Prefix + fmt.Sprintf(":conns:%x", rand.Uint32())
	var holding, worst, total atomic.Int64
	var wg sync.WaitGroup
	for range 3 {
		conns := NewConnections(env.NewClient(t), prefix, slots, 5*time.Second)
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx := context.Background()
				for range 5 {
					s, err := conns.Acquire(ctx)
					if err != nil {
						t.Error(err)
						return
					}
					n := holding.Add(1)
					for {
						w := worst.Load()
						if n <= w || worst.CompareAndSwap(w, n) {
							break
						}
					}
					total.Add(1)
					time.Sleep(time.Duration(1+rand.IntN(5)) * time.Millisecond)
					holding.Add(-1)
					if err := s.Release(ctx); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	if worst.Load() > slots || total.Load() != 150 {
		t.Errorf("at most %d held at once over %d holds, want at most %d over 150", worst.Load(), total.Load(), slots)
	}
	if worst.Load() < 2 {
		t.Errorf("never more than %d held at once: the slots were not shared", worst.Load())
	}
}

// A worker that dies holding a slot frees it when its lease runs out; one
// that renews keeps it.
func TestConnectionsLease(t *testing.T) {
	testenv.ForEachTopology(t, testenv.RedisDBThrottle, testConnectionsLease)
}

func testConnectionsLease(t *testing.T, env testenv.RedisEnv) {
	conns := NewConnections(env.Client, env.Prefix+fmt.Sprintf(":conns:%x", rand.Uint32()), 1, 500*time.Millisecond)
	ctx := context.Background()
	held, ok, _, err := conns.TryAcquire(ctx)
	if err != nil || !ok {
		t.Fatalf("first acquire: ok=%v err=%v", ok, err)
	}
	_, ok, after, err := conns.TryAcquire(ctx)
	if err != nil || ok || after <= 0 || after > 500*time.Millisecond {
		t.Fatalf("second acquire: ok=%v after=%v err=%v, want refused within the lease", ok, after, err)
	}
	time.Sleep(300 * time.Millisecond)
	if err := held.Renew(ctx); err != nil {
		t.Fatalf("renew in time: %v", err)
	}
	time.Sleep(300 * time.Millisecond) // past the first lease, inside the renewed one
	if _, ok, _, _ := conns.TryAcquire(ctx); ok {
		t.Fatalf("a renewed slot was taken by another")
	}
	time.Sleep(400 * time.Millisecond) // the holder has died
	other, ok, _, err := conns.TryAcquire(ctx)
	if err != nil || !ok {
		t.Fatalf("acquire after the lease ran out: ok=%v err=%v", ok, err)
	}
	if err := held.Renew(ctx); !errors.Is(err, ErrSlotLost) {
		t.Errorf("renewing a lost slot: %v, want ErrSlotLost", err)
	}
	if err := other.Release(ctx); err != nil {
		t.Fatal(err)
	}
}
