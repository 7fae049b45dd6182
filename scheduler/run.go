package scheduler

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/courtesyhq/courtesy"
)

// Guard judges the campaigns by what the workers decided and pauses those
// that upset people. A round runs it only while holding the lease, so one
// check runs at a time across every scheduler: two at once could both pause
// a campaign and both email its owner.
type Guard interface {
	Check(ctx context.Context) error
}

// Runner plans on a timer, and then runs the guard, while it holds the
// lease.
type Runner struct {
	Planner *Planner
	Lease   *Lease
	// Guard is checked after each round's planning. Defaults to none.
	Guard Guard
	// Spec is the cron schedule of planning rounds. Defaults to "@every 30s".
	// What is planned depends only on the time a round runs, never on which
	// firing it is, so a missed or doubled firing changes nothing.
	Spec   string
	Now    courtesy.Clock // Defaults to the wall clock.
	Logger *slog.Logger   // Defaults to slog.Default().

	// running is held by the round under way: cron starts a firing even
	// while the last one runs, and two rounds at once would plan the same
	// messages twice over and run two checks of the guard at once.
	running sync.Mutex
}

// Run plans until ctx is done, then gives the lease up.
func (r *Runner) Run(ctx context.Context) error {
	if r.Spec == "" {
		r.Spec = "@every 30s"
	}
	if r.Now == nil {
		r.Now = courtesy.SystemClock
	}
	if r.Logger == nil {
		r.Logger = slog.Default()
	}
	c := cron.New(cron.WithLocation(time.UTC))
	if _, err := c.AddFunc(r.Spec, func() { r.round(ctx) }); err != nil {
		return err
	}
	r.round(ctx)
	c.Start()
	<-ctx.Done()
	<-c.Stop().Done()
	release, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return r.Lease.Release(release)
}

func (r *Runner) round(ctx context.Context) {
	if !r.running.TryLock() {
		r.Logger.Info("the previous planning round is still running: this one is skipped")
		return
	}
	defer r.running.Unlock()
	if !r.hold(ctx) {
		return
	}
	now := r.Now()
	st, err := r.Planner.Plan(ctx, now)
	if err != nil && ctx.Err() == nil {
		r.Logger.Error("planning", "err", err)
	}
	if st.Planned > 0 || st.Enqueued > 0 || st.Swept > 0 {
		r.Logger.Info("planned", "at", now.Format(time.RFC3339), "new", st.Planned, "queued", st.Enqueued,
			"stale claims", st.Swept)
	}
	if r.Guard == nil || ctx.Err() != nil {
		return
	}
	// A long planning round may have outlasted the lease, and another
	// scheduler taken it: renew it, or leave the check to that one.
	if !r.hold(ctx) {
		return
	}
	if err := r.Guard.Check(ctx); err != nil && ctx.Err() == nil {
		r.Logger.Error("guardrail check", "err", err)
	}
}

// hold takes or renews the lease and reports whether this process has it.
func (r *Runner) hold(ctx context.Context) bool {
	held, err := r.Lease.Hold(ctx)
	if err != nil {
		if ctx.Err() == nil {
			r.Logger.Error("scheduler lease", "err", err)
		}
		return false
	}
	if !held {
		r.Logger.Debug("another scheduler holds the lease")
	}
	return held
}
