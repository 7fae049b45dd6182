package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/courtesyhq/courtesy/worker"
)

// newServer is an asynq server on the bench's Redis database, configured as
// the courtesy worker configures its own.
func newServer(rdb *redis.Client, concurrency int) *asynq.Server {
	return asynq.NewServerFromRedisClient(rdb, asynq.Config{
		Concurrency:              concurrency,
		Queues:                   map[string]int{worker.Queue: 1},
		Logger:                   quietLogger{},
		LogLevel:                 asynq.ErrorLevel,
		ShutdownTimeout:          10 * time.Second,
		DelayedTaskCheckInterval: time.Second,
	})
}

// runRawQueue enqueues n tasks as the planner does (worker.Enqueuer: a task
// ID per message) while a server of the given concurrency processes them
// with a handler that does nothing: the ceiling the queue allows.
func runRawQueue(ctx context.Context, rdb *redis.Client, n, concurrency int) (result, error) {
	if err := rdb.FlushDB(ctx).Err(); err != nil {
		return result{}, err
	}
	var done atomic.Int64
	return processQueued(ctx, rdb, "raw queue", n, concurrency, func(context.Context, *asynq.Task) error {
		done.Add(1)
		return nil
	}, done.Load)
}

// processQueued starts a server of the given concurrency whose handler for
// message tasks is handle, enqueues n of them as the scheduler does (a task
// ID per message) and waits until processed counts n. The meter runs from
// before the server starts until then.
func processQueued(ctx context.Context, rdb *redis.Client, name string, n, concurrency int, handle asynq.HandlerFunc, processed func() int64) (result, error) {
	srv := newServer(rdb, concurrency)
	mux := asynq.NewServeMux()
	mux.HandleFunc(worker.TypeSend, handle)
	q := worker.Enqueuer{Client: asynq.NewClientFromRedisClient(rdb)}
	m := startMeter(rdb)
	if err := srv.Start(mux); err != nil {
		return result{}, err
	}
	defer srv.Shutdown()
	now := time.Now()
	for i := range n {
		if err := q.Enqueue(ctx, taskKey(i), now, now); err != nil {
			return result{}, err
		}
	}
	if err := waitFor(ctx, func() bool { return processed() >= int64(n) }, drainTimeout(n)); err != nil {
		return result{}, fmt.Errorf("%s: %d of %d tasks processed: %w", name, processed(), n, err)
	}
	return m.stop(name, n), nil
}

// taskKey is the message key of the i-th task the raw queue phases enqueue.
func taskKey(i int) string { return fmt.Sprintf("bench:%s:%d", custID(i), i) }

// waitFor polls cond every few milliseconds until it holds.
func waitFor(ctx context.Context, cond func() bool, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}

// quietLogger keeps asynq's own messages out of the figures; errors still
// show.
type quietLogger struct{}

func (quietLogger) Debug(...any)      {}
func (quietLogger) Info(...any)       {}
func (quietLogger) Warn(...any)       {}
func (quietLogger) Error(args ...any) { slog.Error(fmt.Sprint(args...)) }
func (quietLogger) Fatal(args ...any) { slog.Error(fmt.Sprint(args...)) }
