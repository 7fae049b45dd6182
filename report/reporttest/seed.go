// Package reporttest generates a realistic shop's history — customers,
// consent, three campaigns with control groups and variants, purchases,
// opt-outs with reasons, complaints, bounces and survey answers — for tests
// and demonstrations of the owner's report. The same options give the same
// data, so a test can recompute the report's figures independently.
package reporttest

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/campaigns"
	"github.com/courtesyhq/courtesy/report"
	"github.com/courtesyhq/courtesy/store"
)

// Options shape the generated history.
type Options struct {
	// Customers is the number of customers. Defaults to 20,000.
	Customers int
	// Days is the length of the history, ending at Until. Defaults to 60.
	Days int
	// Until is the end of the history. Defaults to 2026-11-01 00:00 UTC.
	Until time.Time
	// Seed makes a different but equally repeatable history. Defaults to 1.
	Seed uint64
}

func (o Options) withDefaults() Options {
	if o.Customers <= 0 {
		o.Customers = 20000
	}
	if o.Days <= 0 {
		o.Days = 60
	}
	if o.Until.IsZero() {
		o.Until = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	return o
}

// Dataset is a generated history, ready for store.DB.BulkLoad.
type Dataset struct {
	Bulk      store.Bulk
	Campaigns []report.CampaignInfo
	Purposes  []string
	Since     time.Time
	Until     time.Time
}

// campaign is one of the generated campaigns and how its recipients behave.
type campaign struct {
	def       *campaigns.Campaign
	name      string
	chance    float64 // that a customer has an occurrence in the period
	optOut    float64 // that a sent message draws an opt-out
	optOutFR  float64 // the same for fr-FR customers: a segment that dislikes it
	complaint float64 // that a sent message draws a complaint
	uplift    float64 // extra chance of a purchase within days of a sent message
}

func shopCampaigns() []campaign {
	return []campaign{
		{def: &campaigns.Campaign{ID: "birthday-treat", Purpose: "birthday", Holdout: 10,
			Variants: []campaigns.Variant{{ID: "personal", Weight: 50}, {ID: "generic", Weight: 50}}},
			name: "Birthday treat", chance: 0.18, optOut: 0.008, optOutFR: 0.008, complaint: 0.001, uplift: 0.10},
		{def: &campaigns.Campaign{ID: "saved-reminder", Purpose: "reminders", Holdout: 10},
			name: "Saved-item reminder", chance: 0.35, optOut: 0.015, optOutFR: 0.07, complaint: 0.003, uplift: 0.06},
		{def: &campaigns.Campaign{ID: "after-purchase-survey", Purpose: "surveys", Holdout: 10},
			name: "After-purchase survey", chance: 0.45, optOut: 0.01, optOutFR: 0.01, complaint: 0.0005, uplift: 0.0},
	}
}

var (
	locales   = []string{"en-GB", "en-GB", "en-GB", "en-GB", "en-GB", "en-GB", "fr-FR", "fr-FR", "de-DE", "es-ES"}
	timezones = []string{"Europe/London", "Europe/London", "Europe/London", "Europe/Paris", "Europe/Berlin", "America/New_York", ""}
	reasons   = []string{"too-many", "not-relevant", "intrusive", "other", "", ""}
	comments  = []string{
		"Too many emails lately", "I'm not interested in this", "It felt a bit creepy that you knew",
		"Moving away from the area", "Lovely shop, just too often", "Never bought that, wrong person",
	}
	npsComments = []string{
		"Great bread, friendly staff", "Too many emails but good cakes", "Not relevant to me really",
		"The croissants were stale", "Best bakery in town", "A bit pushy asking for reviews",
	}
)

// Generate builds the history. It is fast: 20,000 customers over 60 days
// take well under a second to generate.
func Generate(opts Options) Dataset {
	o := opts.withDefaults()
	rng := rand.New(rand.NewPCG(o.Seed, o.Seed*7919+1))
	since := o.Until.AddDate(0, 0, -o.Days)
	ds := Dataset{Since: since, Until: o.Until, Purposes: []string{"birthday", "reminders", "surveys"}}
	cs := shopCampaigns()
	for _, c := range cs {
		ds.Campaigns = append(ds.Campaigns, report.CampaignInfo{ID: c.def.ID, Name: c.name, Purpose: c.def.Purpose})
	}
	b := &ds.Bulk
	span := o.Until.Sub(since)
	randTime := func(from time.Time, within time.Duration) time.Time {
		return from.Add(time.Duration(rng.Int64N(int64(within)))).Truncate(time.Second)
	}
	order := 0
	for i := 0; i < o.Customers; i++ {
		id := fmt.Sprintf("c%05d", i+1)
		cust := courtesy.Customer{
			ID: id, Email: id + "@example.com", FirstName: "Customer", LastName: id,
			Birthday: courtesy.MonthDay{Month: time.Month(1 + rng.IntN(12)), Day: 1 + rng.IntN(28)},
			Locale:   locales[rng.IntN(len(locales))], Timezone: timezones[rng.IntN(len(timezones))],
			CreatedAt: since.AddDate(0, 0, -120), UpdatedAt: since.AddDate(0, 0, -120),
		}
		b.Customers = append(b.Customers, cust)
		granted := map[string]bool{}
		for j, p := range ds.Purposes {
			if rng.Float64() < []float64{0.85, 0.7, 0.75}[j] {
				granted[p] = true
				b.Consents = append(b.Consents, courtesy.ConsentRecord{CustomerID: id, Purpose: p,
					Status: courtesy.Granted, Source: "form", Notice: "signup-v1", RecordedAt: cust.CreatedAt})
			}
		}
		// Everyday shopping, whatever the messages say.
		buy := func(at time.Time) {
			order++
			b.Events = append(b.Events, courtesy.Event{CustomerID: id, Type: courtesy.Purchase,
				OrderID: fmt.Sprintf("o%07d", order), ItemID: "loaf", AmountCents: 250 + rng.Int64N(2500), OccurredAt: at})
		}
		for n := rng.IntN(3); n > 0; n-- {
			buy(randTime(since, span))
		}
		for _, c := range cs {
			if rng.Float64() >= c.chance {
				continue
			}
			due := randTime(since, span-time.Hour)
			key := courtesy.MessageKey(c.def.ID, id, due.Format("20060102"))
			m := courtesy.Message{Key: key, CampaignID: c.def.ID, CampaignVersion: version(c, due, since, span),
				CustomerID: id, Occurrence: due.Format("20060102"), Purpose: c.def.Purpose,
				DueAt: due, NotAfter: due.Add(3 * time.Hour), CreatedAt: due.Add(-time.Hour), DecidedAt: due}
			control, variant := campaigns.Assign(c.def, id)
			switch roll := rng.Float64(); {
			case !granted[c.def.Purpose]:
				m.Decision = courtesy.Decision{Outcome: courtesy.Suppressed, Reason: courtesy.ReasonNoConsent}
			case control:
				m.Variant, m.Decision = variant, courtesy.Decision{Outcome: courtesy.Control}
			case roll < 0.05:
				m.Variant, m.Decision = variant, courtesy.Decision{Outcome: courtesy.Suppressed, Reason: courtesy.ReasonLimit}
			case roll < 0.07:
				m.Variant, m.Decision = variant, courtesy.Decision{Outcome: courtesy.Expired}
			case roll < 0.08:
				m.Variant, m.Decision = variant, courtesy.Decision{Outcome: courtesy.Held, Reason: "tone:urgency"}
			case roll < 0.085:
				m.Variant, m.Decision = variant, courtesy.Decision{Outcome: courtesy.Failed, Reason: "rejected"}
				b.Bounces = append(b.Bounces, courtesy.Bounce{EmailHash: store.EmailHash(cust.Email), MessageKey: key,
					Status: "5.1.1", Kind: "hard", At: due})
			default:
				m.Variant, m.Decision = variant, courtesy.Decision{Outcome: courtesy.Sent}
				m.MessageID = "<" + key + "@crumb.example>"
			}
			b.Messages = append(b.Messages, m)
			if m.Decision.Outcome == courtesy.Sent || m.Decision.Outcome == courtesy.Control {
				if at := due.Add(time.Duration(1+rng.IntN(6*24)) * time.Hour); m.Decision.Outcome == courtesy.Sent &&
					rng.Float64() < c.uplift && at.Before(o.Until) {
					buy(at)
				}
			}
			if m.Decision.Outcome != courtesy.Sent {
				continue
			}
			rate := c.optOut
			if cust.Locale == "fr-FR" {
				rate = c.optOutFR
			}
			// Reactions come after the message and, like everything here,
			// before the end of the history.
			switch roll, at := rng.Float64(), due.Add(time.Duration(1+rng.IntN(48))*time.Hour); {
			case !at.Before(o.Until):
			case roll < c.complaint:
				b.Bounces = append(b.Bounces, courtesy.Bounce{EmailHash: store.EmailHash(cust.Email), MessageKey: key,
					Kind: "complaint", At: at})
				b.Consents = append(b.Consents, courtesy.ConsentRecord{CustomerID: id, Purpose: courtesy.AllPurposes,
					Status: courtesy.Withdrawn, Source: "complaint", MessageKey: key, RecordedAt: at})
				b.OptOuts = append(b.OptOuts, courtesy.OptOut{CustomerID: id, Purpose: courtesy.AllPurposes,
					Source: "complaint", MessageKey: key, CampaignID: c.def.ID, Variant: m.Variant, At: at})
			case roll < c.complaint+rate:
				purpose := c.def.Purpose
				if rng.IntN(4) == 0 {
					purpose = courtesy.AllPurposes
				}
				o := courtesy.OptOut{CustomerID: id, Purpose: purpose, Source: "one-click", MessageKey: key,
					CampaignID: c.def.ID, Variant: m.Variant, At: at}
				if rng.IntN(2) == 0 {
					o.Source = "unsubscribe-page"
					o.Reason = reasons[rng.IntN(len(reasons))]
					if rng.IntN(3) == 0 {
						o.Comment = comments[rng.IntN(len(comments))]
					}
				}
				b.Consents = append(b.Consents, courtesy.ConsentRecord{CustomerID: id, Purpose: purpose,
					Status: courtesy.Withdrawn, Source: o.Source, MessageKey: key, RecordedAt: at})
				b.OptOuts = append(b.OptOuts, o)
			}
			if at := due.Add(time.Duration(1+rng.IntN(48)) * time.Hour); c.def.Purpose == "surveys" &&
				rng.Float64() < 0.3 && at.Before(o.Until) {
				a := courtesy.Answer{MessageKey: key, CustomerID: id, CampaignID: c.def.ID, Variant: m.Variant,
					Score: npsScore(rng), At: at}
				if rng.IntN(4) == 0 {
					a.Comment = npsComments[rng.IntN(len(npsComments))]
				}
				b.Answers = append(b.Answers, a)
			}
		}
	}
	return ds
}

// version gives each campaign a new wording half way through the period,
// so the per-version counts have something to show.
func version(c campaign, due, since time.Time, span time.Duration) string {
	if due.Before(since.Add(span / 2)) {
		return c.def.ID[:4] + "-v1"
	}
	return c.def.ID[:4] + "-v2"
}

// npsScore draws a score from a plausible distribution: about half
// promoters, a fifth detractors.
func npsScore(rng *rand.Rand) int {
	switch r := rng.Float64(); {
	case r < 0.5:
		return 9 + rng.IntN(2)
	case r < 0.8:
		return 7 + rng.IntN(2)
	default:
		return rng.IntN(7)
	}
}
