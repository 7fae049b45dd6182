package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/campaigns"
	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/feedback"
	"github.com/courtesyhq/courtesy/mailer"
	"github.com/courtesyhq/courtesy/store"
	"github.com/courtesyhq/courtesy/throttle"
	"github.com/courtesyhq/courtesy/throttle/throttleredis"
	"github.com/courtesyhq/courtesy/tone"
)

// Reader is what deciding on a message reads beyond its send context: a
// reminder's event and the purchases since, the surveys sent, and the
// customer's other messages and events for priority.
type Reader interface {
	Event(ctx context.Context, id int64) (courtesy.Event, error)
	PurchasedSince(ctx context.Context, customerID, itemID string, since time.Time) (bool, error)
	LastSurveySent(ctx context.Context, customerID string, campaignIDs []string) (time.Time, bool, error)
	Messages(ctx context.Context, f courtesy.Filter) ([]courtesy.Message, error)
	CustomerEvents(ctx context.Context, customerID string) ([]courtesy.Event, error)
}

// Store is what the pipeline reads and records.
type Store interface {
	Reader
	// SendContexts reads the messages with these keys and what deciding on
	// them needs, in as few round trips as the store can, with each
	// customer's send log from sentSince on unless it is zero. A key the
	// store does not hold is missing from the map.
	SendContexts(ctx context.Context, keys []string, sentSince time.Time) (map[string]store.SendContext, error)
	// Claim settles a message found claimed when its task starts: the
	// attempt that claimed it may have handed it over.
	Claim(ctx context.Context, key string, at time.Time) (store.ClaimResult, courtesy.Message, error)
	// ClaimForSend claims the message before its final "." and reads, in
	// the same trip to the store, the customer's consent ledger and send
	// log (from sentSince on) as the claim leaves them.
	ClaimForSend(ctx context.Context, key string, at, sentSince time.Time) (store.ClaimResult, store.SendClaim, error)
	// DecideAll records decisions together.
	DecideAll(ctx context.Context, ds []store.DecisionUpdate) error
	AddSuppression(ctx context.Context, s courtesy.Suppression) error
	// Fingerprint is the keyed form an address is kept in beside a
	// suppression.
	Fingerprint(email string) string
}

// Limiter reserves room in a customer's frequency windows.
type Limiter interface {
	Reserve(ctx context.Context, r throttle.Request) (throttle.Reservation, error)
	Release(ctx context.Context, customerID, messageKey string) error
}

// BatchLimiter is a Limiter that reserves for many messages in one trip:
// the pipeline uses it for a batch when its limiter offers it.
type BatchLimiter interface {
	Limiter
	ReserveAll(ctx context.Context, rs []throttle.Request) ([]throttle.Reservation, error)
}

// RateLimiter keeps the pace the SMTP provider allows, across every worker.
type RateLimiter interface {
	Wait(ctx context.Context) error
}

// Scheduler puts a message back on the queue, in a task of its own, for a
// later time or, when at is not after now, at once.
type Scheduler interface {
	Enqueue(ctx context.Context, key string, at, now time.Time) error
}

var (
	_ Store        = (*store.DB)(nil)
	_ BatchLimiter = (*throttleredis.Limiter)(nil)
	// The store's send log is what the limiter rebuilds lost windows from.
	_ throttle.SendLog = (*store.DB)(nil)
	_ Scheduler        = Enqueuer{}
)

// Business is what every message says about the sender.
type Business struct {
	Name          string
	PostalAddress string
	From          string
	ReplyTo       string
	BaseURL       string
	Domain        string         // the From domain, for Message-IDs
	Location      *time.Location // for customers without a time zone
	ReturnPath    string         // envelope sender, made per message (VERP); empty means the From address
	// VERPKeys sign the VERP addresses, newest first; without them the
	// envelope sender is ReturnPath as it is.
	VERPKeys []consent.Key
}

// envelopeFrom is the message's own envelope sender: a signed VERP address
// (bounce+token@domain) made from ReturnPath, so a bounce names the message
// it is about even when it quotes nothing of it, and a forged report
// cannot.
func (b Business) envelopeFrom(messageKey string) string {
	return feedback.VERP{ReturnPath: b.ReturnPath, Keys: b.VERPKeys}.Address(messageKey)
}

// Config is everything the pipeline needs, built by the command that runs it.
type Config struct {
	Business   Business
	Campaigns  map[string]*campaigns.Campaign
	Limits     []throttle.Limit    // per customer, across all campaigns
	QuietHours throttle.QuietHours // in the recipient's time zone
	Tone       map[string]*tone.Checker
	Signer     *consent.Signer
	Store      Store
	Limiter    Limiter
	Rate       RateLimiter // nil: no provider limit
	Sender     mailer.Sender
	Scheduler  Scheduler
	// Streams is how many messages of a batch are with the sender at once:
	// as many as it keeps SMTP connections. Defaults to 4.
	Streams int
	Now     courtesy.Clock // Defaults to the wall clock.
	Logger  *slog.Logger   // Defaults to slog.Default().
	// Observe, when set, is told of every decision recorded and how long
	// the task took to reach it, for metrics and for a run's summary. It
	// must be safe for concurrent use.
	Observe func(campaignID string, d courtesy.Decision, took time.Duration)
}

// Pipeline processes message tasks.
type Pipeline struct {
	cfg Config
	// horizon is the longest frequency window a message can meet: the
	// send log read with each message reaches that far back.
	horizon time.Duration
}

// New returns a pipeline over cfg.
func New(cfg Config) (*Pipeline, error) {
	if cfg.Now == nil {
		cfg.Now = courtesy.SystemClock
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Business.Location == nil {
		cfg.Business.Location = time.UTC
	}
	if cfg.Streams <= 0 {
		cfg.Streams = 4
	}
	switch {
	case cfg.Store == nil:
		return nil, errors.New("worker: no store")
	case cfg.Sender == nil:
		return nil, errors.New("worker: no sender")
	case cfg.Signer == nil:
		return nil, errors.New("worker: no link signer")
	case cfg.Limiter == nil:
		return nil, errors.New("worker: no limiter")
	case cfg.Scheduler == nil:
		return nil, errors.New("worker: no scheduler")
	}
	return &Pipeline{cfg: cfg, horizon: horizon(cfg)}, nil
}

// horizon is the longest window of the configured limits, every
// campaign's, and the customer preferences the preference page offers. A
// customer with a longer preference of their own costs the limiter a read
// of the send log of its own.
func horizon(cfg Config) time.Duration {
	longest := max(throttle.OnePerWeek.Window, throttle.OnePerMonth.Window)
	for _, l := range cfg.Limits {
		longest = max(longest, l.Window)
	}
	for _, c := range cfg.Campaigns {
		for _, l := range c.Limits {
			longest = max(longest, l.Window)
		}
	}
	return longest
}

// ProcessTask implements asynq.Handler for both task types: one message
// (TypeSend) and a batch (TypeBatch).
func (p *Pipeline) ProcessTask(ctx context.Context, t *asynq.Task) error {
	if t.Type() == TypeBatch {
		var pl BatchPayload
		if err := json.Unmarshal(t.Payload(), &pl); err != nil || len(pl.Keys) == 0 {
			return fmt.Errorf("bad batch payload %q: %w", t.Payload(), asynq.SkipRetry)
		}
		return p.ProcessBatch(ctx, pl.Keys)
	}
	var pl Payload
	if err := json.Unmarshal(t.Payload(), &pl); err != nil || pl.Key == "" {
		return fmt.Errorf("bad task payload %q: %w", t.Payload(), asynq.SkipRetry)
	}
	lastTry := false
	if n, ok := asynq.GetRetryCount(ctx); ok {
		if max, ok := asynq.GetMaxRetry(ctx); ok && n >= max {
			lastTry = true
		}
	}
	return p.Process(ctx, pl.Key, lastTry)
}

// Process takes the message with the given key from its current state to a
// decision: a task of its own. lastTry says that a temporary failure will
// not be retried, so it must be recorded as final. The error is the
// message's, for the queue: a temporary failure to retry, a permanent one
// wrapped in asynq.SkipRetry.
func (p *Pipeline) Process(ctx context.Context, key string, lastTry bool) error {
	return p.run(ctx, []string{key}, true, lastTry)
}

// ProcessBatch takes every message of a batch to a decision. A message
// that must wait (quiet hours, a full window), whose send failed for now,
// or that could not be decided moves to a task of its own; the others of
// the batch go on. The error is the batch's own: it could not be read, or
// what was decided could not be recorded; running the batch again is safe.
func (p *Pipeline) ProcessBatch(ctx context.Context, keys []string) error {
	return p.run(ctx, keys, false, false)
}

// job is one message on its way through the pipeline.
type job struct {
	msg      courtesy.Message
	campaign *campaigns.Campaign
	customer courtesy.Customer
	sc       store.SendContext // read once, when the task starts
	event    *courtesy.Event   // a reminder's interest event, once read
	loc      *time.Location
	limits   []throttle.Scoped // every window the message must fit
	res      *reservation      // its place in the windows, once reserved
	detail   courtesy.Detail
	now      time.Time
	lastTry  bool      // a temporary failure will not be retried
	started  time.Time // by the wall clock, for the metrics
	v        verdict   // what became of it
}

func newJob(sc store.SendContext, now time.Time, lastTry bool) *job {
	j := &job{msg: sc.Message, sc: sc, now: now, lastTry: lastTry, started: time.Now()}
	if j.msg.Detail != "" {
		_ = json.Unmarshal([]byte(j.msg.Detail), &j.detail)
	}
	return j
}

func (j *job) detailJSON() string {
	b, _ := json.Marshal(j.detail)
	return string(b)
}
