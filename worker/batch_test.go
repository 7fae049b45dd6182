package worker_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/mailer"
)

// batchOf plans the birthday messages of these customers (and of those
// added before), all due at 10:00 UTC on 1 December, and returns the keys
// of the one batch task the planner queued.
func (e *env) batchOf(ids ...string) []string {
	e.t.Helper()
	for _, id := range ids {
		e.customer(id, id+"@example.com", "Ann", "12-01", "Europe/London")
		e.consent(id, "birthday", courtesy.Granted, signedUp)
	}
	e.clock.Set(mustTime(e.t, "2026-12-01T10:00:00Z"))
	keys := e.plan()
	if tasks := e.queue.tasksOf(keys); len(tasks) != 1 || len(tasks[0]) < len(ids) {
		e.t.Fatalf("planned %v, want one batch of at least %d", tasks, len(ids))
	}
	return keys
}

// TestABadMessageDoesNotHoldUpItsBatch: in one batch, a message in its
// customer's quiet hours, one whose mailbox does not exist, one the server
// refuses for now and one without consent each get their own answer, and
// the others of the batch go.
func TestABadMessageDoesNotHoldUpItsBatch(t *testing.T) {
	e := newEnv(t, options{quiet: "10:30-12:00"})
	ctx := context.Background()
	// Berlin is an hour ahead: 11:00 there, inside the quiet hours.
	e.customer("night", "night@example.com", "Nina", "12-01", "Europe/Berlin")
	e.consent("night", "birthday", courtesy.Granted, signedUp)
	e.customer("noconsent", "noconsent@example.com", "Nils", "12-01", "Europe/London")
	keys := e.batchOf("ok1", "ok2", "ok3", "gone", "busy")
	e.sink.RejectRecipient("gone@example.com", 550, "5.1.1")
	e.sink.RejectRecipient("busy@example.com", 451, "4.2.0")

	if err := e.pipeline.ProcessBatch(ctx, keys); err != nil {
		t.Fatalf("the batch failed: %v", err)
	}
	key := func(id string) string { return courtesy.MessageKey("birthday-treat", id, "2026") }
	for id, want := range map[string]string{
		"ok1": "sent", "ok2": "sent", "ok3": "sent",
		"night":     "deferred:quiet-hours",
		"gone":      "failed:rejected",
		"busy":      "deferred:retry",
		"noconsent": "suppressed:no-consent",
	} {
		if got := e.decision(key(id)); got != want {
			t.Errorf("%s: %s, want %s", id, got, want)
		}
	}
	if n := e.sink.Count(); n != 3 {
		t.Errorf("the sink received %d messages, want 3", n)
	}
	if bounced, _, err := e.db.Suppressed(ctx, "gone@example.com"); err != nil || !bounced {
		t.Errorf("the address that does not exist is not suppressed (%v)", err)
	}
	// The two that wait are each in a task of their own: the refused one
	// at once, the one in its quiet hours at noon in Berlin.
	now := e.clock.Now()
	if got := e.queue.take(now); len(got) != 1 || got[0] != key("busy") {
		t.Errorf("queued now: %v, want the message the server refused for now", got)
	}
	if got := e.queue.take(mustTime(t, "2026-12-01T11:00:00Z")); len(got) != 1 || got[0] != key("night") {
		t.Errorf("queued for noon in Berlin: %v, want the message in its quiet hours", got)
	}
}

// TestABatchDeliveredTwiceSendsNothingTwice: asynq may hand the same batch
// to two workers at once, or again after it ran. Every message still goes
// once.
func TestABatchDeliveredTwiceSendsNothingTwice(t *testing.T) {
	e := newEnv(t, options{})
	ctx := context.Background()
	var ids []string
	for i := range 40 {
		ids = append(ids, fmt.Sprintf("c%02d", i))
	}
	keys := e.batchOf(ids...)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := e.pipeline.ProcessBatch(ctx, keys); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if err := e.pipeline.ProcessBatch(ctx, keys); err != nil { // and once more, later
		t.Fatal(err)
	}
	perAddress := map[string]int{}
	for _, m := range e.sink.Messages() {
		perAddress[m.To[0]]++
	}
	for _, id := range ids {
		if n := perAddress[id+"@example.com"]; n != 1 {
			t.Errorf("%s received %d messages, want 1", id, n)
		}
	}
	for _, k := range keys {
		if got := e.decision(k); got != "sent" {
			t.Errorf("%s: %s, want sent", k, got)
		}
	}
}

// killingSender hands messages to SMTP and, once `after` have gone, kills
// the goroutine that sends — as a SIGKILL would the whole worker — right
// after the server took the next one, before its reply is recorded.
type killingSender struct {
	mailer.Sender
	after int64
	sent  atomic.Int64
}

func (k *killingSender) Send(ctx context.Context, m *mailer.Message) error {
	err := k.Sender.Send(ctx, m)
	if k.sent.Add(1) == k.after+1 {
		runtime.Goexit()
	}
	return err
}

// TestAWorkerKilledMidBatchLeavesNoMessageStranded: a worker dies in the
// middle of a batch, after some messages went and before their decisions
// were recorded. The batch comes back (asynq redelivers it), and the stale
// claims are swept: every message ends with one final decision, none was
// sent twice, none is left waiting.
func TestAWorkerKilledMidBatchLeavesNoMessageStranded(t *testing.T) {
	ks := &killingSender{after: 7}
	e := newEnv(t, options{streams: 1, sender: func(s mailer.Sender) mailer.Sender { ks.Sender = s; return ks }})
	ctx := context.Background()
	var ids []string
	for i := range 20 {
		ids = append(ids, fmt.Sprintf("k%02d", i))
	}
	keys := e.batchOf(ids...)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = e.pipeline.ProcessBatch(ctx, keys)
	}()
	<-done
	claimed := 0
	for _, k := range keys {
		if e.decision(k) == "claimed" {
			claimed++
		}
	}
	if claimed == 0 {
		t.Fatal("the kill left no message claimed: the test did not kill mid-batch")
	}
	// asynq delivers the batch again; later a planning round sweeps what
	// stayed claimed past the send timeout.
	if err := e.pipeline.ProcessBatch(ctx, keys); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(e.clock.Now().Add(time.Minute))
	if _, err := e.planner.Plan(ctx, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	perAddress := map[string]int{}
	for _, m := range e.sink.Messages() {
		perAddress[m.To[0]]++
	}
	counts := map[string]int{}
	for i, k := range keys {
		d := e.decision(k)
		counts[d]++
		if d != "sent" && d != "failed:unknown-outcome" {
			t.Errorf("%s: %s, want sent, or failed:unknown-outcome for one the dead worker handed over", k, d)
		}
		if n := perAddress[ids[i]+"@example.com"]; n != 1 {
			t.Errorf("%s received %d messages, want 1", ids[i], n)
		}
	}
	t.Logf("after the kill and the redelivery: %v", counts)
}

// cancellingSender cancels the task's context once `after` messages went,
// as asynq does to a task when the worker shuts down.
type cancellingSender struct {
	mailer.Sender
	after  int64
	sent   atomic.Int64
	cancel context.CancelFunc
}

func (c *cancellingSender) Send(ctx context.Context, m *mailer.Message) error {
	err := c.Sender.Send(ctx, m)
	if c.sent.Add(1) == c.after {
		c.cancel()
	}
	return err
}

// TestAWorkerStoppingMidBatchRecordsWhatWentAndQueuesTheRest: a shutdown
// cancels a batch half-way. What went is recorded sent; what had not yet
// gone waits in a task of its own, its place in the limits given back, and
// goes once later.
func TestAWorkerStoppingMidBatchRecordsWhatWentAndQueuesTheRest(t *testing.T) {
	cs := &cancellingSender{after: 5}
	e := newEnv(t, options{streams: 1, sender: func(s mailer.Sender) mailer.Sender { cs.Sender = s; return cs }})
	var ids []string
	for i := range 12 {
		ids = append(ids, fmt.Sprintf("s%02d", i))
	}
	keys := e.batchOf(ids...)
	ctx, cancel := context.WithCancel(context.Background())
	cs.cancel = cancel
	if err := e.pipeline.ProcessBatch(ctx, keys); err != nil {
		t.Logf("the cancelled batch: %v", err)
	}
	counts := map[string]int{}
	for _, k := range keys {
		counts[e.decision(k)]++
	}
	if counts["sent"] != 5 || counts["planned"] != len(keys)-5 {
		t.Errorf("after the shutdown: %v, want 5 sent and the rest still planned", counts)
	}
	if waiting := e.queue.take(e.clock.Now()); len(waiting) != len(keys)-5 {
		t.Errorf("%d messages queued on their own, want the %d that did not go", len(waiting), len(keys)-5)
	} else {
		e.work(waiting)
	}
	perAddress := map[string]int{}
	for _, m := range e.sink.Messages() {
		perAddress[m.To[0]]++
	}
	for i, k := range keys {
		if got := e.decision(k); got != "sent" {
			t.Errorf("%s: %s, want sent", k, got)
		}
		if n := perAddress[ids[i]+"@example.com"]; n != 1 {
			t.Errorf("%s received %d messages, want 1", ids[i], n)
		}
	}
}
