package main

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/hibiken/asynq"

	"github.com/courtesyhq/courtesy/guardrail"
	"github.com/courtesyhq/courtesy/scheduler"
	"github.com/courtesyhq/courtesy/web"
	"github.com/courtesyhq/courtesy/worker"
)

// roles are the long-running parts a process may run.
type roles struct {
	scheduler, worker, web bool
	concurrency            int
}

func cmdServe(inv *invocation, args []string) error {
	return runRoles(inv, "serve", args, roles{scheduler: true, worker: true, web: true})
}

func cmdScheduler(inv *invocation, args []string) error {
	return runRoles(inv, "scheduler", args, roles{scheduler: true})
}

func cmdWorker(inv *invocation, args []string) error {
	return runRoles(inv, "worker", args, roles{worker: true})
}

func cmdWeb(inv *invocation, args []string) error {
	return runRoles(inv, "web", args, roles{web: true})
}

func runRoles(inv *invocation, name string, args []string, r roles) error {
	inv.logLevel = "info"
	fs := inv.flags(name)
	if r.worker {
		fs.IntVar(&r.concurrency, "concurrency", 10, "messages processed at once by this worker")
	}
	lease, every := 90*time.Second, 30*time.Second
	if r.scheduler {
		fs.DurationVar(&lease, "lease", lease, "how long the planning lease lasts unless renewed: another scheduler takes over within this long after this one dies")
		fs.DurationVar(&every, "every", every, "how often a planning round runs")
	}
	if _, err := parsePositional(fs, args, 0, 0); err != nil {
		return err
	}
	if r.scheduler && (every <= 0 || lease <= every) {
		return usagef("--lease (%s) must be longer than --every (%s), or the lease runs out between rounds", lease, every)
	}
	a, err := inv.load()
	if err != nil {
		return err
	}
	defer a.close()
	ctx, cancel := context.WithCancel(a.ctx())
	defer cancel()
	errc := make(chan error, 3)
	running := 0

	q, err := a.queue()
	if err != nil {
		return err
	}
	q.Delayed = true
	if r.worker {
		srv, err := a.startWorker(q, r.concurrency, asynq.DefaultRetryDelayFunc)
		if err != nil {
			return err
		}
		defer srv.Shutdown()
	}
	if r.scheduler {
		p, err := a.planner(q)
		if err != nil {
			return err
		}
		g, err := a.guard()
		if err != nil {
			return err
		}
		runner := &scheduler.Runner{
			Planner: p,
			Lease:   scheduler.NewLease(a.rdb, a.redisPrefix()+":scheduler:lease", lease),
			Guard:   countedGuard{g, a.metricsOf()},
			Spec:    "@every " + every.String(),
			Now:     a.now,
			Logger:  a.logger,
		}
		running++
		go func() { errc <- runner.Run(ctx) }()
	}
	if r.web {
		srv, err := a.webServer()
		if err != nil {
			return err
		}
		running++
		go func() { errc <- serveHTTP(ctx, srv, a.logger) }()
	}
	a.logger.Info("courtesy is running", "roles", name)
	select {
	case <-ctx.Done():
	case err := <-errc:
		if err != nil {
			return err
		}
	}
	cancel()
	for i := 0; i < running-1; i++ {
		<-errc
	}
	return nil
}

// startWorker runs the send pipeline on the queue.
func (a *app) startWorker(q worker.Enqueuer, concurrency int, retry asynq.RetryDelayFunc) (*asynq.Server, error) {
	p, err := a.pipeline(q)
	if err != nil {
		return nil, err
	}
	srv := asynq.NewServerFromRedisClient(a.rdb, asynq.Config{
		Concurrency:              concurrency,
		Queues:                   map[string]int{worker.Queue: 1},
		RetryDelayFunc:           retry,
		Logger:                   asynqLogger{a.logger},
		LogLevel:                 asynq.WarnLevel,
		ShutdownTimeout:          20 * time.Second,
		DelayedTaskCheckInterval: time.Second,
		BaseContext:              func() context.Context { return context.WithoutCancel(a.ctx()) },
	})
	mux := asynq.NewServeMux()
	mux.Handle(worker.TypeSend, redisOutage{next: p, rdb: a.rdb, wait: 20 * time.Second, poll: 250 * time.Millisecond})
	if err := srv.Start(mux); err != nil {
		return nil, fmt.Errorf("start the worker: %w", err)
	}
	return srv, nil
}

// countedGuard is the guardrail as the scheduler's round runs it, with the
// campaigns it pauses counted for /metrics.
type countedGuard struct {
	g *guardrail.Guard
	m *web.SendMetrics
}

var _ scheduler.Guard = countedGuard{}

func (c countedGuard) Check(ctx context.Context) error {
	verdicts, err := c.g.Check(ctx)
	for _, v := range verdicts {
		if v.Paused {
			c.m.ObserveGuardrailPause(v.Campaign)
		}
	}
	return err
}

// shortRetry backs off quickly, for a process that waits for its queue to
// drain: 1 s, 2 s, 4 s … at most 30 s.
func shortRetry(n int, _ error, _ *asynq.Task) time.Duration {
	return time.Duration(math.Min(30, math.Pow(2, float64(n)))) * time.Second
}

// asynqLogger sends asynq's own logging through slog.
type asynqLogger struct{ l *slog.Logger }

func (l asynqLogger) Debug(args ...any) { l.l.Debug(fmt.Sprint(args...)) }
func (l asynqLogger) Info(args ...any)  { l.l.Info(fmt.Sprint(args...)) }
func (l asynqLogger) Warn(args ...any)  { l.l.Warn(fmt.Sprint(args...)) }
func (l asynqLogger) Error(args ...any) { l.l.Error(fmt.Sprint(args...)) }
func (l asynqLogger) Fatal(args ...any) { l.l.Error(fmt.Sprint(args...)) }
