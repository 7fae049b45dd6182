package worker

import (
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/campaigns"
	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/store"
)

// lastCheck repeats, on what the claim read, every check that something
// done since the task started can overturn: an opt-out (invariant 1), a
// bounce or complaint that suppressed the address, the owner's or a
// guardrail's pause, the customer's own pause, and another survey sent
// meanwhile. The first checks ran on what the task read when it started,
// and the message may have waited since (for the limiter, the provider's
// rate, the SMTP server); here nothing can change under it, as the claims
// of one customer take turns. It returns the verdict that stops the
// message, and whether one does.
func (p *Pipeline) lastCheck(j *job, claim store.SendClaim, now time.Time) (verdict, bool) {
	switch {
	case !consent.Current(claim.Consent, j.campaign.Purpose, now).Granted:
		return suppressed(courtesy.ReasonNoConsent), true
	case claim.Suppressed:
		return suppressed(courtesy.ReasonAddress), true
	case claim.CampaignPaused:
		return suppressed(courtesy.ReasonPaused), true
	case claim.PausedUntil.After(now):
		return suppressed(courtesy.ReasonCustomerPaused), true
	case p.fatigued(j.campaign, claim.Sent, now):
		return suppressed(courtesy.ReasonFatigue), true
	}
	return verdict{}, false
}

// fatigued reports whether the send log holds a survey within the
// campaign's fatigue window: one sent, or being sent, by another worker
// since this one read the log.
func (p *Pipeline) fatigued(c *campaigns.Campaign, sent []courtesy.SentRecord, now time.Time) bool {
	if c.Kind != campaigns.NPSSurvey || c.Fatigue <= 0 {
		return false
	}
	surveys := map[string]bool{}
	for _, id := range p.surveyCampaigns() {
		surveys[id] = true
	}
	for _, r := range sent {
		if surveys[r.CampaignID] && now.Sub(r.At) < c.Fatigue {
			return true
		}
	}
	return false
}

// surveyCampaigns are the campaigns whose messages count for survey
// fatigue: every survey campaign together.
func (p *Pipeline) surveyCampaigns() []string {
	var ids []string
	for id, c := range p.cfg.Campaigns {
		if c.Kind == campaigns.NPSSurvey {
			ids = append(ids, id)
		}
	}
	return ids
}

// logSpan is how far back the send log read with the claim must reach:
// the longest frequency window, or a survey's fatigue window if longer.
func (p *Pipeline) logSpan(c *campaigns.Campaign) time.Duration {
	if c.Kind == campaigns.NPSSurvey && c.Fatigue > p.horizon {
		return c.Fatigue
	}
	return p.horizon
}
