package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hibiken/asynq"
)

// QueueForgetter drops the queued, scheduled, retried, archived and
// completed tasks of an erased customer's messages: their payload names
// the message, and an archived task also keeps the last error, which may
// quote the address. A batch that names one of them goes whole: the next
// planning round queues its other messages again, as it does for any task
// Redis lost. A task being processed cannot be deleted; it finds its
// message gone and ends.
type QueueForgetter struct {
	Inspector *asynq.Inspector
	// Queue, when its Redis is set, is the Enqueuer whose marks of queued
	// messages go too: their names hold the message keys.
	Queue Enqueuer
}

// listPage is how many tasks one listing reads.
const listPage = 1000

// ForgetCustomer deletes the tasks of the messages with these keys.
func (f QueueForgetter) ForgetCustomer(ctx context.Context, _ string, messageKeys []string) error {
	gone := make(map[string]bool, len(messageKeys))
	for _, k := range messageKeys {
		gone[k] = true
	}
	if len(gone) == 0 {
		return nil
	}
	if err := f.Queue.forget(ctx, messageKeys); err != nil {
		return err
	}
	lists := []func(string, ...asynq.ListOption) ([]*asynq.TaskInfo, error){
		f.Inspector.ListPendingTasks, f.Inspector.ListScheduledTasks, f.Inspector.ListRetryTasks,
		f.Inspector.ListArchivedTasks, f.Inspector.ListCompletedTasks,
	}
	var ids []string
	for _, list := range lists {
		for page := 1; ; page++ {
			tasks, err := list(Queue, asynq.PageSize(listPage), asynq.Page(page))
			if errors.Is(err, asynq.ErrQueueNotFound) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("forget queued tasks: %w", err)
			}
			for _, t := range tasks {
				if names(t, gone) {
					ids = append(ids, t.ID)
				}
			}
			if len(tasks) < listPage {
				break
			}
		}
	}
	var errs []error
	for _, id := range ids {
		if err := f.Inspector.DeleteTask(Queue, id); err != nil && !errors.Is(err, asynq.ErrTaskNotFound) {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("forget queued tasks: %w", err)
	}
	return nil
}

// names reports whether the task is about one of the messages.
func names(t *asynq.TaskInfo, keys map[string]bool) bool {
	if t.Type == TypeBatch {
		var pl BatchPayload
		if json.Unmarshal(t.Payload, &pl) != nil {
			return false
		}
		for _, k := range pl.Keys {
			if keys[k] {
				return true
			}
		}
		return false
	}
	var pl Payload
	return json.Unmarshal(t.Payload, &pl) == nil && keys[pl.Key]
}
