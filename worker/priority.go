package worker

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/campaigns"
	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/throttle"
)

// PriorityWait is how long a message waits for a more important one to the
// same customer that is due now.
const PriorityWait = 30 * time.Second

// ahead is a message of a more important campaign that the customer will
// get: waiting for a worker, or to be planned by its campaign.
type ahead struct {
	campaign *campaigns.Campaign
	key      string
	at       time.Time // when it would go
}

// yields names a more important message to the same customer that this
// one would crowd out of the customer's limits, and when to look again;
// "" when this one may go. Looking only at messages due now would let a
// priority-1 message due at 09:00 take the day's one slot from a
// priority-10 one due at 09:30, so it looks ahead to every message of a
// higher-priority campaign that goes before this one expires. A message
// waits only for one that fits the limits now and would not fit after it:
// when both fit, or the other has no room anyway, waiting helps nobody.
func (p *Pipeline) yields(ctx context.Context, j *job) (string, time.Time, error) {
	var higher []*campaigns.Campaign
	for _, c := range p.cfg.Campaigns {
		if c.Priority > j.campaign.Priority && c.Enabled {
			higher = append(higher, c)
		}
	}
	if len(higher) == 0 {
		return "", time.Time{}, nil
	}
	slices.SortFunc(higher, func(a, b *campaigns.Campaign) int { return strings.Compare(a.ID, b.ID) })
	upcoming, err := p.ahead(ctx, j, higher)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("look for more important messages: %w", err)
	}
	withThis := append(slices.Clone(j.sc.Sent), courtesy.SentRecord{Key: j.msg.Key, CampaignID: j.campaign.ID, At: j.now})
	for _, a := range upcoming {
		limits := p.limits(a.campaign, j.sc.Preferences)
		if !throttle.Fits(limits, a.campaign.ID, a.key, a.at, j.sc.Sent).OK ||
			throttle.Fits(limits, a.campaign.ID, a.key, a.at, withThis).OK {
			continue
		}
		return a.campaign.Name, later(a.at, j.now.Add(PriorityWait)), nil
	}
	return "", time.Time{}, nil
}

// ahead lists the messages of the higher campaigns that the customer will
// get before j's message expires: those planned and not yet decided, and
// the occurrences their campaigns will plan (a birthday later today, a
// reminder whose delay runs out), for which the customer's consent holds
// and who is not in the campaign's control group.
func (p *Pipeline) ahead(ctx context.Context, j *job, higher []*campaigns.Campaign) ([]ahead, error) {
	msgs, err := p.cfg.Store.Messages(ctx, courtesy.Filter{CustomerID: j.customer.ID})
	if err != nil {
		return nil, err
	}
	known := make(map[string]courtesy.Message, len(msgs))
	for _, m := range msgs {
		known[m.Key] = m
	}
	var out []ahead
	seen := map[string]bool{}
	consider := func(c *campaigns.Campaign, key string, due, notAfter time.Time) {
		if seen[key] || key == j.msg.Key {
			return
		}
		seen[key] = true
		if m, ok := known[key]; ok {
			if m.Decision.Outcome.Final() {
				return
			}
			due, notAfter = m.DueAt, m.NotAfter // a deferral moved it
		}
		if !consent.Current(j.sc.Consent, c.Purpose, j.now).Granted {
			return
		}
		if control, _ := campaigns.Assign(c, j.customer.ID); control {
			return
		}
		at, expired := throttle.Schedule(due, notAfter, j.now, j.loc, p.cfg.QuietHours)
		if expired || !at.Before(j.msg.NotAfter) {
			return
		}
		out = append(out, ahead{campaign: c, key: key, at: at})
	}
	for _, c := range higher {
		for _, m := range msgs {
			if m.CampaignID == c.ID {
				consider(c, m.Key, m.DueAt, m.NotAfter)
			}
		}
	}
	var events []courtesy.Event
	eventsRead := false
	for _, c := range higher {
		switch c.Kind {
		case campaigns.Birthday:
			// Each local day from today to the day this message expires.
			for day := j.now.In(j.loc); !day.After(j.msg.NotAfter.In(j.loc).AddDate(0, 0, 1)); day = day.AddDate(0, 0, 1) {
				y, m, d := day.Date()
				noon := time.Date(y, m, d, 12, 0, 0, 0, j.loc)
				if o, _ := c.BirthdayOccurrence(j.customer, noon, j.loc); o.ID != "" {
					consider(c, courtesy.MessageKey(c.ID, j.customer.ID, o.ID), o.Due, o.NotAfter)
				}
			}
		case campaigns.InterestReminder, campaigns.NPSSurvey:
			if !eventsRead {
				if events, err = p.cfg.Store.CustomerEvents(ctx, j.customer.ID); err != nil {
					return nil, err
				}
				eventsRead = true
			}
			for _, ev := range events {
				if o, _ := c.EventOccurrence(ev, j.now, j.loc); o.ID != "" {
					consider(c, courtesy.MessageKey(c.ID, j.customer.ID, o.ID), o.Due, o.NotAfter)
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b ahead) int { return a.at.Compare(b.at) })
	return out, nil
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
