package main

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// A task that failed while Redis was away runs again as soon as Redis
// answers; one that failed while Redis answered, or while Redis stayed away,
// goes back to asynq with its error.
func TestRedisOutageRunsTheTaskAgainWhenRedisIsBack(t *testing.T) {
	r := startPrivateRedis(t)
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + r.port, MaxRetries: -1})
	t.Cleanup(func() { _ = rdb.Close() })
	failed := errors.New("the send path failed")
	task := asynq.NewTask("send", nil)
	// restarted carries the result of a restart begun during a run; the
	// case waits for it, so that Redis is up again before the next case
	// stops it.
	var restarted chan error

	tests := []struct {
		name      string
		fault     func() // during the first run
		wantCalls int32
		wantErr   error
	}{
		{name: "Redis answers", fault: func() {}, wantCalls: 1, wantErr: failed},
		{name: "Redis comes back", fault: func() {
			r.stop()
			restarted = make(chan error, 1)
			// Later than the client's own dial retries (about half a second).
			go func() { time.Sleep(1500 * time.Millisecond); restarted <- r.spawn() }()
		}, wantCalls: 2, wantErr: nil},
		{name: "Redis stays away", fault: r.stop, wantCalls: 1, wantErr: failed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			h := redisOutage{rdb: rdb, wait: 5 * time.Second, poll: 50 * time.Millisecond,
				next: asynq.HandlerFunc(func(context.Context, *asynq.Task) error {
					if calls.Add(1) == 1 {
						tt.fault()
						return failed
					}
					return nil
				})}
			if err := h.ProcessTask(context.Background(), task); !errors.Is(err, tt.wantErr) {
				t.Errorf("error = %v, want %v", err, tt.wantErr)
			}
			if n := calls.Load(); n != tt.wantCalls {
				t.Errorf("the task ran %d times, want %d", n, tt.wantCalls)
			}
			if restarted != nil {
				if err := <-restarted; err != nil {
					t.Fatalf("restarting Redis: %v", err)
				}
				restarted = nil
				r.waitUp(t)
			}
		})
	}
}

// run-once does not take a Redis it cannot reach for an empty queue: it
// waits for Redis, and says so if Redis does not come back in time.
func TestRunOnceWaitsForRedisToDrain(t *testing.T) {
	r := startPrivateRedis(t)
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + r.port, MaxRetries: -1})
	t.Cleanup(func() { _ = rdb.Close() })
	b := &batch{a: &app{rdb: rdb}, insp: asynq.NewInspectorFromRedisClient(rdb)}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Nothing was queued: the queue is drained at once.
	if err := b.drain(ctx); err != nil {
		t.Fatalf("drain of a queue that was never used: %v", err)
	}
	r.stop()
	ctx, cancel = context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := b.drain(ctx); err == nil {
		t.Error("drain returned without error while Redis was away")
	}
}
