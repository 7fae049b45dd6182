package worker_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"

	"github.com/courtesyhq/courtesy/internal/testenv"
	"github.com/courtesyhq/courtesy/worker"
)

// TestAMessageWaitingInABatchIsNotQueuedTwice: a planning round that finds
// messages still waiting queues again only those whose batch is gone (with
// Redis, or done), not those whose batch is still queued.
func TestAMessageWaitingInABatchIsNotQueuedTwice(t *testing.T) {
	ctx := context.Background()
	rdb := testenv.Redis(t, testenv.RedisDBWorker)
	q := worker.Enqueuer{Client: asynq.NewClientFromRedisClient(rdb), Redis: rdb, MarkPrefix: "test:" + t.Name()}
	insp := asynq.NewInspectorFromRedisClient(rdb)
	pending := func() [][]string {
		t.Helper()
		tasks, err := insp.ListPendingTasks(worker.Queue)
		if err != nil {
			t.Fatal(err)
		}
		var out [][]string
		for _, task := range tasks {
			var pl worker.BatchPayload
			if err := json.Unmarshal(task.Payload, &pl); err != nil {
				t.Fatal(err)
			}
			out = append(out, pl.Keys)
		}
		return out
	}
	if err := q.EnqueueBatch(ctx, []string{"a", "b", "c"}); err != nil {
		t.Fatal(err)
	}
	// The next round: a, b and c still wait, d and e are new.
	if err := q.EnqueueBatch(ctx, []string{"a", "b", "c", "d", "e"}); err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"a", "b", "c"}, {"d", "e"}}
	if diff := cmp.Diff(want, pending(), sortBatches); diff != "" {
		t.Errorf("queued batches (-want +got):\n%s", diff)
	}
	// The first batch is gone (Redis lost it, or it ran and c is waiting
	// still): the round queues c again.
	if err := insp.DeleteTask(worker.Queue, worker.BatchID([]string{"a", "b", "c"})); err != nil {
		t.Fatal(err)
	}
	if err := q.EnqueueBatch(ctx, []string{"c", "d"}); err != nil {
		t.Fatal(err)
	}
	want = [][]string{{"c"}, {"d", "e"}}
	if diff := cmp.Diff(want, pending(), sortBatches); diff != "" {
		t.Errorf("queued batches after the first was lost (-want +got):\n%s", diff)
	}
	// An erasure drops the marks with the tasks.
	if err := (worker.QueueForgetter{Inspector: insp, Queue: q}).ForgetCustomer(ctx, "x", []string{"d"}); err != nil {
		t.Fatal(err)
	}
	if n, err := rdb.Exists(ctx, "test:"+t.Name()+":d").Result(); err != nil || n != 0 {
		t.Errorf("the mark of an erased message is still there (%d, %v)", n, err)
	}
}

var sortBatches = cmp.Transformer("sorted", func(in [][]string) [][]string {
	out := append([][]string(nil), in...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j][0] < out[i][0] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
})
