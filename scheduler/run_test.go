package scheduler

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/courtesyhq/courtesy/internal/testenv"
	"github.com/courtesyhq/courtesy/store/storetest"
)

// countedGuard counts the checks it is asked for. When block is set, the
// first check waits until it is closed.
type countedGuard struct {
	checks atomic.Int32
	block  chan struct{}
}

func (g *countedGuard) Check(context.Context) error {
	if g.checks.Add(1) == 1 && g.block != nil {
		<-g.block
	}
	return nil
}

// newTestRunner is a runner over an empty store, competing for the lease
// on key with every other runner on the same key.
func newTestRunner(t *testing.T, rdb redis.UniversalClient, key string, g Guard) *Runner {
	t.Helper()
	return &Runner{
		Planner: &Planner{Store: storetest.OpenSQLite(t), Location: time.UTC},
		Lease:   NewLease(rdb, key, time.Minute),
		Guard:   g,
		Now:     func() time.Time { return time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC) },
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

func TestRunnerChecksTheGuardOnlyUnderTheLease(t *testing.T) {
	rdb := testenv.Redis(t, testenv.RedisDBScheduler)
	ctx := context.Background()
	var a, b countedGuard
	ra := newTestRunner(t, rdb, "lease:guard", &a)
	rb := newTestRunner(t, rdb, "lease:guard", &b)

	checks := func(step string, wantA, wantB int32) {
		t.Helper()
		if got := a.checks.Load(); got != wantA {
			t.Errorf("%s: the first scheduler checked %d times, want %d", step, got, wantA)
		}
		if got := b.checks.Load(); got != wantB {
			t.Errorf("%s: the second scheduler checked %d times, want %d", step, got, wantB)
		}
	}
	ra.round(ctx)
	rb.round(ctx)
	checks("both ran a round", 1, 0)
	ra.round(ctx)
	rb.round(ctx)
	checks("both ran another", 2, 0)
	if err := ra.Lease.Release(ctx); err != nil {
		t.Fatal(err)
	}
	rb.round(ctx)
	ra.round(ctx)
	checks("the first gave the lease up", 2, 1)
}

func TestRunnerSkipsARoundWhileOneRuns(t *testing.T) {
	ctx := context.Background()
	g := &countedGuard{block: make(chan struct{})}
	r := newTestRunner(t, testenv.Redis(t, testenv.RedisDBScheduler), "lease:overlap", g)
	done := make(chan struct{})
	go func() {
		r.round(ctx)
		close(done)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for g.checks.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the first round never reached its check")
		}
		time.Sleep(5 * time.Millisecond)
	}
	// The first round is in its check: a firing now must not start a
	// second check beside it.
	r.round(ctx)
	close(g.block)
	<-done
	if got := g.checks.Load(); got != 1 {
		t.Errorf("two overlapping rounds ran %d checks, want 1", got)
	}
	r.round(ctx)
	if got := g.checks.Load(); got != 2 {
		t.Errorf("the round after them ran no check (%d in all, want 2)", got)
	}
}
