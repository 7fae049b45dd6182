package worker_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/mailer"
	"github.com/courtesyhq/courtesy/throttle"
	"github.com/courtesyhq/courtesy/worker"
)

// TestLimitsHoldUnderConcurrentWorkers has 8 workers race over 1,000 due
// messages for 50 customers, with Redis flushed halfway through. Counted at
// the SMTP server, nobody gets more than the limits allow: one a day, three
// a week.
func TestLimitsHoldUnderConcurrentWorkers(t *testing.T) {
	noCampaignLimit := strings.Replace(birthdayYAML, "limits: [\"1/365d\"]\n", "", 1)
	rec := &recordingLimiter{events: map[string][]string{}}
	e := newEnv(t, options{campaignYAML: noCampaignLimit, limiter: func(l worker.Limiter) worker.Limiter { rec.Limiter = l; return rec }, limits: []throttle.Limit{{Count: 1, Window: 24 * time.Hour}, {Count: 3, Window: 7 * 24 * time.Hour}}})
	ctx := context.Background()
	const customers, perCustomer = 50, 20
	for i := 0; i < customers; i++ {
		id := fmt.Sprintf("w%02d", i)
		e.customer(id, id+"@example.com", "Ann", "", "UTC")
		e.consent(id, "birthday", courtesy.Granted, signedUp)
	}
	// Messages spread over ten days, two due each day per customer.
	start := mustTime(t, "2026-12-01T10:00:00Z")
	var keys []string
	for i := 0; i < customers; i++ {
		for j := 0; j < perCustomer; j++ {
			due := start.Add(time.Duration(j/2) * 24 * time.Hour)
			m := courtesy.Message{
				Key: courtesy.MessageKey("birthday-treat", fmt.Sprintf("w%02d", i), fmt.Sprintf("o%02d", j)), CampaignID: "birthday-treat",
				CustomerID: fmt.Sprintf("w%02d", i), Occurrence: fmt.Sprintf("o%02d", j), Purpose: "birthday",
				Decision: courtesy.Decision{Outcome: courtesy.Planned}, DueAt: due, NotAfter: due.Add(2 * time.Hour), CreatedAt: due,
			}
			if _, _, err := e.db.PlanMessage(ctx, m); err != nil {
				t.Fatal(err)
			}
			keys = append(keys, m.Key)
		}
	}
	var processed atomic.Int64
	for day := 0; day < perCustomer/2; day++ {
		e.clock.Set(start.Add(time.Duration(day)*24*time.Hour + time.Minute))
		var today []string
		for _, k := range keys {
			if m, _ := e.db.Message(ctx, k); !m.DueAt.After(e.clock.Now()) && !m.Decision.Outcome.Final() {
				today = append(today, k)
			}
		}
		work := make(chan string)
		var wg sync.WaitGroup
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := range work {
					if err := e.pipeline.Process(ctx, k, false); err != nil {
						t.Error(err)
					}
					processed.Add(1)
				}
			}()
		}
		for _, k := range today {
			work <- k
		}
		close(work)
		wg.Wait()
		if day == perCustomer/4 {
			// Redis loses every window; they are rebuilt from the store.
			if err := e.rdb.FlushDB(ctx).Err(); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Count at the sink, by recipient and day.
	perDay := map[string]map[int]int{}
	for _, m := range e.sink.Messages() {
		d, err := time.Parse(time.RFC1123Z, m.Header.Get("Date"))
		if err != nil {
			t.Fatalf("Date %q: %v", m.Header.Get("Date"), err)
		}
		day := int(d.Sub(start) / (24 * time.Hour))
		if perDay[m.To[0]] == nil {
			perDay[m.To[0]] = map[int]int{}
		}
		perDay[m.To[0]][day]++
	}
	for who, days := range perDay {
		for day := 0; day < perCustomer/2; day++ {
			if days[day] > 1 {
				t.Errorf("%s received %d messages on day %d (limit 1/24h)", who, days[day], day)
				t.Logf("%s", strings.Join(rec.events[strings.TrimSuffix(who, "@example.com")], "\n"))
			}
			week := 0
			for d := day - 6; d <= day; d++ {
				week += days[d]
			}
			if week > 3 {
				t.Errorf("%s received %d messages in the 7 days to day %d (limit 3/7d)", who, week, day)
			}
		}
	}
	if got := e.sink.Count(); got == 0 || processed.Load() < int64(len(keys)/2) {
		t.Fatalf("sent %d, processed %d: the test did not run", got, processed.Load())
	}
	// Days 0–2 and 7–9 have room: six each.
	if got := e.sink.Count(); got != customers*6 {
		t.Errorf("sent %d, want %d: the limits let through less than they allow", got, customers*6)
	}
	// The pipeline hands the limiter the send log it read with each
	// message, so a lost window costs no second trip to the store.
	if rec.withoutLog != 0 || rec.withSends == 0 {
		t.Errorf("%d reservations came without a send log covering their limits, %d with sends in it; want none, and some",
			rec.withoutLog, rec.withSends)
	}
	t.Logf("%d messages processed, %d sent", processed.Load(), e.sink.Count())
}

type recordingLimiter struct {
	worker.Limiter
	mu     sync.Mutex
	events map[string][]string
	// Requests that came without a send log reaching back over their
	// longest window, and those whose log was not empty.
	withoutLog, withSends int
}

func (r *recordingLimiter) Reserve(ctx context.Context, req throttle.Request) (throttle.Reservation, error) {
	res, err := r.Limiter.Reserve(ctx, req)
	var longest time.Duration
	for _, l := range req.Limits {
		longest = max(longest, l.Limit.Window)
	}
	r.mu.Lock()
	if req.SentSince.IsZero() || req.SentSince.After(req.At.Add(-longest)) {
		r.withoutLog++
	}
	if len(req.Sent) > 0 {
		r.withSends++
	}
	r.events[req.Customer] = append(r.events[req.Customer], fmt.Sprintf("%s reserve %s at %s (send log of %d since %s): %+v %v",
		time.Now().Format("15:04:05.000000"), req.Key, req.At.Format(time.RFC3339), len(req.Sent), req.SentSince.Format(time.RFC3339), res, err))
	r.mu.Unlock()
	return res, err
}

func (r *recordingLimiter) Release(ctx context.Context, c, key string) error {
	err := r.Limiter.Release(ctx, c, key)
	r.mu.Lock()
	r.events[c] = append(r.events[c], fmt.Sprintf("%s release %s: %v", time.Now().Format("15:04:05.000000"), key, err))
	r.mu.Unlock()
	return err
}

// TestTheCustomersOwnLimitIsKept: a customer who asked for at most one
// message a month gets one, though the shop's limits would allow more.
func TestTheCustomersOwnLimitIsKept(t *testing.T) {
	noCampaignLimit := strings.Replace(birthdayYAML, "limits: [\"1/365d\"]\n", "", 1)
	e := newEnv(t, options{campaignYAML: noCampaignLimit, limits: []throttle.Limit{{Count: 3, Window: 7 * 24 * time.Hour}}})
	ctx := context.Background()
	e.customer("c1", "ann@example.com", "Ann", "", "UTC")
	e.consent("c1", "birthday", courtesy.Granted, signedUp)
	if err := e.db.SetPreferences(ctx, courtesy.Preferences{CustomerID: "c1", MaxPerWindow: "1/30d", UpdatedAt: signedUp}); err != nil {
		t.Fatal(err)
	}
	start := mustTime(t, "2026-12-01T10:00:00Z")
	for d := 0; d < 3; d++ {
		due := start.Add(time.Duration(d*10) * 24 * time.Hour)
		key := courtesy.MessageKey("birthday-treat", "c1", fmt.Sprintf("o%d", d))
		if _, _, err := e.db.PlanMessage(ctx, courtesy.Message{Key: key, CampaignID: "birthday-treat", CustomerID: "c1",
			Occurrence: fmt.Sprintf("o%d", d), Purpose: "birthday", Decision: courtesy.Decision{Outcome: courtesy.Planned},
			DueAt: due, NotAfter: due.Add(time.Hour), CreatedAt: due}); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(due)
		e.work([]string{key})
	}
	if e.sink.Count() != 1 {
		t.Errorf("sent %d messages in 20 days to a customer who asked for one a month", e.sink.Count())
	}
	if got := e.decision("birthday-treat:c1:o1"); got != "suppressed:limit" {
		t.Errorf("the second message: %s, want suppressed:limit", got)
	}
	m, err := e.db.Message(ctx, "birthday-treat:c1:o1")
	if err != nil {
		t.Fatal(err)
	}
	var d courtesy.Detail
	if err := json.Unmarshal([]byte(m.Detail), &d); err != nil {
		t.Fatal(err)
	}
	want := []courtesy.LimitHit{{Scope: courtesy.LimitPreference, Count: 1, Window: 30 * 24 * time.Hour}}
	if diff := cmp.Diff(want, d.Limits); diff != "" {
		t.Errorf("the limit that refused it (-want +got):\n%s", diff)
	}
}

// flushingSender loses Redis's windows while a message is on its way —
// reserved, not yet claimed — and meanwhile another message to the same
// customer goes: the worst moment for a Redis restart.
type flushingSender struct {
	mailer.Sender
	during func()
	done   atomic.Bool
}

func (f *flushingSender) Send(ctx context.Context, m *mailer.Message) error {
	if f.done.CompareAndSwap(false, true) { // not sync.Once: during sends too
		f.during()
	}
	return f.Sender.Send(ctx, m)
}

// Invariant 4 through a Redis restart in the worst place: the windows are
// lost while a message holds a reservation it has not yet claimed, and a
// second message for the same customer goes meanwhile. A limit of one a
// day still lets one through.
func TestLimitsHoldWhenRedisLosesAMessageOnItsWay(t *testing.T) {
	noCampaignLimit := strings.Replace(birthdayYAML, "limits: [\"1/365d\"]\n", "", 1)
	fs := &flushingSender{}
	e := newEnv(t, options{campaignYAML: noCampaignLimit, limits: []throttle.Limit{{Count: 1, Window: 24 * time.Hour}},
		sender: func(s mailer.Sender) mailer.Sender { fs.Sender = s; return fs }})
	ctx := context.Background()
	e.customer("w1", "w1@example.com", "Ann", "", "UTC")
	e.consent("w1", "birthday", courtesy.Granted, signedUp)
	due := mustTime(t, "2026-12-01T10:00:00Z")
	e.clock.Set(due.Add(time.Minute))
	var keys []string
	for _, occ := range []string{"a", "b"} {
		m := courtesy.Message{
			Key: courtesy.MessageKey("birthday-treat", "w1", occ), CampaignID: "birthday-treat", CustomerID: "w1",
			Occurrence: occ, Purpose: "birthday", Decision: courtesy.Decision{Outcome: courtesy.Planned},
			DueAt: due, NotAfter: due.Add(2 * time.Hour), CreatedAt: due,
		}
		if _, _, err := e.db.PlanMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, m.Key)
	}
	fs.during = func() {
		if err := e.rdb.FlushDB(ctx).Err(); err != nil {
			t.Error(err)
		}
		if err := e.pipeline.Process(ctx, keys[1], false); err != nil {
			t.Error(err)
		}
	}
	if err := e.pipeline.Process(ctx, keys[0], false); err != nil {
		t.Fatal(err)
	}
	if got := e.sink.Count(); got != 1 {
		t.Errorf("%d messages reached the customer, limit 1/24h", got)
	}
	first, err := e.db.Message(ctx, keys[0])
	if err != nil {
		t.Fatal(err)
	}
	if want := (courtesy.Decision{Outcome: courtesy.Suppressed, Reason: courtesy.ReasonLimit}); first.Decision != want {
		t.Errorf("the message on its way: %s, want %s (the other went first; its window outlasts this one's)", first.Decision, want)
	}
}
