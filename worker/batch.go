package worker

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/store"
	"github.com/courtesyhq/courtesy/throttle"
)

// run takes the messages with these keys through the stages: read them
// all at once, decide each (decide.go), reserve their limits in one trip,
// then compose and send them over the sender's connections (send.go),
// recording the decisions together as they come. alone says the keys are
// one message's own task, whose failure is the task's error.
func (p *Pipeline) run(ctx context.Context, keys []string, alone, lastTry bool) error {
	now := p.cfg.Now()
	scs, err := p.cfg.Store.SendContexts(ctx, keys, now.Add(-p.horizon))
	if err != nil {
		return fmt.Errorf("load %s: %w", describe(keys), err)
	}
	b := &batch{p: p, alone: alone}
	var ready []*job
	for _, key := range keys {
		sc, ok := scs[key]
		if !ok {
			if alone {
				b.fail(fmt.Errorf("message %s is not in the store: %w", key, asynq.SkipRetry))
			} else {
				p.cfg.Logger.Info("a message of the batch is no longer in the store", "key", key)
			}
			continue
		}
		j := newJob(sc, now, lastTry)
		if j.v = p.decide(ctx, j); j.v.kind == goOn {
			ready = append(ready, j)
			continue
		}
		b.settle(ctx, j)
	}
	p.reserve(ctx, ready)
	var outgoing []*job
	for _, j := range ready {
		if j.v.kind == goOn {
			outgoing = append(outgoing, j)
			continue
		}
		b.settle(ctx, j)
	}
	p.stream(ctx, outgoing, func(j *job) {
		j.v = p.send(ctx, j)
		b.settle(ctx, j)
	})
	b.flush(ctx)
	return b.err()
}

// describe names a list of keys in an error.
func describe(keys []string) string {
	if len(keys) == 1 {
		return "message " + keys[0]
	}
	return fmt.Sprintf("%d messages", len(keys))
}

// reserve takes a place in its customer's windows for every message that
// passed its checks, in one call to the limiter. A message the windows
// refuse waits for room, or is not sent.
func (p *Pipeline) reserve(ctx context.Context, js []*job) {
	if len(js) == 0 {
		return
	}
	reqs := make([]throttle.Request, len(js))
	for i, j := range js {
		j.limits = p.limits(j.campaign, j.sc.Preferences)
		reqs[i] = throttle.Request{
			Customer: j.customer.ID, Campaign: j.campaign.ID, Key: j.msg.Key, Limits: j.limits, At: j.now,
			Sent: j.sc.Sent, SentSince: j.sc.SentSince,
		}
	}
	res, err := reserveAll(ctx, p.cfg.Limiter, reqs)
	for i, j := range js {
		switch {
		case err != nil:
			j.v = stall(fmt.Errorf("reserve limits: %w", err))
		case res[i].OK:
			j.res = &reservation{limiter: p.cfg.Limiter, customer: j.customer.ID, key: j.msg.Key}
			for _, l := range j.limits {
				j.detail.Limits = append(j.detail.Limits, p.limitHit(l))
			}
		default:
			j.v = p.refused(j, res[i])
		}
	}
}

// stream hands the jobs to as many goroutines as the sender has
// connections; a single job runs on the caller's.
func (p *Pipeline) stream(ctx context.Context, js []*job, each func(*job)) {
	n := min(p.cfg.Streams, len(js))
	if n <= 1 {
		for _, j := range js {
			each(j)
		}
		return
	}
	work := make(chan *job)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				each(j)
			}
		}()
	}
	for _, j := range js {
		work <- j
	}
	close(work)
	wg.Wait()
}

// flushEvery bounds how many decisions wait to be recorded together, and
// flushAfter how long: a message sent stays claimed until its decision is
// recorded, and a claim older than the send timeout is taken for a worker
// that died.
const (
	flushEvery = 64
	flushAfter = time.Second
)

// batch gathers the messages of a task whose verdict is in, and records
// them together.
type batch struct {
	p     *Pipeline
	alone bool

	mu      sync.Mutex
	pending []*job
	since   time.Time // when the oldest pending job was settled
	errs    []error
}

// settle gives back or keeps the job's reservation, as its verdict says,
// and queues its decision to be recorded.
func (b *batch) settle(ctx context.Context, j *job) {
	j.res.settle(ctx, j.v, b.p.cfg.Logger)
	if j.v.kind == settled {
		return
	}
	b.mu.Lock()
	if len(b.pending) == 0 {
		b.since = time.Now()
	}
	b.pending = append(b.pending, j)
	full := len(b.pending) >= flushEvery || time.Since(b.since) >= flushAfter
	b.mu.Unlock()
	if full {
		b.flush(ctx)
	}
}

// fail notes an error of the batch's own.
func (b *batch) fail(err error) {
	b.mu.Lock()
	b.errs = append(b.errs, err)
	b.mu.Unlock()
}

// flush records the pending decisions in one write, then tells the
// observer and queues the messages that wait or try again. It runs to its
// end even when the task is cancelled (a shutdown): a message that went
// must not lose its decision for that.
func (b *batch) flush(ctx context.Context) {
	ctx = context.WithoutCancel(ctx)
	b.mu.Lock()
	js := b.pending
	b.pending = nil
	b.mu.Unlock()
	if len(js) == 0 {
		return
	}
	var ds []store.DecisionUpdate
	for _, j := range js {
		if d, ok := j.record(); ok {
			ds = append(ds, d)
		}
	}
	if err := b.p.cfg.Store.DecideAll(ctx, ds); err != nil {
		b.fail(err)
		return
	}
	for _, j := range js {
		b.after(ctx, j)
	}
}

// record is the change the job's verdict makes to its message.
func (j *job) record() (store.DecisionUpdate, bool) {
	switch j.v.kind {
	case decided:
		version := ""
		if j.campaign != nil {
			version = j.campaign.Version
		}
		return store.DecisionUpdate{Key: j.msg.Key, Decision: j.v.decision, Detail: j.detailJSON(),
			MessageID: j.msg.MessageID, Subject: j.msg.Subject, Variant: j.msg.Variant,
			CampaignVersion: version, At: j.now}, true
	case deferred:
		return store.DecisionUpdate{Key: j.msg.Key, Decision: j.v.decision, Detail: j.detailJSON(),
			Variant: j.msg.Variant, DueAt: j.v.at, At: j.now}, true
	case retry:
		j.detail.Error = j.v.err.Error()
		return store.DecisionUpdate{Key: j.msg.Key, Decision: courtesy.Decision{Outcome: courtesy.Deferred, Reason: "retry"},
			Detail: j.detailJSON(), At: j.now}, true
	}
	return store.DecisionUpdate{}, false
}

// after tells the observer of a recorded decision and queues the message
// when it waits or tries again. A message of a batch tries again in a task
// of its own, at once, whose retries the queue then paces; a message's own
// task reports the failure to the queue instead.
func (b *batch) after(ctx context.Context, j *job) {
	p := b.p
	switch j.v.kind {
	case decided, deferred:
		p.cfg.Logger.Info("decision", "key", j.msg.Key, "decision", j.v.decision.String())
		p.observe(j, j.v.decision)
	}
	switch j.v.kind {
	case decided:
		if b.alone && j.v.err != nil {
			b.fail(j.v.err)
		}
	case deferred:
		if err := p.cfg.Scheduler.Enqueue(ctx, j.msg.Key, j.v.at, j.now); err != nil {
			b.fail(err)
		}
	case retry, stalled:
		if b.alone {
			b.fail(j.v.err)
			return
		}
		p.cfg.Logger.Warn("a message of a batch tries again in a task of its own", "key", j.msg.Key, "err", j.v.err)
		if err := p.cfg.Scheduler.Enqueue(ctx, j.msg.Key, j.now, j.now); err != nil {
			b.fail(err)
		}
	}
}

// err is what the task reports to the queue.
func (b *batch) err() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.errs) == 1 {
		return b.errs[0]
	}
	return errors.Join(b.errs...)
}

func (p *Pipeline) observe(j *job, d courtesy.Decision) {
	if p.cfg.Observe != nil {
		p.cfg.Observe(j.msg.CampaignID, d, time.Since(j.started))
	}
}
