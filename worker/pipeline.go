package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/campaigns"
	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/feedback"
	"github.com/courtesyhq/courtesy/mailer"
	"github.com/courtesyhq/courtesy/store"
	"github.com/courtesyhq/courtesy/templates"
	"github.com/courtesyhq/courtesy/throttle"
	"github.com/courtesyhq/courtesy/throttle/throttleredis"
	"github.com/courtesyhq/courtesy/tone"
)

// Store is what the pipeline reads and records.
type Store interface {
	// SendContext reads the message and what deciding on it needs, in as
	// few round trips as the store can, with the customer's send log from
	// sentSince on unless it is zero.
	SendContext(ctx context.Context, key string, sentSince time.Time) (store.SendContext, error)
	Message(ctx context.Context, key string) (courtesy.Message, error)
	Customer(ctx context.Context, id string) (courtesy.Customer, error)
	ConsentHistory(ctx context.Context, customerID string) ([]courtesy.ConsentRecord, error)
	Suppressed(ctx context.Context, email string) (bool, store.Suppression, error)
	AddSuppression(ctx context.Context, s store.Suppression) error
	// Fingerprint is the keyed form an address is kept in beside a
	// suppression.
	Fingerprint(email string) string
	CampaignState(ctx context.Context, id string) (store.CampaignState, error)
	Preferences(ctx context.Context, customerID string) (store.Preferences, error)
	Event(ctx context.Context, id int64) (courtesy.Event, error)
	PurchasedSince(ctx context.Context, customerID, itemID string, since time.Time) (bool, error)
	LastSurveySent(ctx context.Context, customerID string, campaignIDs []string) (time.Time, bool, error)
	Messages(ctx context.Context, f store.Filter) ([]courtesy.Message, error)
	CustomerEvents(ctx context.Context, customerID string) ([]courtesy.Event, error)
	Claim(ctx context.Context, key string, at time.Time) (store.ClaimResult, courtesy.Message, error)
	// ClaimForSend is Claim that also reads, in the same trip to the store,
	// the customer's consent ledger and send log (from sentSince on) as the
	// claim leaves them.
	ClaimForSend(ctx context.Context, key string, at, sentSince time.Time) (store.ClaimResult, courtesy.Message, store.SendClaim, error)
	Decide(ctx context.Context, d store.Decision) (bool, error)
}

// Limiter reserves room in a customer's frequency windows.
type Limiter interface {
	Reserve(ctx context.Context, r throttle.Request) (throttle.Reservation, error)
	Release(ctx context.Context, customerID, messageKey string) error
}

// RateLimiter keeps the pace the SMTP provider allows, across every worker.
type RateLimiter interface {
	Wait(ctx context.Context) error
}

// Scheduler puts a message back on the queue for a later time.
type Scheduler interface {
	Enqueue(ctx context.Context, key string, at, now time.Time) error
}

var (
	_ Store   = (*store.DB)(nil)
	_ Limiter = (*throttleredis.Limiter)(nil)
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
	Now        courtesy.Clock // Defaults to the wall clock.
	Logger     *slog.Logger   // Defaults to slog.Default().
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

// ProcessTask implements asynq.Handler.
func (p *Pipeline) ProcessTask(ctx context.Context, t *asynq.Task) error {
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

// job is one message on its way through the pipeline.
type job struct {
	msg      courtesy.Message
	campaign *campaigns.Campaign
	customer courtesy.Customer
	sc       store.SendContext // read once, when the task starts
	event    *courtesy.Event   // a reminder's interest event, once read
	loc      *time.Location
	limits   []throttle.Scoped // every window the message must fit
	detail   courtesy.Detail
	now      time.Time
	lastTry  bool      // a temporary failure will not be retried
	started  time.Time // by the wall clock, for the metrics
}

// Process takes the message with the given key from its current state to a
// decision. lastTry says that a temporary failure will not be retried, so it
// must be recorded as final.
func (p *Pipeline) Process(ctx context.Context, key string, lastTry bool) error {
	now := p.cfg.Now()
	sc, err := p.cfg.Store.SendContext(ctx, key, now.Add(-p.horizon))
	msg := sc.Message
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("message %s is not in the store: %w", key, asynq.SkipRetry)
	}
	if err != nil {
		return fmt.Errorf("load message %s: %w", key, err)
	}
	if msg.Decision.Outcome.Final() {
		return nil // a redelivered task: the decision is already taken
	}
	j := &job{msg: msg, sc: sc, now: now, lastTry: lastTry, started: time.Now()}
	if msg.Detail != "" {
		_ = json.Unmarshal([]byte(msg.Detail), &j.detail)
	}
	if msg.Decision.Outcome == courtesy.Claimed {
		// A previous attempt claimed the key and never recorded an SMTP
		// reply: it may have been sent. Never send it again.
		res, _, err := p.cfg.Store.Claim(ctx, key, j.now)
		if err == nil && res == store.Orphaned {
			p.observe(j, courtesy.Decision{Outcome: courtesy.Failed, Reason: courtesy.ReasonUnknownOutcome})
		}
		return err
	}
	d, err := p.decide(ctx, j)
	if err != nil {
		return err
	}
	if d == nil {
		return nil // deferred or sent: already recorded
	}
	return p.record(ctx, j, *d)
}

// decide runs the checks in order and returns the decision to record, or nil
// when the message was rescheduled or sent (and recorded) on the way.
func (p *Pipeline) decide(ctx context.Context, j *job) (*courtesy.Decision, error) {
	var ok bool
	j.campaign, ok = p.cfg.Campaigns[j.msg.CampaignID]
	if !ok || !j.campaign.Enabled {
		return suppressed(courtesy.ReasonDisabled), nil
	}
	// Everything below was read in one go when the task started
	// (Store.SendContext), in the order the checks were once read one by
	// one; the checks themselves keep their order.
	if !j.sc.CustomerFound {
		return suppressed(courtesy.ReasonErased), nil
	}
	cust := j.sc.Customer
	j.customer = cust
	j.loc = cust.Location(p.cfg.Business.Location)
	j.detail.Timezone = j.loc.String()

	if j.sc.Suppressed {
		return suppressed(courtesy.ReasonAddress), nil
	}
	// Invariant 1: consent is read now, at send time, not when planned.
	state := consent.Current(j.sc.Consent, j.campaign.Purpose, j.now)
	if !state.Granted {
		return suppressed(courtesy.ReasonNoConsent), nil
	}
	j.detail.ConsentID = state.Relied.ID

	if j.sc.Campaign.Paused {
		return suppressed(courtesy.ReasonPaused), nil
	}
	prefs := j.sc.Preferences
	if prefs.PausedUntil.After(j.now) {
		return suppressed(courtesy.ReasonCustomerPaused), nil
	}
	if d, err := p.kindRules(ctx, j); d != nil || err != nil {
		return d, err
	}
	control, variant := campaigns.Assign(j.campaign, cust.ID)
	j.msg.Variant = variant
	if control {
		return &courtesy.Decision{Outcome: courtesy.Control}, nil
	}

	at, expired := throttle.Schedule(j.msg.DueAt, j.msg.NotAfter, j.now, j.loc, p.cfg.QuietHours)
	if expired {
		return &courtesy.Decision{Outcome: courtesy.Expired}, nil
	}
	if at.After(j.now) {
		return nil, p.defer_(ctx, j, at, courtesy.ReasonQuietHours)
	}

	if first, retry, err := p.yields(ctx, j); err != nil {
		return nil, err
	} else if first != "" {
		p.cfg.Logger.Debug("priority", "key", j.msg.Key, "waits for", first, "until", retry)
		return nil, p.defer_(ctx, j, retry, courtesy.ReasonPriority)
	}

	j.limits = p.limits(j.campaign, prefs)
	res, err := p.cfg.Limiter.Reserve(ctx, throttle.Request{
		Customer: cust.ID, Campaign: j.campaign.ID, Key: j.msg.Key, Limits: j.limits, At: j.now,
		Sent: j.sc.Sent, SentSince: j.sc.SentSince,
	})
	if err != nil {
		return nil, fmt.Errorf("reserve limits: %w", err)
	}
	if !res.OK {
		return p.refused(ctx, j, res)
	}
	for _, l := range j.limits {
		j.detail.Limits = append(j.detail.Limits, p.limitHit(l))
	}
	d, err := p.send(ctx, j)
	if d != nil || err != nil {
		p.release(ctx, j) // not sent after all
	}
	return d, err
}

// release gives the message's reservation back.
func (p *Pipeline) release(ctx context.Context, j *job) {
	if err := p.cfg.Limiter.Release(ctx, j.customer.ID, j.msg.Key); err != nil {
		p.cfg.Logger.Warn("release reservation", "key", j.msg.Key, "err", err)
	}
}

// refused records what a full window means for the message: it waits until
// the window has room, if that is before it expires, or it is not sent.
func (p *Pipeline) refused(ctx context.Context, j *job, res throttle.Reservation) (*courtesy.Decision, error) {
	j.detail.Limits = []courtesy.LimitHit{p.limitHit(res.Refused)}
	if !res.RetryAt.IsZero() && res.RetryAt.Before(j.msg.NotAfter) {
		retry, expired := throttle.Schedule(res.RetryAt, j.msg.NotAfter, res.RetryAt, j.loc, p.cfg.QuietHours)
		if !expired {
			return nil, p.defer_(ctx, j, retry, courtesy.ReasonLimit)
		}
	}
	return suppressed(courtesy.ReasonLimit), nil
}

// kindRules applies what only one kind of campaign cares about: a reminder
// is pointless once the item is bought; surveys respect their fatigue window.
func (p *Pipeline) kindRules(ctx context.Context, j *job) (*courtesy.Decision, error) {
	switch j.campaign.Kind {
	case campaigns.InterestReminder:
		if j.detail.EventID == 0 {
			return nil, nil
		}
		ev, err := p.event(ctx, j)
		if err != nil {
			return nil, fmt.Errorf("load interest event: %w", err)
		}
		bought, err := p.cfg.Store.PurchasedSince(ctx, j.customer.ID, ev.ItemID, ev.OccurredAt)
		if err != nil {
			return nil, fmt.Errorf("check purchases: %w", err)
		}
		if bought {
			return suppressed(courtesy.ReasonPurchased), nil
		}
	case campaigns.NPSSurvey:
		if j.campaign.Fatigue <= 0 {
			return nil, nil
		}
		last, ok, err := p.cfg.Store.LastSurveySent(ctx, j.customer.ID, p.surveyCampaigns())
		if err != nil {
			return nil, fmt.Errorf("check survey fatigue: %w", err)
		}
		if ok && j.now.Sub(last) < j.campaign.Fatigue {
			return suppressed(courtesy.ReasonFatigue), nil
		}
	}
	return nil, nil
}

// event reads the reminder's interest event once for both its uses: the
// purchase check and the item in the message.
func (p *Pipeline) event(ctx context.Context, j *job) (courtesy.Event, error) {
	if j.event == nil {
		ev, err := p.cfg.Store.Event(ctx, j.detail.EventID)
		if err != nil {
			return ev, err
		}
		j.event = &ev
	}
	return *j.event, nil
}

// limitHit is a limit as the "why" page words it: whose it is, how many,
// over what window. A global limit the business did not set is the one the
// customer chose on the preference page.
func (p *Pipeline) limitHit(s throttle.Scoped) courtesy.LimitHit {
	h := courtesy.LimitHit{Scope: courtesy.LimitCampaign, Count: s.Limit.Count, Window: s.Limit.Window}
	if s.Scope == throttle.GlobalScope {
		h.Scope = courtesy.LimitPreference
		for _, l := range p.cfg.Limits {
			if l == s.Limit {
				h.Scope = courtesy.LimitGlobal
			}
		}
	}
	return h
}

// limits gathers every window the message must fit: the business's
// per-customer limits, the campaign's own, and the customer's preference.
func (p *Pipeline) limits(c *campaigns.Campaign, prefs store.Preferences) []throttle.Scoped {
	campaign := make([]throttle.Limit, len(c.Limits))
	for i, l := range c.Limits {
		campaign[i] = throttle.Limit(l)
	}
	var preference []throttle.Limit
	if l, err := throttle.ParseLimit(prefs.MaxPerWindow); prefs.MaxPerWindow != "" && err == nil {
		preference = append(preference, l)
	}
	return throttle.Combine(c.ID, p.cfg.Limits, campaign, preference)
}

// defer_ records that the message waits until at and queues it for then.
func (p *Pipeline) defer_(ctx context.Context, j *job, at time.Time, reason string) error {
	if _, err := p.cfg.Store.Decide(ctx, store.Decision{
		Key:      j.msg.Key,
		Decision: courtesy.Decision{Outcome: courtesy.Deferred, Reason: reason},
		Detail:   j.detailJSON(),
		Variant:  j.msg.Variant,
		DueAt:    at,
		At:       j.now,
	}); err != nil {
		return fmt.Errorf("record deferral: %w", err)
	}
	p.observe(j, courtesy.Decision{Outcome: courtesy.Deferred, Reason: reason})
	return p.cfg.Scheduler.Enqueue(ctx, j.msg.Key, at, j.now)
}

// compose renders the message and checks its tone. It returns the message
// to send, or the decision to record when it must not go.
func (p *Pipeline) compose(ctx context.Context, j *job) (*mailer.Message, *courtesy.Decision, error) {
	b := p.cfg.Business
	links := p.cfg.Signer.Links(b.BaseURL, j.customer.ID, j.campaign.Purpose, j.msg.Key, j.now)
	data := templates.Data{
		Customer: templates.Customer{ID: j.customer.ID, FirstName: j.customer.FirstName, LastName: j.customer.LastName, Locale: j.customer.Locale},
		Business: templates.Business{Name: b.Name, PostalAddress: b.PostalAddress},
		Campaign: templates.Campaign{ID: j.campaign.ID, Name: j.campaign.Name},
		Links:    templates.Links{Unsubscribe: links.Unsubscribe, Preferences: links.Preferences, Why: links.Why, Survey: links.Survey},
	}
	// Invariant 12: the customer's locale picks the whole message, footer
	// included, or none of it.
	tpl := j.campaign.Message(j.msg.Variant, j.customer.Locale)
	data.Campaign.Name = j.campaign.NameIn(tpl.Lang().String())
	if j.detail.EventID != 0 && j.campaign.Kind == campaigns.InterestReminder {
		ev, err := p.event(ctx, j)
		if err != nil {
			return nil, nil, fmt.Errorf("load item: %w", err)
		}
		data.Item = templates.Item{ID: ev.ItemID, Name: ev.ItemName, URL: ev.ItemURL}
	}
	out, err := tpl.Render(data)
	if err != nil {
		j.detail.Error = err.Error()
		return nil, &courtesy.Decision{Outcome: courtesy.Failed, Reason: "render"}, nil
	}
	if checker := p.cfg.Tone[string(j.campaign.Tone)]; checker != nil {
		tc := tone.Context{
			Kind:         string(j.campaign.Kind),
			StockData:    j.campaign.StockData,
			Personal:     []string{j.customer.FirstName, j.customer.LastName, data.Item.Name},
			BusinessName: b.Name,
			Lang:         out.Lang, // invariant 12: the rules of the message's own language
			Allow:        tone.Allows(j.campaign.ToneAllow),
		}
		for _, f := range checker.Check(tc, out.Subject+"\n\n"+out.Text) {
			if f.Severity == courtesy.SeverityError {
				j.detail.Finding = fmt.Sprintf("%s: %s (%q)", f.Rule, f.Message, f.Match)
				return nil, &courtesy.Decision{Outcome: courtesy.Held, Reason: "tone:" + f.Rule}, nil
			}
		}
	}
	m := &mailer.Message{
		From:           b.From,
		ReplyTo:        b.ReplyTo,
		To:             j.customer.Email,
		ToName:         strings.TrimSpace(j.customer.FirstName + " " + j.customer.LastName),
		Subject:        out.Subject,
		Text:           out.Text,
		HTML:           out.HTML,
		Language:       out.Lang,
		MessageID:      mailer.NewMessageID(b.Domain),
		Date:           j.now,
		UnsubscribeURL: links.Unsubscribe,
		ReturnPath:     b.envelopeFrom(j.msg.Key),
		Headers: map[string]string{
			"X-Courtesy-Campaign": j.campaign.ID,
		},
	}
	return m, nil, nil
}

// send renders, checks and hands the message to SMTP. It returns the decision
// to record when the message was not sent, or nil after recording a send.
func (p *Pipeline) send(ctx context.Context, j *job) (*courtesy.Decision, error) {
	m, d, err := p.compose(ctx, j)
	if d != nil || err != nil {
		return d, err
	}
	j.msg.MessageID, j.msg.Subject = m.MessageID, m.Subject
	if p.cfg.Rate != nil {
		if err := p.cfg.Rate.Wait(ctx); err != nil {
			return nil, fmt.Errorf("wait for the provider's rate: %w", err)
		}
	}
	// Invariant 3: the key is claimed at the last moment the message can
	// still be withdrawn — its data is with the server, the final "." not
	// yet sent — so a worker that dies before then leaves nothing
	// delivered and the message is simply tried again, and one that dies
	// after it leaves a claim that is never sent twice.
	// What stopped the message at the last moment, if anything.
	var (
		stopped *courtesy.Decision    // consent, the address, a pause, fatigue
		full    *throttle.Reservation // a window, after all
	)
	m.Commit = func(ctx context.Context) error {
		// Read with the claim, as the claim leaves them: the ledger, the
		// suppressions, the pauses and the send log, in which every
		// claimed message stands.
		res, _, claim, err := p.cfg.Store.ClaimForSend(ctx, j.msg.Key, j.now, j.now.Add(-p.logSpan(j.campaign)))
		if err != nil {
			return fmt.Errorf("claim: %w", err)
		}
		if res != store.Claimed {
			return errDecidedElsewhere
		}
		if stopped = p.lastCheck(j, claim, p.cfg.Now()); stopped != nil {
			return errStopped
		}
		// Invariant 4 again: a message reserved but not yet claimed is in
		// Redis only, and Redis may have lost it since, letting another
		// through. The store's log has every message claimed, this
		// check's turn among them taken under the claim.
		if r := throttle.Fits(j.limits, j.campaign.ID, j.msg.Key, j.now, claim.Sent); !r.OK {
			full = &r
			return errStopped
		}
		return nil
	}
	err = p.cfg.Sender.Send(ctx, m)
	switch {
	case stopped != nil:
		return stopped, nil
	case full != nil:
		p.release(ctx, j)
		return p.refused(ctx, j, *full)
	case errors.Is(err, errDecidedElsewhere):
		return nil, nil // another attempt decided it; nothing was sent
	case errors.Is(err, mailer.ErrAbandoned):
		// The commit itself failed (the database did not answer): the
		// server was left without the final ".", so try again later.
		return p.unclaim(ctx, j, err)
	case err != nil:
		return p.sendFailed(ctx, j, err)
	}
	return nil, p.record(ctx, j, courtesy.Decision{Outcome: courtesy.Sent})
}

var (
	errDecidedElsewhere = errors.New("the message was decided by another attempt")
	errStopped          = errors.New("a last check stopped the message")
)

// unclaim puts a message back for a retry when the server did not take it.
func (p *Pipeline) unclaim(ctx context.Context, j *job, cause error) (*courtesy.Decision, error) {
	j.detail.Error = cause.Error()
	if _, err := p.cfg.Store.Decide(ctx, store.Decision{
		Key: j.msg.Key, Decision: courtesy.Decision{Outcome: courtesy.Deferred, Reason: "retry"},
		Detail: j.detailJSON(), At: j.now,
	}); err != nil {
		return nil, fmt.Errorf("release claim after %v: %w", cause, err)
	}
	return nil, cause
}

// sendFailed records what an SMTP failure means: a temporary one goes back
// to the queue for a retry with backoff; a permanent one is final, and a bad
// mailbox suppresses the address.
func (p *Pipeline) sendFailed(ctx context.Context, j *job, sendErr error) (*courtesy.Decision, error) {
	j.detail.Error = sendErr.Error()
	if mailer.IsUnknownOutcome(sendErr) {
		return nil, p.record(ctx, j, courtesy.Decision{Outcome: courtesy.Failed, Reason: courtesy.ReasonUnknownOutcome})
	}
	if mailer.IsTemporary(sendErr) && !j.lastTry {
		return p.unclaim(ctx, j, fmt.Errorf("temporary SMTP failure: %w", sendErr))
	}
	if mailer.IsAddressFailure(sendErr) {
		if err := p.cfg.Store.AddSuppression(ctx, store.Suppression{
			EmailHash: p.cfg.Store.Fingerprint(j.customer.Email), Reason: "hard-bounce", Source: "smtp",
			Detail: sendErr.Error(), At: j.now,
		}); err != nil {
			p.cfg.Logger.Error("suppress bounced address", "customer", j.customer.ID, "err", err)
		}
	}
	reason := "rejected"
	if mailer.IsTemporary(sendErr) {
		reason = "temporary-retries-exhausted"
	}
	if err := p.record(ctx, j, courtesy.Decision{Outcome: courtesy.Failed, Reason: reason}); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("permanent SMTP failure: %v: %w", sendErr, asynq.SkipRetry)
}

func (p *Pipeline) record(ctx context.Context, j *job, d courtesy.Decision) error {
	version := ""
	if j.campaign != nil {
		version = j.campaign.Version
	}
	_, err := p.cfg.Store.Decide(ctx, store.Decision{
		Key:             j.msg.Key,
		Decision:        d,
		Detail:          j.detailJSON(),
		MessageID:       j.msg.MessageID,
		Subject:         j.msg.Subject,
		Variant:         j.msg.Variant,
		CampaignVersion: version,
		At:              j.now,
	})
	if err != nil {
		return fmt.Errorf("record %s for %s: %w", d, j.msg.Key, err)
	}
	p.cfg.Logger.Info("decision", "key", j.msg.Key, "decision", d.String())
	p.observe(j, d)
	return nil
}

func (p *Pipeline) observe(j *job, d courtesy.Decision) {
	if p.cfg.Observe != nil {
		p.cfg.Observe(j.msg.CampaignID, d, time.Since(j.started))
	}
}

func (j *job) detailJSON() string {
	b, _ := json.Marshal(j.detail)
	return string(b)
}

func suppressed(reason string) *courtesy.Decision {
	return &courtesy.Decision{Outcome: courtesy.Suppressed, Reason: reason}
}
