package main

import (
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/campaigns"
	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/lint"
	"github.com/courtesyhq/courtesy/mailer"
	"github.com/courtesyhq/courtesy/scheduler"
	"github.com/courtesyhq/courtesy/store"
	"github.com/courtesyhq/courtesy/throttle"
	"github.com/courtesyhq/courtesy/throttle/throttleredis"
	"github.com/courtesyhq/courtesy/worker"
)

// pipelineRun is one measured run of the whole send path.
type pipelineRun struct {
	shop        lint.Result
	rdb         *redis.Client
	sinkURL     string
	dir         string
	storeKind   string
	dkim        string
	messages    int // customers whose birthday is today
	customers   int // customers in the store
	conns       int
	concurrency int
	// overlap starts the workers before planning, as serve and run-once
	// do; otherwise planning finishes first and the workers drain a full
	// queue, which times the two apart.
	overlap bool
}

// recorder times each message from the moment it is queued (it is due by
// then) to its final decision, and each task's own processing.
// Past 25,000 messages it times a sample, one message in every n/25,000 by
// a hash of its key, so that what it holds stays near 25,000 entries: the
// resident set measured is the pipeline's, not the bench's own notes.
type recorder struct {
	mu      sync.Mutex
	every   uint32 // time one message in every
	queued  map[string]time.Time
	latency []time.Duration
	service []time.Duration
	final   atomic.Int64
}

// recorderSample is about how many messages a recorder times.
const recorderSample = 25000

func newRecorder(n int) *recorder {
	every := max(1, n/recorderSample)
	return &recorder{every: uint32(every), queued: make(map[string]time.Time, n/every),
		latency: make([]time.Duration, 0, n/every), service: make([]time.Duration, 0, n/every)}
}

// sampled says the message with this key is one the recorder times.
func (r *recorder) sampled(key string) bool {
	if r.every == 1 {
		return true
	}
	h := fnv.New32a()
	h.Write([]byte(key))
	return h.Sum32()%r.every == 0
}

// timedQueue is the worker's enqueuer, noting when each message was queued.
type timedQueue struct {
	worker.Enqueuer
	rec *recorder
}

func (q timedQueue) Enqueue(ctx context.Context, key string, at, now time.Time) error {
	q.rec.queue(key)
	return q.Enqueuer.Enqueue(ctx, key, at, now)
}

func (q timedQueue) EnqueueBatch(ctx context.Context, keys []string) error {
	for _, k := range keys {
		q.rec.queue(k)
	}
	return q.Enqueuer.EnqueueBatch(ctx, keys)
}

// queue notes when the message was first queued.
func (r *recorder) queue(key string) {
	if !r.sampled(key) {
		return
	}
	r.mu.Lock()
	if _, ok := r.queued[key]; !ok {
		r.queued[key] = time.Now()
	}
	r.mu.Unlock()
}

// timedStore is the store, noting when each final decision is committed.
type timedStore struct {
	*store.DB
	rec *recorder
}

func (s timedStore) DecideAll(ctx context.Context, ds []store.DecisionUpdate) error {
	err := s.DB.DecideAll(ctx, ds)
	if err != nil {
		return err
	}
	now := time.Now()
	s.rec.mu.Lock()
	defer s.rec.mu.Unlock()
	for _, d := range ds {
		if !d.Decision.Outcome.Final() {
			continue
		}
		if t, found := s.rec.queued[d.Key]; found {
			s.rec.latency = append(s.rec.latency, now.Sub(t))
		}
		s.rec.final.Add(1)
	}
	return nil
}

// timedHandler notes how long each task takes to process.
type timedHandler struct {
	h   asynq.Handler
	rec *recorder
}

func (h timedHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	start := time.Now()
	err := h.h.ProcessTask(ctx, t)
	d := time.Since(start)
	h.rec.mu.Lock()
	h.rec.service = append(h.rec.service, d)
	h.rec.mu.Unlock()
	return err
}

// run seeds a fresh store, then measures planning, queueing and the
// pipeline until every planned message has its final decision.
func (pr pipelineRun) run(ctx context.Context) (result, map[string]int, error) {
	db, closeDB, err := openStore(ctx, pr.storeKind, pr.dir)
	if err != nil {
		return result{}, nil, err
	}
	defer closeDB()
	if err := seedCustomers(ctx, db, pr.customers, pr.messages); err != nil {
		return result{}, nil, err
	}
	if err := pr.rdb.FlushDB(ctx).Err(); err != nil {
		return result{}, nil, err
	}
	key, err := consent.GenerateKey("k1")
	if err != nil {
		return result{}, nil, err
	}
	signer, err := consent.NewSigner([]consent.Key{key})
	if err != nil {
		return result{}, nil, err
	}
	dk, err := dkimKey(pr.dkim)
	if err != nil {
		return result{}, nil, err
	}
	sender, err := mailer.Open(pr.sinkURL, mailer.Config{MaxConnections: pr.conns, HelloName: "crumb.example", DKIM: dk})
	if err != nil {
		return result{}, nil, err
	}
	defer sender.Close()

	// The wiring of cmd/courtesy/app.go, minus the provider rate limit
	// (smtp.max_per_second), which would only measure itself.
	cfg := pr.shop.Config
	quiet := throttle.QuietHours(cfg.Limits.QuietHours) // validated when the config was read
	var limits []throttle.Limit
	for _, l := range cfg.Limits.PerCustomer {
		limits = append(limits, throttle.Limit(l))
	}
	byID := map[string]*campaigns.Campaign{}
	for _, c := range pr.shop.Campaigns {
		byID[c.ID] = c
	}
	origin := time.Now()
	clock := func() time.Time { return simDay.Add(time.Since(origin)) }
	rec := newRecorder(pr.messages)
	q := timedQueue{worker.Enqueuer{Client: asynq.NewClientFromRedisClient(pr.rdb), Redis: pr.rdb}, rec}
	b := cfg.Business
	p, err := worker.New(worker.Config{
		Business: worker.Business{
			Name: b.Name, PostalAddress: b.PostalAddress, From: b.From, ReplyTo: b.ReplyTo,
			BaseURL: b.BaseURL, Domain: "crumb.example", Location: cfg.Location(),
			ReturnPath: cfg.SMTP.ReturnPath,
		},
		Campaigns:  byID,
		Limits:     limits,
		QuietHours: quiet,
		Tone:       pr.shop.Tone,
		Signer:     signer,
		Store:      timedStore{db, rec},
		Limiter:    throttleredis.NewLimiter(pr.rdb, "courtesy:limits", db),
		Sender:     sender,
		Scheduler:  q,
		Streams:    pr.conns,
		Now:        clock,
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		return result{}, nil, err
	}
	planner := &scheduler.Planner{Campaigns: pr.shop.Campaigns, Store: db, Queue: q, Location: cfg.Location()}
	srv := newServer(pr.rdb, pr.concurrency)
	mux := asynq.NewServeMux()
	mux.Handle(worker.TypeSend, timedHandler{p, rec})
	mux.Handle(worker.TypeBatch, timedHandler{p, rec})

	// PostgreSQL's server CPU is left out: unlike Redis's INFO, nothing it
	// tells a client counts CPU time (its statistics views count rows,
	// calls and elapsed time), so a PostgreSQL run's figure is this process
	// and Redis only. SQLite runs inside this process and is counted in full.
	m := startMeter(pr.rdb)
	if pr.overlap {
		if err := srv.Start(mux); err != nil {
			return result{}, nil, err
		}
	}
	st, err := planner.Plan(ctx, clock())
	if err != nil {
		return result{}, nil, fmt.Errorf("plan: %w", err)
	}
	planned := time.Since(m.start)
	if !pr.overlap {
		if err := srv.Start(mux); err != nil {
			return result{}, nil, err
		}
	}
	defer srv.Shutdown()
	if err := waitFor(ctx, func() bool { return rec.final.Load() >= int64(st.Enqueued) }, drainTimeout(pr.messages)); err != nil {
		return result{}, nil, fmt.Errorf("pipeline: %d of %d messages decided: %w", rec.final.Load(), st.Enqueued, err)
	}
	drained := time.Since(m.start) - planned
	mode := "phased"
	if pr.overlap {
		mode = "overlapped"
	}
	r := m.stop(fmt.Sprintf("pipeline %s dkim=%s c=%d %s", pr.storeKind, pr.dkim, pr.concurrency, mode), st.Enqueued)
	rec.mu.Lock()
	r.Latency = "latency due (queued) → decided"
	if rec.every > 1 {
		r.Latency += fmt.Sprintf(" (one message in %d)", rec.every)
	}
	r.P50, r.P99 = percentile(rec.latency, 50), percentile(rec.latency, 99)
	r.S50, r.S99 = percentile(rec.service, 50), percentile(rec.service, 99)
	rec.mu.Unlock()
	r.Note = fmt.Sprintf("plan+queue %d: %s (%.0f/s)", st.Enqueued, planned.Round(time.Millisecond), float64(st.Enqueued)/planned.Seconds())
	if !pr.overlap {
		r.Note += fmt.Sprintf(", then the workers: %s (%.0f/s)", drained.Round(time.Millisecond), float64(st.Enqueued)/drained.Seconds())
	}
	if pr.storeKind == "postgres" {
		r.Note += "; PostgreSQL's own CPU not counted"
	}
	counts, err := db.CountDecisions(ctx, courtesy.Filter{})
	if err != nil {
		return r, nil, err
	}
	// A message held back by the tone rules is a finding about the rules or
	// the template, so the first one is shown.
	if held, err := db.Messages(ctx, courtesy.Filter{Outcomes: []courtesy.Outcome{courtesy.Held}, Limit: 1}); err == nil && len(held) > 0 {
		r.Note += "; first held: " + held[0].Detail
	}
	if st.Enqueued != pr.messages {
		return r, counts, fmt.Errorf("planned %d messages, want %d", st.Enqueued, pr.messages)
	}
	return r, counts, nil
}

// summary is "sent 20000, suppressed:limit 3".
func summary(counts map[string]int) string {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, counts[k]))
	}
	return strings.Join(parts, ", ")
}

// drainTimeout bounds the wait for n messages: generous (100/s at worst),
// so only a message that never gets its decision trips it.
func drainTimeout(n int) time.Duration { return time.Minute + time.Duration(n)*10*time.Millisecond }
