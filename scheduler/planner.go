package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/campaigns"
	"github.com/courtesyhq/courtesy/store"
)

// Store is what planning reads and writes.
type Store interface {
	// EachCustomerWithBirthday hands the customers born on one of the days
	// to fn a page at a time, as they are read.
	EachCustomerWithBirthday(ctx context.Context, days []courtesy.MonthDay, fn func([]courtesy.Customer) error) error
	EventsBetween(ctx context.Context, typ courtesy.EventType, from, to time.Time) ([]courtesy.Event, error)
	CustomersByID(ctx context.Context, ids []string) (map[string]courtesy.Customer, error)
	PlanMessages(ctx context.Context, ms []courtesy.Message) ([]store.Planned, error)
	ExpireWaiting(ctx context.Context, now time.Time) (int, error)
	SweepStaleClaims(ctx context.Context, claimedBefore, at time.Time) ([]string, error)
}

// Enqueuer puts planned messages on the queue: a message due later as a
// task of its own for its due time, messages due now in batches.
type Enqueuer interface {
	Enqueue(ctx context.Context, key string, at, now time.Time) error
	// EnqueueBatch queues messages of one campaign, all due now, as one
	// task.
	EnqueueBatch(ctx context.Context, keys []string) error
}

var _ Store = (*store.DB)(nil)

// Planner finds the messages that are due.
type Planner struct {
	Campaigns []*campaigns.Campaign
	Store     Store
	Queue     Enqueuer
	Location  *time.Location // for customers without a time zone
	// SendTimeout is how long a claimed message may wait for its SMTP
	// reply; a claim older than that is swept (Store.SweepStaleClaims).
	// Defaults to DefaultSendTimeout.
	SendTimeout time.Duration
	// BatchSize is how many messages of one campaign that are due now go
	// in one task at most. Defaults to DefaultBatchSize.
	BatchSize int
}

// DefaultBatchSize is how many messages a batch task holds at most: enough
// that a task's own cost (the queue, one read, one trip to the limiter)
// is spread thin, few enough that a batch is done in well under a second.
const DefaultBatchSize = 250

// DefaultSendTimeout is the mailer's own limit on one SMTP transaction
// (mailer.DefaultTimeout).
const DefaultSendTimeout = 30 * time.Second

// Stats counts what one planning round did.
type Stats struct {
	Planned  int // new message rows
	Enqueued int // messages put on the queue (new, or re-queued after a loss), alone or in batches
	Swept    int // stale claims recorded as failed:unknown-outcome
}

// Plan records and enqueues every occurrence that is due at now. Campaigns
// go in priority order, so when a customer's limits leave room for one
// message the more important one reaches the queue first.
func (p *Planner) Plan(ctx context.Context, now time.Time) (Stats, error) {
	var st Stats
	// Messages still waiting whose window has closed: their task may be
	// gone with Redis, or was never queued by a process that did not stay
	// to run it.
	if _, err := p.Store.ExpireWaiting(ctx, now); err != nil {
		return st, err
	}
	// Claimed messages whose task is gone (Redis lost it, or the worker
	// died and its task will not come back) would stay claimed forever.
	timeout := p.SendTimeout
	if timeout <= 0 {
		timeout = DefaultSendTimeout
	}
	swept, err := p.Store.SweepStaleClaims(ctx, now.Add(-timeout), now)
	if err != nil {
		return st, err
	}
	st.Swept = len(swept)
	// The store takes the messages in chunks (one transaction and one
	// read back each, not one per message), as they are found; they are
	// queued in order, a chunk at a time, so the first are with the
	// workers while the rest are still being found and recorded, and a
	// round holds one chunk in memory however many are due.
	chunk := make([]courtesy.Message, 0, planChunk)
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		planned, err := p.Store.PlanMessages(ctx, chunk)
		chunk = chunk[:0]
		if err != nil {
			return err
		}
		return p.queue(ctx, planned, now, &st)
	}
	err = p.each(ctx, now, func(m courtesy.Message) error {
		chunk = append(chunk, m)
		if len(chunk) < planChunk {
			return nil
		}
		return flush()
	})
	var stop stopped
	if errors.As(err, &stop) {
		return st, stop.err
	}
	if ferr := flush(); ferr != nil {
		return st, errors.Join(err, ferr)
	}
	return st, err
}

// stopped carries an error of what a planning round does with the
// messages it finds (recording, queueing): it ends the round, where a
// campaign that cannot be read only ends that campaign's planning.
type stopped struct{ err error }

func (s stopped) Error() string { return s.err.Error() }

// planChunk is how many messages are recorded before they are queued.
const planChunk = 500

// Due lists the messages due at now, highest priority first, without
// recording anything: what Plan records, and what a simulation evaluates.
// A campaign that cannot be read is reported and the others still planned.
func (p *Planner) Due(ctx context.Context, now time.Time) ([]courtesy.Message, error) {
	var out []courtesy.Message
	err := p.each(ctx, now, func(m courtesy.Message) error {
		out = append(out, m)
		return nil
	})
	return out, err
}

// each hands every message due at now to emit, campaign by campaign,
// highest priority first. An error of emit stops it, wrapped in stopped;
// a campaign that cannot be read is reported and the others still go.
func (p *Planner) each(ctx context.Context, now time.Time, emit func(courtesy.Message) error) error {
	cs := append([]*campaigns.Campaign(nil), p.Campaigns...)
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].Priority > cs[j].Priority })
	var errs []error
	send := func(m courtesy.Message) error {
		if err := emit(m); err != nil {
			return stopped{err}
		}
		return nil
	}
	for _, c := range cs {
		if !c.Enabled {
			continue
		}
		var err error
		switch c.Kind {
		case campaigns.Birthday:
			err = p.Store.EachCustomerWithBirthday(ctx, campaigns.BirthdayDays(now), func(custs []courtesy.Customer) error {
				return p.dueBirthdays(c, custs, now, send)
			})
		case campaigns.InterestReminder, campaigns.NPSSurvey, campaigns.Welcome:
			err = p.dueEvents(ctx, c, now, send)
		}
		var stop stopped
		if errors.As(err, &stop) {
			return stop
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("plan %s: %w", c.ID, err))
		}
	}
	return errors.Join(errs...)
}

func (p *Planner) dueBirthdays(c *campaigns.Campaign, custs []courtesy.Customer, now time.Time, emit func(courtesy.Message) error) error {
	for _, cust := range custs {
		loc := cust.Location(p.Location)
		occ, ok := c.BirthdayOccurrence(cust, now, loc)
		if !ok {
			continue
		}
		if err := emit(BirthdayMessage(c, cust.ID, occ, loc, now)); err != nil {
			return err
		}
	}
	return nil
}

func (p *Planner) dueEvents(ctx context.Context, c *campaigns.Campaign, now time.Time, emit func(courtesy.Message) error) error {
	typ := courtesy.Interest
	switch c.Kind {
	case campaigns.NPSSurvey:
		typ = courtesy.Purchase
	case campaigns.Welcome:
		typ = courtesy.Signup
	}
	from := c.EventsFrom(now)
	to := now.Add(-c.Trigger.After + time.Second)
	events, err := p.Store.EventsBetween(ctx, typ, from, to)
	if err != nil {
		return err
	}
	// The events' customers in one read rather than one each: their time
	// zones say which events are due.
	seen := map[string]bool{}
	var ids []string
	for _, ev := range events {
		if !seen[ev.CustomerID] {
			seen[ev.CustomerID] = true
			ids = append(ids, ev.CustomerID)
		}
	}
	customers, err := p.Store.CustomersByID(ctx, ids)
	if err != nil {
		return err
	}
	for _, ev := range events {
		cust, ok := customers[ev.CustomerID]
		if !ok {
			continue // erased since
		}
		loc := cust.Location(p.Location)
		occ, ok := c.EventOccurrence(ev, now, loc)
		if !ok {
			continue
		}
		if err := emit(EventMessage(c, ev, occ, loc, now)); err != nil {
			return err
		}
	}
	return nil
}

// BirthdayMessage is the message a birthday campaign plans for a
// customer's occurrence, in the customer's time zone loc: what the planner
// records and what a preview shows.
func BirthdayMessage(c *campaigns.Campaign, customerID string, occ campaigns.Occurrence, loc *time.Location, now time.Time) courtesy.Message {
	return message(c, customerID, occ, courtesy.Detail{
		Rule:     fmt.Sprintf("today, %s, is your birthday in %s", occ.Due.In(loc).Format("2 January"), loc),
		Fired:    &courtesy.Fired{Kind: "birthday", On: occ.Due, Zone: loc.String()},
		Data:     []string{"first name", "birthday (month and day)", "time zone"},
		Timezone: loc.String(),
	}, now)
}

// EventMessage is the message an event campaign plans for an event's
// occurrence, in the customer's time zone loc.
func EventMessage(c *campaigns.Campaign, ev courtesy.Event, occ campaigns.Occurrence, loc *time.Location, now time.Time) courtesy.Message {
	d := courtesy.Detail{EventID: ev.ID, ItemID: ev.ItemID, Timezone: loc.String()}
	switch c.Kind {
	case campaigns.InterestReminder:
		d.Rule = fmt.Sprintf("you saved %q on %s, and have not bought it since", ev.ItemName, ev.OccurredAt.In(loc).Format("2 January"))
		d.Fired = &courtesy.Fired{Kind: "saved", On: ev.OccurredAt, Zone: loc.String(), Item: ev.ItemName}
		d.Data = []string{"first name", "the item you saved", "when you saved it"}
	case campaigns.NPSSurvey:
		d.Rule = fmt.Sprintf("you bought from us on %s", ev.OccurredAt.In(loc).Format("2 January"))
		d.Fired = &courtesy.Fired{Kind: "bought", On: ev.OccurredAt, Zone: loc.String()}
		d.Data = []string{"first name", "the date of your purchase"}
	case campaigns.Welcome:
		d.Rule = fmt.Sprintf("you confirmed your sign-up on %s", ev.OccurredAt.In(loc).Format("2 January"))
		d.Data = []string{"first name"}
	}
	return message(c, ev.CustomerID, occ, d, now)
}

// message is the planned message of one occurrence.
func message(c *campaigns.Campaign, customerID string, occ campaigns.Occurrence, d courtesy.Detail, now time.Time) courtesy.Message {
	detail, _ := json.Marshal(d)
	return courtesy.Message{
		Key:             courtesy.MessageKey(c.ID, customerID, occ.ID),
		CampaignID:      c.ID,
		CampaignVersion: c.Version,
		CustomerID:      customerID,
		Occurrence:      occ.ID,
		Purpose:         c.Purpose,
		Decision:        courtesy.Decision{Outcome: courtesy.Planned},
		Detail:          string(detail),
		DueAt:           occ.Due,
		NotAfter:        occ.NotAfter,
		CreatedAt:       now,
	}
}

// queue counts the recorded occurrences (each recorded once: the key is
// its identity) and queues those that still wait for a worker: the ones
// due now in batches of one campaign, in the order they were planned, and
// the others each for its own time.
func (p *Planner) queue(ctx context.Context, planned []store.Planned, now time.Time, st *Stats) error {
	size := p.BatchSize
	if size <= 0 {
		size = DefaultBatchSize
	}
	var (
		order   []string                // campaigns, as they first come
		batches = map[string][]string{} // campaign → keys due now
	)
	flush := func(campaign string) error {
		keys := batches[campaign]
		if len(keys) == 0 {
			return nil
		}
		batches[campaign] = nil
		if err := p.Queue.EnqueueBatch(ctx, keys); err != nil {
			return err
		}
		st.Enqueued += len(keys)
		return nil
	}
	for _, pl := range planned {
		cur := pl.Current
		if pl.Created {
			st.Planned++
		}
		switch {
		case cur.Decision.Outcome == courtesy.Planned:
			// New, or planned before and its task lost with Redis.
		case cur.Decision.Outcome == courtesy.Deferred && !cur.DueAt.After(now):
			// A deferral that is due: its delayed task may be gone, or may
			// never have been queued (run-once). The task ID is the key and
			// the due time, so a task still queued is not queued twice.
		default:
			continue
		}
		if cur.DueAt.After(now) || cur.Decision.Outcome == courtesy.Deferred {
			if err := p.Queue.Enqueue(ctx, cur.Key, cur.DueAt, now); err != nil {
				return err
			}
			st.Enqueued++
			continue
		}
		if _, ok := batches[cur.CampaignID]; !ok {
			order = append(order, cur.CampaignID)
		}
		batches[cur.CampaignID] = append(batches[cur.CampaignID], cur.Key)
		if len(batches[cur.CampaignID]) >= size {
			if err := flush(cur.CampaignID); err != nil {
				return err
			}
		}
	}
	for _, c := range order {
		if err := flush(c); err != nil {
			return err
		}
	}
	return nil
}
