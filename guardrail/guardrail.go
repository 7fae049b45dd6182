// Package guardrail pauses a campaign that upsets the people it reaches.
// After a run-once batch, and after each planning round of the scheduler
// that holds the lease (so one check runs at a time across a deployment), it
// compares each campaign's opt-out and complaint rates with the limits in
// courtesy.yaml, over the sends since the campaign was last resumed (and
// within a recent window); one above its limit with enough sends behind it
// is paused through the same switch as `courtesy campaign pause`, the worker
// then records suppressed:paused, and the owner is told once, in the log and
// by email.
//
// The complaint limits follow the large mailbox providers' published bulk
// sender guidance: keep complaints under 0.1% (an alert here) and never
// reach 0.3% (a pause).
package guardrail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/locale"
	"github.com/courtesyhq/courtesy/mailer"
)

// ReasonPrefix starts the pause reason of every guardrail pause, so the
// owner (and the dashboard) can tell it from a manual one.
const ReasonPrefix = "guardrail: "

// Store is what the guardrail reads and switches.
type Store interface {
	CampaignState(ctx context.Context, id string) (courtesy.CampaignState, error)
	SetCampaignState(ctx context.Context, s courtesy.CampaignState) error
	CampaignHealth(ctx context.Context, campaignID string, since time.Time) (courtesy.CampaignHealth, error)
}

// Config is the guardrail's configuration.
type Config struct {
	// Campaigns are the ids of the campaigns to watch. Required.
	Campaigns []string
	// MaxOptOutRate pauses a campaign above it. Defaults to 0.02.
	MaxOptOutRate float64
	// MaxComplaintRate pauses a campaign above it. Defaults to 0.003.
	MaxComplaintRate float64
	// AlertComplaintRate logs a warning above it. Defaults to 0.001.
	AlertComplaintRate float64
	// MinSample is the number of sends a rate needs before it is judged.
	// Defaults to 200.
	MinSample int
	// Window limits the judged sends to recent ones, so a campaign is
	// judged on how it reads now. Defaults to 30 days.
	Window time.Duration

	// OwnerEmail receives one email per pause. Defaults to none.
	OwnerEmail string
	// From is the sender of that email, the business's From.
	From string
	// BaseURL is where the dashboard is, for the email's links.
	BaseURL string
	// Domain is the Message-ID domain.
	Domain string
	// Locale is the language the email is written in, the business's
	// (BCP 47). Defaults to English.
	Locale string

	Store  Store
	Sender mailer.Sender  // nil: no email, the log line only
	Now    courtesy.Clock // Defaults to the wall clock.
	Logger *slog.Logger   // Defaults to slog.Default().
}

// Guard watches the campaigns.
type Guard struct {
	cfg Config

	mu      sync.Mutex
	alerted map[string]bool // campaigns whose complaint alert was logged
}

// New returns a guard over cfg.
func New(cfg Config) (*Guard, error) {
	if cfg.Store == nil {
		return nil, errors.New("guardrail: no store")
	}
	if cfg.MaxOptOutRate <= 0 {
		cfg.MaxOptOutRate = 0.02
	}
	if cfg.MaxComplaintRate <= 0 {
		cfg.MaxComplaintRate = 0.003
	}
	if cfg.AlertComplaintRate <= 0 {
		cfg.AlertComplaintRate = 0.001
	}
	if cfg.MinSample <= 0 {
		cfg.MinSample = 200
	}
	if cfg.Window <= 0 {
		cfg.Window = 30 * 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = courtesy.SystemClock
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Guard{cfg: cfg, alerted: map[string]bool{}}, nil
}

// Verdict is what one check found about one campaign.
type Verdict struct {
	Campaign string
	Since    time.Time // the sends judged are those at or after it
	Health   courtesy.CampaignHealth
	Paused   bool   // paused by this check
	Alert    bool   // complaint rate above the alert level
	Reason   string // the pause reason, when Paused
}

// Check judges every running campaign once and pauses those above a limit.
// Campaigns already paused are left alone.
func (g *Guard) Check(ctx context.Context) ([]Verdict, error) {
	var out []Verdict
	var errs []error
	for _, id := range g.cfg.Campaigns {
		v, err := g.check(ctx, id)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if v != nil {
			out = append(out, *v)
		}
	}
	return out, errors.Join(errs...)
}

func (g *Guard) check(ctx context.Context, id string) (*Verdict, error) {
	st, err := g.cfg.Store.CampaignState(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("guardrail: %w", err)
	}
	if st.Paused {
		return nil, nil
	}
	now := g.cfg.Now()
	// Count only what happened since the campaign was last resumed: the
	// owner who resumes it has looked at the old opt-outs, and judging them
	// again would pause it at once.
	since := now.Add(-g.cfg.Window)
	if st.At.After(since) {
		since = st.At
	}
	h, err := g.cfg.Store.CampaignHealth(ctx, id, since)
	if err != nil {
		return nil, fmt.Errorf("guardrail: %w", err)
	}
	v := &Verdict{Campaign: id, Since: since, Health: h}
	if h.Sent == 0 {
		return v, nil
	}
	optOut := float64(h.OptOuts) / float64(h.Sent)
	complaint := float64(h.Complaints) / float64(h.Sent)
	v.Alert = complaint > g.cfg.AlertComplaintRate
	g.alert(id, v.Alert, complaint, h)
	if h.Sent < g.cfg.MinSample {
		return v, nil
	}
	switch {
	case complaint > g.cfg.MaxComplaintRate:
		v.Reason = fmt.Sprintf("%scomplaint rate %s > %s over %d sends", ReasonPrefix, pct(complaint), pct(g.cfg.MaxComplaintRate), h.Sent)
	case optOut > g.cfg.MaxOptOutRate:
		v.Reason = fmt.Sprintf("%sopt-out rate %s > %s over %d sends", ReasonPrefix, pct(optOut), pct(g.cfg.MaxOptOutRate), h.Sent)
	default:
		return v, nil
	}
	if err := g.cfg.Store.SetCampaignState(ctx, courtesy.CampaignState{ID: id, Paused: true, Reason: v.Reason, At: now}); err != nil {
		return nil, fmt.Errorf("guardrail: pause %s: %w", id, err)
	}
	v.Paused = true
	g.cfg.Logger.Warn("campaign paused by guardrail", "campaign", id, "reason", v.Reason,
		"sent", h.Sent, "optouts", h.OptOuts, "complaints", h.Complaints, "since", since)
	if err := g.notify(ctx, id, v.Reason, now); err != nil {
		g.cfg.Logger.Error("guardrail: email the owner", "campaign", id, "err", err)
	}
	return v, nil
}

// alert logs a complaint rate above the alert level once, until it drops.
func (g *Guard) alert(id string, above bool, rate float64, h courtesy.CampaignHealth) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if above && !g.alerted[id] {
		g.cfg.Logger.Warn("complaint rate above the alert level", "campaign", id, "rate", pct(rate),
			"alert_at", pct(g.cfg.AlertComplaintRate), "pause_at", pct(g.cfg.MaxComplaintRate),
			"complaints", h.Complaints, "sent", h.Sent)
	}
	g.alerted[id] = above
}

// notify emails the owner about a pause. It is called once per pause: the
// campaign is paused now, and a paused campaign is not checked again until
// it is resumed.
func (g *Guard) notify(ctx context.Context, id, reason string, now time.Time) error {
	if g.cfg.Sender == nil || g.cfg.OwnerEmail == "" {
		return nil
	}
	admin := strings.TrimRight(g.cfg.BaseURL, "/") + "/admin/"
	tag, _ := locale.Parse(g.cfg.Locale)
	words := locale.For(tag)
	return g.cfg.Sender.Send(ctx, &mailer.Message{
		From:           g.cfg.From,
		To:             g.cfg.OwnerEmail,
		Subject:        words.T("guardrail.subject", id),
		Text:           words.T("guardrail.body", id, reason, admin),
		Language:       words.Lang().String(),
		MessageID:      mailer.NewMessageID(g.cfg.Domain),
		Date:           now,
		UnsubscribeURL: admin,
		Headers:        map[string]string{"X-Courtesy-Campaign": id},
	})
}

// pct writes a rate in percent with two decimals, or one when the second is
// a zero: "2.4%", "2.0%", "0.27%".
func pct(f float64) string {
	s := fmt.Sprintf("%.2f", 100*f)
	if strings.HasSuffix(s, "0") {
		s = s[:len(s)-1]
	}
	return s + "%"
}
