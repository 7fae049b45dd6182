package worker_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/throttle"
)

// TestHigherPriorityGoesFirst has a birthday greeting (priority 10) and a
// reminder (priority 5) due at the same moment for customers whose limits
// leave room for one message a day. Half the customers' reminders reach a
// worker before their greeting does, the other half race it. The greeting
// always wins; the reminder waits, then finds no room.
func TestHigherPriorityGoesFirst(t *testing.T) {
	e := newEnv(t, options{more: []string{reminderYAML}, limits: []throttle.Limit{{Count: 1, Window: 24 * time.Hour}}})
	ctx := context.Background()
	const n = 12
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("p%02d", i)
		e.customer(id, id+"@example.com", "Ann", "11-23", "Europe/London")
		e.consent(id, "birthday", courtesy.Granted, signedUp)
		e.consent(id, "reminders", courtesy.Granted, signedUp)
		if _, _, err := e.db.AddEvent(ctx, courtesy.Event{CustomerID: id, Type: courtesy.Interest, ItemID: "rye", ItemName: "Rye loaf", OccurredAt: mustTime(t, "2026-11-20T09:00:00Z")}); err != nil {
			t.Fatal(err)
		}
	}
	e.clock.Set(mustTime(t, "2026-11-23T10:00:00Z"))
	keys := e.plan()
	if len(keys) != 2*n {
		t.Fatalf("planned %d messages, want %d", len(keys), 2*n)
	}
	process := func(k string) {
		if err := e.pipeline.Process(ctx, k, false); err != nil {
			t.Error(err)
		}
	}
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		reminder, greeting := fmt.Sprintf("saved-reminder:p%02d:irye", i), fmt.Sprintf("birthday-treat:p%02d:2026", i)
		if i%2 == 0 {
			process(reminder) // strictly before its greeting
			process(greeting)
			continue
		}
		wg.Add(2)
		go func() { defer wg.Done(); process(reminder) }()
		go func() { defer wg.Done(); process(greeting) }()
	}
	wg.Wait()
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("p%02d", i)
		if got := e.decision("birthday-treat:" + id + ":2026"); got != "sent" {
			t.Errorf("%s birthday: %s, want sent", id, got)
		}
		if got := e.decision("saved-reminder:" + id + ":irye"); got == "sent" {
			t.Errorf("%s: the reminder took the day's only slot", id)
		}
	}
	// Later the reminder is looked at again: still no room today.
	e.clock.Set(mustTime(t, "2026-11-23T10:01:00Z"))
	e.work(e.plan())
	for i := 0; i < n; i++ {
		key := fmt.Sprintf("saved-reminder:p%02d:irye", i)
		if got := e.decision(key); got != "suppressed:limit" && got != "deferred:limit" {
			t.Errorf("%s: %s, want it held back by the limit", key, got)
		}
	}
	if e.sink.Count() != n {
		t.Errorf("sink received %d, want %d greetings", e.sink.Count(), n)
	}
}
