package main

import (
	"context"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/campaigns"
	"github.com/courtesyhq/courtesy/lint"
	"github.com/courtesyhq/courtesy/scheduler"
	"github.com/courtesyhq/courtesy/worker"
)

// runPlanning fills a fresh store with n customers (birthdays spread over
// a leap year) and n interest events (one each, spread over the past year),
// and times the two planning questions a day asks: whose birthday is it,
// and which saved items are due a reminder — each found, recorded and
// queued.
func runPlanning(ctx context.Context, rdb *redis.Client, shop lint.Result, dir, kind string, n int) ([]result, error) {
	db, closeDB, err := openStore(ctx, kind, dir)
	if err != nil {
		return nil, err
	}
	defer closeDB()
	if err := rdb.FlushDB(ctx).Err(); err != nil {
		return nil, err
	}
	defer rdb.FlushDB(context.Background())
	var out []result

	m := startMeter(nil)
	const batch = 50_000
	for lo := 0; lo < n; lo += batch {
		cs := make([]courtesy.Customer, 0, min(batch, n-lo))
		for i := lo; i < min(lo+batch, n); i++ {
			d := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%366)
			cs = append(cs, courtesy.Customer{
				ID: custID(i), Email: fmt.Sprintf("person%d@example.org", i), FirstName: "Alex",
				LastName: fmt.Sprintf("Baker%d", i), Birthday: courtesy.MonthDay{Month: d.Month(), Day: d.Day()},
				Timezone: "Europe/London", Locale: "en-GB", CreatedAt: simDay.AddDate(-1, 0, 0), UpdatedAt: simDay.AddDate(-1, 0, 0),
			})
		}
		if err := rowsOK(db.UpsertCustomers(ctx, cs)); err != nil {
			return nil, fmt.Errorf("insert customers: %w", err)
		}
	}
	r := m.stop(fmt.Sprintf("insert customers %s n=%d", kind, n), n)
	r.Note = "store.UpsertCustomers, 50,000 a call (multi-row INSERTs of 500)"
	out = append(out, r)

	m = startMeter(nil)
	for lo := 0; lo < n; lo += batch {
		es := make([]courtesy.Event, 0, min(batch, n-lo))
		for i := lo; i < min(lo+batch, n); i++ {
			// Uniform over the year before the reminder's 3-day delay.
			ago := time.Duration(float64(365*24*time.Hour) * float64(i) / float64(n))
			es = append(es, courtesy.Event{
				CustomerID: custID(i), Type: courtesy.Interest, ItemID: fmt.Sprintf("item-%d", i%500),
				ItemName: "Sourdough loaf", ItemURL: "https://crumb.example/sourdough",
				OccurredAt: simDay.Add(-72*time.Hour - ago),
			})
		}
		if err := rowsOK(db.AddEvents(ctx, es)); err != nil {
			return nil, fmt.Errorf("insert events: %w", err)
		}
	}
	r = m.stop(fmt.Sprintf("insert events %s n=%d", kind, n), n)
	r.Note = "store.AddEvents, 50,000 a call (multi-row INSERTs of 500)"
	out = append(out, r)

	q := worker.Enqueuer{Client: asynq.NewClientFromRedisClient(rdb)}
	for _, kindOf := range []campaigns.Kind{campaigns.Birthday, campaigns.InterestReminder} {
		var c *campaigns.Campaign
		for _, cc := range shop.Campaigns {
			if cc.Kind == kindOf {
				c = cc
			}
		}
		label := string(kindOf)
		p := &scheduler.Planner{Campaigns: []*campaigns.Campaign{c}, Store: db, Queue: q, Location: shop.Config.Location()}
		m := startMeter(rdb)
		st, err := p.Plan(ctx, simDay)
		if err != nil {
			return nil, fmt.Errorf("plan %s: %w", c.ID, err)
		}
		r := m.stop(fmt.Sprintf("plan %s %s n=%d", label, kind, n), st.Enqueued)
		// The next hourly round finds the same occurrences already planned.
		again := time.Now()
		if _, err := p.Plan(ctx, simDay.Add(time.Minute)); err != nil {
			return nil, fmt.Errorf("plan %s again: %w", c.ID, err)
		}
		r.Note = fmt.Sprintf("%d planned and queued (rate is per message); the next round, nothing new: %s",
			st.Planned, time.Since(again).Round(time.Millisecond))
		out = append(out, r)
	}
	if got, err := db.CountDecisions(ctx, courtesy.Filter{}); err == nil && got["planned"] == 0 && n >= 366 {
		return out, fmt.Errorf("planning at %d customers planned nothing", n)
	}
	return out, nil
}
