package worker

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// Task types: one message, and a batch of messages of one campaign that
// are due now.
const (
	TypeSend  = "courtesy:send"
	TypeBatch = "courtesy:send-batch"
)

// Queue is the asynq queue courtesy uses.
const Queue = "courtesy"

// Payload identifies the message a task is about. Everything else is read
// from the store when the task runs, so a task never carries stale state.
type Payload struct {
	Key string `json:"key"`
}

// NewTask returns the task for the message with the given key.
func NewTask(key string) *asynq.Task {
	b, _ := json.Marshal(Payload{Key: key})
	return asynq.NewTask(TypeSend, b)
}

// BatchPayload names the messages of a batch task.
type BatchPayload struct {
	Keys []string `json:"keys"`
}

// NewBatchTask returns the task for the messages with these keys.
func NewBatchTask(keys []string) *asynq.Task {
	b, _ := json.Marshal(BatchPayload{Keys: keys})
	return asynq.NewTask(TypeBatch, b)
}

// BatchID is the task ID of a batch: made from its keys, so a batch
// planned again while it is still queued is not queued twice.
func BatchID(keys []string) string {
	h := sha256.New()
	for _, k := range keys {
		h.Write([]byte(k))
		h.Write([]byte{'\n'})
	}
	return "batch:" + hex.EncodeToString(h.Sum(nil)[:16])
}

// Enqueuer puts message tasks on the queue.
type Enqueuer struct {
	Client *asynq.Client
	// Redis, when set, is the Redis of Client: beside each message queued
	// in a batch it keeps the batch's task ID under MarkPrefix, so a
	// planning round that finds the message still waiting does not queue
	// it in a second batch while the first is still queued. Without it a
	// message planned again may travel in two batches (the claim still
	// sends it once).
	Redis      redis.UniversalClient
	MarkPrefix string // Defaults to "courtesy:queued".
	// MaxRetry is how often a temporary SMTP failure is retried. Defaults to 8.
	MaxRetry int
	// Delayed queues messages due later as scheduled tasks. Without it (a
	// run-once process that will not be there later) they are left to the
	// next planning round, which queues deferred messages once they are due.
	Delayed bool
}

// Enqueue queues the message with the given key for its due time. The task
// ID is the key and the due time, so however often a message is planned or
// re-planned for one time it is queued once; a task already queued is not an
// error.
func (e Enqueuer) Enqueue(ctx context.Context, key string, due, now time.Time) error {
	later := due.After(now)
	if later && !e.Delayed {
		return nil
	}
	id := key + "@" + strconv.FormatInt(due.Unix(), 10)
	opts := []asynq.Option{asynq.TaskID(id), asynq.Queue(Queue), asynq.MaxRetry(e.maxRetry())}
	if later {
		// The store clock may run ahead of the wall clock (run-once --at);
		// the queue only knows the wall clock, so schedule by the delay.
		opts = append(opts, asynq.ProcessIn(due.Sub(now)))
	}
	_, err := e.Client.EnqueueContext(ctx, NewTask(key), opts...)
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("enqueue %s: %w", key, err)
	}
	return nil
}

// EnqueueBatch queues the messages with these keys, all due now, as one
// task. A batch already queued is not an error, and a message already
// waiting in a queued batch is left out (see Redis).
func (e Enqueuer) EnqueueBatch(ctx context.Context, keys []string) error {
	keys, err := e.unqueued(ctx, keys)
	if err != nil || len(keys) == 0 {
		return err
	}
	id := BatchID(keys)
	_, err = e.Client.EnqueueContext(ctx, NewBatchTask(keys),
		asynq.TaskID(id), asynq.Queue(Queue), asynq.MaxRetry(e.maxRetry()))
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("enqueue a batch of %d messages: %w", len(keys), err)
	}
	return e.mark(ctx, keys, id)
}

// markTTL bounds how long the mark of a queued message stays: a mark whose
// batch is gone is ignored anyway, so this only keeps Redis tidy.
const markTTL = 24 * time.Hour

func (e Enqueuer) markKey(key string) string {
	p := e.MarkPrefix
	if p == "" {
		p = "courtesy:queued"
	}
	return p + ":" + key
}

// unqueued leaves out the keys whose mark names a batch that is still
// queued.
func (e Enqueuer) unqueued(ctx context.Context, keys []string) ([]string, error) {
	if e.Redis == nil || len(keys) == 0 {
		return keys, nil
	}
	cmds := make([]*redis.StringCmd, len(keys))
	if _, err := e.Redis.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range keys {
			cmds[i] = p.Get(ctx, e.markKey(k))
		}
		return nil
	}); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("read the marks of %d queued messages: %w", len(keys), err)
	}
	var (
		insp  *asynq.Inspector
		alive = map[string]bool{}
		out   = keys[:0:0]
	)
	for i, k := range keys {
		id, err := cmds[i].Result()
		if errors.Is(err, redis.Nil) {
			out = append(out, k)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read the mark of %s: %w", k, err)
		}
		queued, seen := alive[id]
		if !seen {
			if insp == nil {
				insp = asynq.NewInspectorFromRedisClient(e.Redis)
			}
			_, err := insp.GetTaskInfo(Queue, id)
			switch {
			case err == nil:
				queued = true
			case errors.Is(err, asynq.ErrTaskNotFound), errors.Is(err, asynq.ErrQueueNotFound):
			default:
				return nil, fmt.Errorf("look for batch %s: %w", id, err)
			}
			alive[id] = queued
		}
		if !queued {
			out = append(out, k)
		}
	}
	return out, nil
}

// mark notes the batch each message was queued in.
func (e Enqueuer) mark(ctx context.Context, keys []string, id string) error {
	if e.Redis == nil {
		return nil
	}
	if _, err := e.Redis.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, k := range keys {
			p.Set(ctx, e.markKey(k), id, markTTL)
		}
		return nil
	}); err != nil {
		return fmt.Errorf("mark %d queued messages: %w", len(keys), err)
	}
	return nil
}

func (e Enqueuer) maxRetry() int {
	if e.MaxRetry > 0 {
		return e.MaxRetry
	}
	return 8
}

// forget drops the marks of these messages.
func (e Enqueuer) forget(ctx context.Context, keys []string) error {
	if e.Redis == nil || len(keys) == 0 {
		return nil
	}
	if _, err := e.Redis.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, k := range keys {
			p.Del(ctx, e.markKey(k))
		}
		return nil
	}); err != nil {
		return fmt.Errorf("forget the marks of %d queued messages: %w", len(keys), err)
	}
	return nil
}
