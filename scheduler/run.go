package scheduler

import (
	"context"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/courtesyhq/courtesy"
)

// Runner plans on a timer while it holds the lease.
type Runner struct {
	Planner *Planner
	Lease   *Lease
	// Spec is the cron schedule of planning rounds. Defaults to "@every 30s".
	// What is planned depends only on the time a round runs, never on which
	// firing it is, so a missed or doubled firing changes nothing.
	Spec   string
	Now    courtesy.Clock // Defaults to the wall clock.
	Logger *slog.Logger   // Defaults to slog.Default().
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
	held, err := r.Lease.Hold(ctx)
	if err != nil {
		if ctx.Err() == nil {
			r.Logger.Error("scheduler lease", "err", err)
		}
		return
	}
	if !held {
		r.Logger.Debug("another scheduler holds the lease")
		return
	}
	now := r.Now()
	st, err := r.Planner.Plan(ctx, now)
	if err != nil && ctx.Err() == nil {
		r.Logger.Error("planning", "err", err)
	}
	if st.Planned > 0 || st.Enqueued > 0 {
		r.Logger.Info("planned", "at", now.Format(time.RFC3339), "new", st.Planned, "queued", st.Enqueued)
	}
}
