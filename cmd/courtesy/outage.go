package main

import (
	"context"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// redisOutage runs a task a second time when it failed while Redis could
// not be reached and Redis answers again soon after — a Sentinel failover,
// a restart. asynq v0.26.0 cannot record such a failure itself: its later
// attempt to move the task to the retry set runs on a context it has
// already cancelled, so the task would stay active until its lease is
// recovered, one to two minutes on. The send path is safe to run twice (the
// claim in the store decides what was sent), so running it again is what a
// redelivery would do, only sooner. A task that fails while Redis answers
// is left to asynq's retries as before.
type redisOutage struct {
	next asynq.Handler
	rdb  redis.UniversalClient
	// wait bounds how long a failed task waits for Redis: short of asynq's
	// 30-second lease, which cannot be renewed while Redis is away.
	wait, poll time.Duration
}

func (h redisOutage) ProcessTask(ctx context.Context, t *asynq.Task) error {
	err := h.next.ProcessTask(ctx, t)
	if err == nil || !h.cameBack(ctx) {
		return err
	}
	return h.next.ProcessTask(ctx, t)
}

// cameBack reports whether Redis was unreachable and answers again within
// the wait.
func (h redisOutage) cameBack(ctx context.Context) bool {
	if h.ping(ctx) {
		return false
	}
	deadline := time.NewTimer(h.wait)
	defer deadline.Stop()
	tick := time.NewTicker(h.poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-deadline.C:
			return false
		case <-tick.C:
			if h.ping(ctx) {
				return true
			}
		}
	}
}

func (h redisOutage) ping(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	return h.rdb.Ping(ctx).Err() == nil
}
