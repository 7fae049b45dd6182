package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/courtesyhq/courtesy/mailer"
	"github.com/courtesyhq/courtesy/worker"
)

// runQueueSMTP puts the two raw phases together: the tasks are enqueued as
// the raw queue phase enqueues them, and a server of the given concurrency
// sends, for each task, its pre-rendered message through the mailer's pool
// of conns connections. No store, no limiter, no rendering: the ceiling of
// any design that sends one message per asynq task.
func runQueueSMTP(ctx context.Context, rdb *redis.Client, sinkURL string, msgs []*mailer.Message, conns, concurrency int) (result, error) {
	if err := rdb.FlushDB(ctx).Err(); err != nil {
		return result{}, err
	}
	s, err := mailer.Open(sinkURL, mailer.Config{MaxConnections: conns, HelloName: "crumb.example"})
	if err != nil {
		return result{}, err
	}
	defer s.Close()
	byKey := make(map[string]*mailer.Message, len(msgs))
	for i, m := range msgs {
		byKey[taskKey(i)] = m
	}
	var (
		sent, failed atomic.Int64
		mu           sync.Mutex
		first        error
	)
	handle := func(ctx context.Context, t *asynq.Task) error {
		// The task carries the key only, as the pipeline's do, so finding
		// the message is part of the cost.
		var pl worker.Payload
		err := json.Unmarshal(t.Payload(), &pl)
		msg := byKey[pl.Key]
		if err == nil && msg == nil {
			err = fmt.Errorf("no message for task %q", pl.Key)
		}
		if err == nil {
			err = s.Send(ctx, msg)
		}
		if err != nil {
			// A retry would only hide the failure behind asynq's backoff:
			// the phase fails instead.
			failed.Add(1)
			mu.Lock()
			if first == nil {
				first = err
			}
			mu.Unlock()
			return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
		}
		sent.Add(1)
		return nil
	}
	r, err := processQueued(ctx, rdb, "queue+smtp", len(msgs), concurrency, handle, func() int64 { return sent.Load() + failed.Load() })
	if err != nil {
		return r, err
	}
	mu.Lock()
	defer mu.Unlock()
	if first != nil {
		return r, fmt.Errorf("%d of %d messages failed, the first: %w", failed.Load(), len(msgs), first)
	}
	return r, nil
}
