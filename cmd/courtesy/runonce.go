package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/worker"
)

func cmdRunOnce(inv *invocation, args []string) error {
	fs := inv.flags("run-once")
	at := fs.String("at", "", "plan as of this `time` (RFC 3339); default now")
	concurrency := fs.Int("concurrency", 10, "tasks processed at once: a batch of messages due now, or one message")
	timeout := fs.Duration("timeout", 5*time.Minute, "give up waiting for the queue after this long")
	if _, err := parsePositional(fs, args, 0, 0); err != nil {
		return err
	}
	start := time.Now()
	if *at != "" {
		t, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			return usagef("--at %q is not an RFC 3339 time (such as 2026-12-01T10:00:00Z)", *at)
		}
		start = t
	}
	a, err := inv.load()
	if err != nil {
		return err
	}
	defer a.close()
	a.now = clockFrom(start)
	var t tally
	a.observe = t.add
	b, err := a.batch(*concurrency)
	if err != nil {
		return err
	}
	defer b.stop()
	ctx, cancel := context.WithTimeout(a.ctx(), *timeout)
	defer cancel()
	if err := b.round(ctx); err != nil {
		return err
	}
	// Judge the batch just decided, so a campaign that upset people is
	// paused before the next run.
	g, err := a.guard()
	if err != nil {
		return err
	}
	if _, err := g.Check(ctx); err != nil {
		a.logger.Error("guardrail check", "err", err)
	}
	return t.print(inv.stdio.out)
}

// clockFrom is a clock that starts at t and runs at the wall clock's pace.
func clockFrom(t time.Time) func() time.Time {
	origin := time.Now()
	return func() time.Time { return t.Add(time.Since(origin)) }
}

// batch is a planner and an in-process worker that run rounds to
// completion: plan what is due, then wait until the queue has drained.
type batch struct {
	a    *app
	srv  *asynq.Server
	insp *asynq.Inspector
	q    worker.Enqueuer
}

func (a *app) batch(concurrency int) (*batch, error) {
	q, err := a.queue()
	if err != nil {
		return nil, err
	}
	srv, err := a.startWorker(q, concurrency, shortRetry)
	if err != nil {
		return nil, err
	}
	return &batch{a: a, srv: srv, insp: asynq.NewInspectorFromRedisClient(a.rdb), q: q}, nil
}

func (b *batch) stop() { b.srv.Shutdown() }

// round plans every enabled campaign as of the app's clock and waits until
// every task that was due has been processed.
func (b *batch) round(ctx context.Context) error {
	p, err := b.a.planner(b.q)
	if err != nil {
		return err
	}
	if _, err := p.Plan(ctx, b.a.now()); err != nil {
		return err
	}
	return b.drain(ctx)
}

// drain waits until the queue has nothing pending, running or waiting for a
// retry. Messages deferred to a later time are not waited for.
func (b *batch) drain(ctx context.Context) error {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	quiet := 0
	for {
		info, err := b.insp.GetQueueInfo(worker.Queue)
		busy := err == nil && info.Pending+info.Active+info.Retry > 0
		if err != nil && b.a.rdb.Ping(ctx).Err() != nil {
			// Redis is away (failing over, restarting), not the queue
			// empty: its tasks may all be there still.
			busy = true
		}
		if !busy {
			// Two quiet looks in a row: a task between two states is
			// never missed.
			if quiet++; quiet >= 2 {
				return nil
			}
		} else {
			quiet = 0
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the queue did not drain: %w", ctx.Err())
		case <-tick.C:
		}
	}
}

// tally counts the decisions one run takes, per campaign.
type tally struct {
	mu     sync.Mutex
	counts map[[2]string]int
}

func (t *tally) add(campaignID string, d courtesy.Decision, _ time.Duration) {
	t.count(campaignID, d.String())
}

func (t *tally) count(campaignID, decision string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.counts == nil {
		t.counts = map[[2]string]int{}
	}
	t.counts[[2]string{campaignID, decision}]++
}

// print writes the decisions of the run, per campaign.
func (t *tally) print(w io.Writer) error {
	tb := t.table()
	if len(tb.rows) == 0 {
		fmt.Fprintln(w, "Nothing was due.")
		return nil
	}
	return tb.write(w, "table")
}

// table lists the counts by campaign, then decision.
func (t *tally) table() table {
	t.mu.Lock()
	defer t.mu.Unlock()
	keys := make([][2]string, 0, len(t.counts))
	for k := range t.counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i][0] != keys[j][0] {
			return keys[i][0] < keys[j][0]
		}
		return keys[i][1] < keys[j][1]
	})
	tb := table{header: []string{"campaign", "decision", "messages"}}
	for _, k := range keys {
		tb.add(k[0], k[1], strconv.Itoa(t.counts[k]))
	}
	return tb
}
