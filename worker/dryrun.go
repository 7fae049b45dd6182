package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/campaigns"
	"github.com/courtesyhq/courtesy/mailer"
	"github.com/courtesyhq/courtesy/store"
	"github.com/courtesyhq/courtesy/throttle"
)

// DryRun takes the pipeline's decisions without their effects: nothing is
// reserved in Redis, recorded in the store or handed to SMTP. The same code
// decides as in a real run; only the parts that change the world are
// replaced by ones that remember, in memory, what they would have done, so
// a simulation over many days sees its own earlier sends count against the
// limits.
type DryRun struct {
	p      *Pipeline
	store  *dryStore
	limits *dryLimiter
	sender *captureSender
}

// Evaluation is one dry decision.
type Evaluation struct {
	// Message is the message row as it would be recorded: its decision,
	// detail (the rule, the consent relied on, the limits passed, the tone
	// finding) and, when it would be deferred, its new due time.
	Message courtesy.Message
	// Mail is the message as it would be sent; nil when it would not go.
	Mail *mailer.Message
}

// DryStore is what a dry run reads from the real store: what deciding
// reads, the parts of a send context one at a time (the messages a dry
// run decides are its own, not the store's), and the send log the limits
// are judged on.
type DryStore interface {
	Reader
	throttle.SendLog
	Customer(ctx context.Context, id string) (courtesy.Customer, error)
	ConsentHistory(ctx context.Context, customerID string) ([]courtesy.ConsentRecord, error)
	Suppressed(ctx context.Context, email string) (bool, courtesy.Suppression, error)
	CampaignState(ctx context.Context, id string) (courtesy.CampaignState, error)
	Preferences(ctx context.Context, customerID string) (courtesy.Preferences, error)
}

var _ DryStore = (*store.DB)(nil)

// NewDryRun returns a dry pipeline over cfg that reads from src and writes
// nothing. cfg's store, limiter, rate, sender and scheduler are not used
// and may be nil.
func NewDryRun(cfg Config, src DryStore) (*DryRun, error) {
	if src == nil {
		return nil, fmt.Errorf("worker: no store")
	}
	d := &DryRun{
		store:  &dryStore{src: src, msgs: map[string]courtesy.Message{}, surveys: map[string]time.Time{}, surveyIDs: map[string]bool{}},
		limits: &dryLimiter{log: src, customers: map[string]*dryWindows{}},
		sender: &captureSender{},
	}
	cfg.Store, cfg.Limiter, cfg.Sender = d.store, d.limits, d.sender
	cfg.Scheduler, cfg.Rate, cfg.Observe = discard{}, nil, nil
	cfg.Logger = slog.New(slog.DiscardHandler)
	for id, c := range cfg.Campaigns {
		if c.Kind == campaigns.NPSSurvey {
			d.store.surveyIDs[id] = true
		}
	}
	p, err := New(cfg)
	if err != nil {
		return nil, err
	}
	d.p = p
	return d, nil
}

// Evaluate decides m as the pipeline would at the dry run's clock.
func (d *DryRun) Evaluate(ctx context.Context, m courtesy.Message) (Evaluation, error) {
	if m.Decision.Outcome == "" {
		m.Decision = courtesy.Decision{Outcome: courtesy.Planned}
	}
	d.store.put(m)
	d.sender.take()
	if err := d.p.Process(ctx, m.Key, false); err != nil {
		return Evaluation{}, fmt.Errorf("evaluate %s: %w", m.Key, err)
	}
	ev := Evaluation{Message: d.store.get(m.Key), Mail: d.sender.take()}
	if ev.Message.Decision.Outcome == courtesy.Sent && m.CampaignID != "" && d.store.surveyIDs[m.CampaignID] {
		d.store.surveySent(m.CustomerID, d.p.cfg.Now())
	}
	return ev, nil
}

// Compose renders m for its customer as it would be sent, whatever the
// decision: what a preview shows.
func (d *DryRun) Compose(ctx context.Context, m courtesy.Message) (*mailer.Message, error) {
	return d.ComposeIn(ctx, m, "")
}

// ComposeIn is Compose for a customer whose locale were lang ("" keeps
// their own): the message they would get in that language, whole.
func (d *DryRun) ComposeIn(ctx context.Context, m courtesy.Message, lang string) (*mailer.Message, error) {
	j := &job{msg: m, now: d.p.cfg.Now()}
	if m.Detail != "" {
		_ = json.Unmarshal([]byte(m.Detail), &j.detail)
	}
	var ok bool
	if j.campaign, ok = d.p.cfg.Campaigns[m.CampaignID]; !ok {
		return nil, fmt.Errorf("no campaign %q", m.CampaignID)
	}
	cust, err := d.store.src.Customer(ctx, m.CustomerID)
	if err != nil {
		return nil, err
	}
	j.customer = cust
	if lang != "" {
		j.customer.Locale = lang
	}
	mail, v := d.p.compose(ctx, j)
	switch v.kind {
	case goOn:
		return mail, nil
	case stalled:
		return nil, v.err
	}
	return nil, fmt.Errorf("the message would be %s: %s", v.decision, j.detail.Finding+j.detail.Error)
}

// dryStore reads through to the real store and keeps what it would write.
type dryStore struct {
	src       DryStore
	mu        sync.Mutex
	msgs      map[string]courtesy.Message
	surveys   map[string]time.Time // customer → last dry survey sent
	surveyIDs map[string]bool
}

var _ Store = (*dryStore)(nil)

func (s *dryStore) put(m courtesy.Message) {
	s.mu.Lock()
	s.msgs[m.Key] = m
	s.mu.Unlock()
}

func (s *dryStore) get(key string) courtesy.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.msgs[key]
}

func (s *dryStore) surveySent(customerID string, at time.Time) {
	s.mu.Lock()
	s.surveys[customerID] = at
	s.mu.Unlock()
}

func (s *dryStore) message(key string) (courtesy.Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.msgs[key]
	return m, ok
}

func (s *dryStore) Event(ctx context.Context, id int64) (courtesy.Event, error) {
	return s.src.Event(ctx, id)
}

func (s *dryStore) PurchasedSince(ctx context.Context, customerID, itemID string, since time.Time) (bool, error) {
	return s.src.PurchasedSince(ctx, customerID, itemID, since)
}

func (s *dryStore) CustomerEvents(ctx context.Context, customerID string) ([]courtesy.Event, error) {
	return s.src.CustomerEvents(ctx, customerID)
}

func (s *dryStore) Fingerprint(email string) string { return "" }

// Messages lists the store's messages with the dry run's own in their
// place, so a message decided earlier in a simulation counts as decided:
// a lower-priority one then stops waiting for it. Only the customer and
// campaign filters apply to the dry run's own.
func (s *dryStore) Messages(ctx context.Context, f courtesy.Filter) ([]courtesy.Message, error) {
	out, err := s.src.Messages(ctx, f)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[string]bool{}
	for i, m := range out {
		if dry, ok := s.msgs[m.Key]; ok {
			out[i] = dry
		}
		seen[m.Key] = true
	}
	for key, m := range s.msgs {
		if !seen[key] && (f.CustomerID == "" || m.CustomerID == f.CustomerID) && (f.CampaignID == "" || m.CampaignID == f.CampaignID) {
			out = append(out, m)
		}
	}
	return out, nil
}

// SendContexts puts each send context together from the dry run's own
// message and the store's reads, one at a time. The limits of a dry run
// are its own limiter's (dryLimiter), so it reads no send log.
func (s *dryStore) SendContexts(ctx context.Context, keys []string, _ time.Time) (map[string]store.SendContext, error) {
	out := make(map[string]store.SendContext, len(keys))
	for _, key := range keys {
		m, ok := s.message(key)
		if !ok {
			continue
		}
		sc, err := s.sendContext(ctx, m)
		if err != nil {
			return nil, err
		}
		out[key] = sc
	}
	return out, nil
}

func (s *dryStore) sendContext(ctx context.Context, m courtesy.Message) (store.SendContext, error) {
	sc := store.SendContext{Message: m}
	var err error
	if sc.Campaign, err = s.src.CampaignState(ctx, m.CampaignID); err != nil {
		return sc, fmt.Errorf("load campaign state: %w", err)
	}
	sc.Customer, err = s.src.Customer(ctx, m.CustomerID)
	if errors.Is(err, courtesy.ErrNotFound) {
		return sc, nil
	}
	if err != nil {
		return sc, fmt.Errorf("load customer: %w", err)
	}
	sc.CustomerFound = true
	if sc.Suppressed, sc.Suppression, err = s.src.Suppressed(ctx, sc.Customer.Email); err != nil {
		return sc, fmt.Errorf("check suppression: %w", err)
	}
	if sc.Consent, err = s.src.ConsentHistory(ctx, sc.Customer.ID); err != nil {
		return sc, fmt.Errorf("load consent: %w", err)
	}
	if sc.Preferences, err = s.src.Preferences(ctx, sc.Customer.ID); err != nil {
		return sc, fmt.Errorf("load preferences: %w", err)
	}
	return sc, nil
}

func (s *dryStore) Claim(_ context.Context, key string, at time.Time) (store.ClaimResult, courtesy.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.msgs[key]
	m.Decision, m.ClaimedAt = courtesy.Decision{Outcome: courtesy.Claimed}, at
	s.msgs[key] = m
	return store.Claimed, m, nil
}

// ClaimForSend reads the ledger through to the store; the limits of a dry
// run are its own limiter's (dryLimiter), so it reads no send log.
func (s *dryStore) ClaimForSend(ctx context.Context, key string, at, _ time.Time) (store.ClaimResult, store.SendClaim, error) {
	res, m, _ := s.Claim(ctx, key, at)
	history, err := s.src.ConsentHistory(ctx, m.CustomerID)
	if err != nil {
		return 0, store.SendClaim{}, fmt.Errorf("load consent: %w", err)
	}
	return res, store.SendClaim{Consent: history}, nil
}

func (s *dryStore) DecideAll(_ context.Context, ds []store.DecisionUpdate) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range ds {
		m := s.msgs[d.Key]
		m.Decision, m.DecidedAt = d.Decision, d.At
		if d.Detail != "" {
			m.Detail = d.Detail
		}
		if d.Variant != "" {
			m.Variant = d.Variant
		}
		if d.Subject != "" {
			m.Subject = d.Subject
		}
		if d.CampaignVersion != "" {
			m.CampaignVersion = d.CampaignVersion
		}
		if !d.DueAt.IsZero() {
			m.DueAt = d.DueAt
		}
		s.msgs[d.Key] = m
	}
	return nil
}

func (s *dryStore) AddSuppression(context.Context, courtesy.Suppression) error { return nil }

func (s *dryStore) LastSurveySent(ctx context.Context, customerID string, ids []string) (time.Time, bool, error) {
	last, ok, err := s.src.LastSurveySent(ctx, customerID, ids)
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, dry := s.surveys[customerID]; dry && t.After(last) {
		return t, true, err
	}
	return last, ok, err
}

// dryLimiter checks the frequency windows in memory, by the Limiter's own
// rule (throttle.Fits), over the store's send log and the dry run's own
// sends.
type dryLimiter struct {
	log       throttle.SendLog
	mu        sync.Mutex
	customers map[string]*dryWindows
}

type dryWindows struct {
	since  time.Time             // the store's log is read from then on
	stored []courtesy.SentRecord // from the store
	own    []courtesy.SentRecord // the dry run's
}

func (l *dryLimiter) Reserve(ctx context.Context, r throttle.Request) (throttle.Reservation, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.customers[r.Customer]
	if w == nil {
		w = &dryWindows{}
		l.customers[r.Customer] = w
	}
	var longest time.Duration
	for _, s := range r.Limits {
		longest = max(longest, s.Limit.Window)
	}
	// Read the store's log as far back as the longest window asks, once
	// more when a later message asks further.
	if from := r.At.Add(-longest); l.log != nil && (w.since.IsZero() || from.Before(w.since)) {
		recs, err := l.log.SentTimes(ctx, r.Customer, from)
		if err != nil {
			return throttle.Reservation{}, err
		}
		w.since, w.stored = from, recs
	}
	for _, s := range w.own {
		if s.Key == r.Key {
			return throttle.Reservation{OK: true}, nil // reserved already
		}
	}
	res := throttle.Fits(r.Limits, r.Campaign, r.Key, r.At, append(slices.Clip(w.stored), w.own...))
	if res.OK {
		w.own = append(w.own, courtesy.SentRecord{Key: r.Key, CampaignID: r.Campaign, At: r.At})
	}
	return res, nil
}

func (l *dryLimiter) Release(_ context.Context, customerID, key string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if w := l.customers[customerID]; w != nil {
		w.own = slices.DeleteFunc(w.own, func(s courtesy.SentRecord) bool { return s.Key == key })
	}
	return nil
}

// captureSender keeps the last message instead of sending it.
type captureSender struct {
	mu   sync.Mutex
	last *mailer.Message
}

func (c *captureSender) Send(ctx context.Context, m *mailer.Message) error {
	if m.Commit != nil {
		if err := m.Commit(ctx); err != nil {
			return fmt.Errorf("%w: %w", mailer.ErrAbandoned, err)
		}
	}
	c.mu.Lock()
	c.last = m
	c.mu.Unlock()
	return nil
}

func (c *captureSender) Close() error { return nil }

func (c *captureSender) take() *mailer.Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.last
	c.last = nil
	return m
}

type discard struct{}

func (discard) Enqueue(context.Context, string, time.Time, time.Time) error { return nil }
