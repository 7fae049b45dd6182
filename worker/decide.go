package worker

import (
	"context"
	"fmt"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/campaigns"
	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/store"
	"github.com/courtesyhq/courtesy/throttle"
)

// decide runs the checks that come before the limits, in order, on what
// the task read when it started. goOn means the message may go as far as
// the limits allow.
func (p *Pipeline) decide(ctx context.Context, j *job) verdict {
	switch j.msg.Decision.Outcome {
	case courtesy.Claimed:
		// A previous attempt claimed the key and never recorded an SMTP
		// reply: it may have been sent. Never send it again.
		res, _, err := p.cfg.Store.Claim(ctx, j.msg.Key, j.now)
		if err != nil {
			return stall(err)
		}
		if res == store.Orphaned {
			p.observe(j, courtesy.Decision{Outcome: courtesy.Failed, Reason: courtesy.ReasonUnknownOutcome})
		}
		return verdict{kind: settled}
	default:
		if j.msg.Decision.Outcome.Final() {
			return verdict{kind: settled} // a redelivered task: the decision is already taken
		}
	}
	var ok bool
	j.campaign, ok = p.cfg.Campaigns[j.msg.CampaignID]
	if !ok || !j.campaign.Enabled {
		return suppressed(courtesy.ReasonDisabled)
	}
	// Everything below was read in one go when the task started
	// (Store.SendContexts), in the order the checks were once read one by
	// one; the checks themselves keep their order.
	if !j.sc.CustomerFound {
		return suppressed(courtesy.ReasonErased)
	}
	cust := j.sc.Customer
	j.customer = cust
	j.loc = cust.Location(p.cfg.Business.Location)
	j.detail.Timezone = j.loc.String()

	if j.sc.Suppressed {
		return suppressed(courtesy.ReasonAddress)
	}
	// Invariant 1: consent is read now, at send time, not when planned.
	state := consent.Current(j.sc.Consent, j.campaign.Purpose, j.now)
	if !state.Granted {
		return suppressed(courtesy.ReasonNoConsent)
	}
	j.detail.ConsentID = state.Relied.ID

	if j.sc.Campaign.Paused {
		return suppressed(courtesy.ReasonPaused)
	}
	if j.sc.Preferences.PausedUntil.After(j.now) {
		return suppressed(courtesy.ReasonCustomerPaused)
	}
	if v := p.kindRules(ctx, j); v.kind != goOn {
		return v
	}
	control, variant := campaigns.Assign(j.campaign, cust.ID)
	j.msg.Variant = variant
	if control {
		return decide(courtesy.Decision{Outcome: courtesy.Control})
	}

	at, expired := throttle.Schedule(j.msg.DueAt, j.msg.NotAfter, j.now, j.loc, p.cfg.QuietHours)
	if expired {
		return decide(courtesy.Decision{Outcome: courtesy.Expired})
	}
	if at.After(j.now) {
		return deferUntil(at, courtesy.ReasonQuietHours)
	}

	first, retryAt, err := p.yields(ctx, j)
	if err != nil {
		return stall(err)
	}
	if first != "" {
		p.cfg.Logger.Debug("priority", "key", j.msg.Key, "waits for", first, "until", retryAt)
		return deferUntil(retryAt, courtesy.ReasonPriority)
	}
	return verdict{}
}

// refused is what a full window means for the message: it waits until the
// window has room, if that is before it expires, or it is not sent.
func (p *Pipeline) refused(j *job, res throttle.Reservation) verdict {
	j.detail.Limits = []courtesy.LimitHit{p.limitHit(res.Refused)}
	if !res.RetryAt.IsZero() && res.RetryAt.Before(j.msg.NotAfter) {
		at, expired := throttle.Schedule(res.RetryAt, j.msg.NotAfter, res.RetryAt, j.loc, p.cfg.QuietHours)
		if !expired {
			return deferUntil(at, courtesy.ReasonLimit)
		}
	}
	return suppressed(courtesy.ReasonLimit)
}

// kindRules applies what only one kind of campaign cares about: a reminder
// is pointless once the item is bought; surveys respect their fatigue window.
func (p *Pipeline) kindRules(ctx context.Context, j *job) verdict {
	switch j.campaign.Kind {
	case campaigns.InterestReminder:
		if j.detail.EventID == 0 {
			return verdict{}
		}
		ev, err := p.event(ctx, j)
		if err != nil {
			return stall(fmt.Errorf("load interest event: %w", err))
		}
		bought, err := p.cfg.Store.PurchasedSince(ctx, j.customer.ID, ev.ItemID, ev.OccurredAt)
		if err != nil {
			return stall(fmt.Errorf("check purchases: %w", err))
		}
		if bought {
			return suppressed(courtesy.ReasonPurchased)
		}
	case campaigns.NPSSurvey:
		if j.campaign.Fatigue <= 0 {
			return verdict{}
		}
		last, ok, err := p.cfg.Store.LastSurveySent(ctx, j.customer.ID, p.surveyCampaigns())
		if err != nil {
			return stall(fmt.Errorf("check survey fatigue: %w", err))
		}
		if ok && j.now.Sub(last) < j.campaign.Fatigue {
			return suppressed(courtesy.ReasonFatigue)
		}
	}
	return verdict{}
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
func (p *Pipeline) limits(c *campaigns.Campaign, prefs courtesy.Preferences) []throttle.Scoped {
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
