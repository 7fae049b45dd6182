package worker_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/campaigns"
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

// earlyReminderYAML is a low-priority reminder due at 09:00, half an hour
// before the birthday greeting (priority 10, 09:30).
var earlyReminderYAML = strings.NewReplacer("priority: 5", "priority: 1", `at: "10:00"`, `at: "09:00"`).Replace(reminderYAML)

// birthdayAndSavedRye adds a customer whose birthday is 23 November, who
// saved a rye loaf three days before at 08:00 (so the early reminder is due
// at 09:00 that day) and agreed to reminders, and to birthday greetings as
// birthday says.
func (e *env) birthdayAndSavedRye(id string, birthday courtesy.ConsentStatus) {
	e.t.Helper()
	e.customer(id, id+"@example.com", "Ann", "11-23", "Europe/London")
	e.consent(id, "birthday", birthday, signedUp)
	e.consent(id, "reminders", courtesy.Granted, signedUp)
	if _, _, err := e.db.AddEvent(context.Background(), courtesy.Event{CustomerID: id, Type: courtesy.Interest, ItemID: "rye",
		ItemName: "Rye loaf", OccurredAt: mustTime(e.t, "2026-11-20T08:00:00Z")}); err != nil {
		e.t.Fatal(err)
	}
}

// TestHigherPriorityGoesFirstLookingAhead: a reminder of priority 1 due at
// 09:00 and a birthday greeting of priority 10 due at 09:30 the same day,
// for a customer whose limits allow one message a day. The reminder is due
// first, yet the greeting is the one sent: the reminder waits for it, then
// finds no room. It waits only when waiting changes something: with room
// for both, without consent to the greeting, or in the greeting's control
// group, the reminder goes at 09:00.
func TestHigherPriorityGoesFirstLookingAhead(t *testing.T) {
	day := []throttle.Limit{{Count: 1, Window: 24 * time.Hour}}
	for _, tt := range []struct {
		name     string
		limits   []throttle.Limit
		birthday courtesy.ConsentStatus
		want     map[string]string // what was sent, at what time
		reminder string            // the reminder's final decision
	}{
		{name: "one a day", limits: day, birthday: courtesy.Granted,
			want: map[string]string{"birthday-treat": "09:30"}, reminder: "suppressed:limit"},
		{name: "room for both", limits: []throttle.Limit{{Count: 2, Window: 24 * time.Hour}}, birthday: courtesy.Granted,
			want: map[string]string{"saved-reminder": "09:00", "birthday-treat": "09:30"}, reminder: "sent"},
		{name: "no consent to the greeting", limits: day, birthday: courtesy.Withdrawn,
			want: map[string]string{"saved-reminder": "09:00"}, reminder: "sent"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, options{more: []string{earlyReminderYAML}, limits: tt.limits})
			const id = "c1"
			e.birthdayAndSavedRye(id, tt.birthday)
			sent := e.sweep(mustTime(t, "2026-11-23T08:50:00Z"), mustTime(t, "2026-11-23T18:00:00Z"), time.Minute)
			got := map[string]string{}
			for key, at := range sent {
				got[strings.Split(key, ":")[0]] = at.Format("15:04")
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("sent (-want +got):\n%s", diff)
			}
			if d := e.decision("saved-reminder:" + id + ":irye"); d != tt.reminder {
				t.Errorf("reminder: %s, want %s", d, tt.reminder)
			}
		})
	}
}

// TestLowerPriorityDoesNotWaitForAControlGroup: a customer the greeting's
// holdout keeps back will get no greeting, so the reminder does not wait
// for one.
func TestLowerPriorityDoesNotWaitForAControlGroup(t *testing.T) {
	held := strings.Replace(birthdayYAML, "tone: warm\n", "tone: warm\nholdout: 50\n", 1)
	greeting, diags := campaigns.Parse("campaigns/test.yaml", []byte(held), campaigns.Env{
		Purposes: []string{"birthday", "reminders", "surveys"}, Templates: templateFS, TemplatesDir: "templates", Location: time.UTC,
	})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	id := ""
	for i := 0; id == ""; i++ {
		if control, _ := campaigns.Assign(greeting, fmt.Sprintf("c%d", i)); control {
			id = fmt.Sprintf("c%d", i)
		}
	}
	e := newEnv(t, options{campaignYAML: held, more: []string{earlyReminderYAML}, limits: []throttle.Limit{{Count: 1, Window: 24 * time.Hour}}})
	e.birthdayAndSavedRye(id, courtesy.Granted)
	sent := e.sweep(mustTime(t, "2026-11-23T08:50:00Z"), mustTime(t, "2026-11-23T12:00:00Z"), time.Minute)
	if at, ok := sent["saved-reminder:"+id+":irye"]; !ok || at.Format("15:04") != "09:00" {
		t.Errorf("sent %v, want the reminder at 09:00", sent)
	}
	if d := e.decision("birthday-treat:" + id + ":2026"); d != "control" {
		t.Errorf("greeting: %s, want control", d)
	}
}

// TestLowerPriorityWaitsForAReminderNotYetPlanned: the look-ahead reads
// events too. A survey (priority 1) due at 09:00 yields to a saved-item
// reminder (priority 5) whose delay runs out at 10:00 the same day, which
// the planner has not planned yet when the survey is due.
func TestLowerPriorityWaitsForAReminderNotYetPlanned(t *testing.T) {
	earlySurvey := strings.Replace(surveyYAML, `at: "10:00"`, `at: "09:00"`, 1)
	e := newEnv(t, options{more: []string{reminderYAML, earlySurvey}, limits: []throttle.Limit{{Count: 1, Window: 24 * time.Hour}}})
	ctx := context.Background()
	e.customer("c1", "c1@example.com", "Ann", "03-14", "Europe/London")
	e.consent("c1", "reminders", courtesy.Granted, signedUp)
	e.consent("c1", "surveys", courtesy.Granted, signedUp)
	for _, ev := range []courtesy.Event{
		{CustomerID: "c1", Type: courtesy.Purchase, OrderID: "o1", AmountCents: 450, OccurredAt: mustTime(t, "2026-11-21T08:00:00Z")},
		{CustomerID: "c1", Type: courtesy.Interest, ItemID: "rye", ItemName: "Rye loaf", OccurredAt: mustTime(t, "2026-11-20T08:00:00Z")},
	} {
		if _, _, err := e.db.AddEvent(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	sent := e.sweep(mustTime(t, "2026-11-23T08:50:00Z"), mustTime(t, "2026-11-23T18:00:00Z"), time.Minute)
	got := map[string]string{}
	for key, at := range sent {
		got[key] = at.Format("15:04")
	}
	if diff := cmp.Diff(map[string]string{"saved-reminder:c1:irye": "10:00"}, got); diff != "" {
		t.Errorf("sent (-want +got):\n%s", diff)
	}
	if d := e.decision("after-purchase-survey:c1:oo1"); d != "suppressed:limit" {
		t.Errorf("survey: %s, want suppressed:limit", d)
	}
}
