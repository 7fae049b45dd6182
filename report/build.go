package report

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/internal/duration"
)

// Source is what the report reads.
type Source interface {
	ReportMessages(ctx context.Context, since, until time.Time) ([]courtesy.ReportMessage, error)
	ReportMessagesByKey(ctx context.Context, keys []string) ([]courtesy.ReportMessage, error)
	OptOuts(ctx context.Context, f courtesy.Filter) ([]courtesy.OptOut, error)
	Answers(ctx context.Context, f courtesy.Filter) ([]courtesy.Answer, error)
	Bounces(ctx context.Context, f courtesy.Filter) ([]courtesy.Bounce, error)
	EventsBetween(ctx context.Context, typ courtesy.EventType, from, to time.Time) ([]courtesy.Event, error)
	ConsentLedger(ctx context.Context, withdrawnFrom, until time.Time) (map[string][]courtesy.ConsentRecord, error)
	CampaignState(ctx context.Context, id string) (courtesy.CampaignState, error)
}

// CampaignInfo names a configured campaign, so one that decided nothing in
// the period still shows.
type CampaignInfo struct {
	ID      string
	Name    string
	Purpose string
}

// Options says what to report on.
type Options struct {
	// Since and Until bound the period, [Since, Until). Until defaults to
	// now; Since defaults to 30 days before Until.
	Since, Until time.Time
	// Window is how long after a decision a purchase counts as following
	// the message. Defaults to 7 days.
	Window time.Duration
	// MinSample is the number of sends a rate needs before it is judged
	// (guardrails.min_sample). Defaults to 200.
	MinSample int
	// Campaigns are the configured campaigns, in the order to show them.
	// Campaigns found only in the data follow, by id.
	Campaigns []CampaignInfo
	// Purposes are the configured consent purposes, for churn ("withdrew
	// every purpose") and the per-purpose table.
	Purposes []string
	// Location is the time zone of the daily series. Defaults to UTC.
	Location *time.Location
	// Now tells the time. Defaults to the wall clock.
	Now courtesy.Clock
	// Started counts the sign-ups started each day. Defaults to none: the
	// report then shows confirmations without a rate.
	Started SignupCounter
}

func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = courtesy.SystemClock
	}
	if o.Until.IsZero() {
		o.Until = o.Now()
	}
	if o.Since.IsZero() {
		o.Since = o.Until.AddDate(0, 0, -30)
	}
	if o.Window <= 0 {
		o.Window = 7 * 24 * time.Hour
	}
	if o.MinSample <= 0 {
		o.MinSample = 200
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	return o
}

// beforeHoldout are the suppression reasons the pipeline decides before it
// draws the control group: those messages never had a chance to be control.
var beforeHoldout = map[string]bool{
	courtesy.ReasonNoConsent: true, courtesy.ReasonPaused: true, courtesy.ReasonCustomerPaused: true,
	courtesy.ReasonAddress: true, courtesy.ReasonErased: true, courtesy.ReasonDisabled: true,
	courtesy.ReasonPurchased: true, courtesy.ReasonFatigue: true,
}

// reaction is what happened after one message.
type reaction struct {
	optOut, complaint, bounced bool
}

// data is everything read from the source for one report.
type data struct {
	msgs []courtesy.ReportMessage // decided in the period
	// earlier are the messages decided before the period that drew an
	// opt-out, complaint, bounce or answer in it: reactions count in the
	// period they were given, whenever the message went.
	earlier   []courtesy.ReportMessage
	byKey     map[string]*courtesy.ReportMessage // msgs and earlier
	reactions map[string]*reaction
	optOuts   []courtesy.OptOut // given in the period, attributed to a message
	answers   []courtesy.Answer // given in the period, attributed to a message
	purchases map[string][]courtesy.Event
	ledger    map[string][]courtesy.ConsentRecord // of those who withdrew something in the period
}

// Build computes the report.
func Build(ctx context.Context, src Source, opts Options) (*Report, error) {
	o := opts.withDefaults()
	d, err := load(ctx, src, o)
	if err != nil {
		return nil, err
	}
	r := &Report{Since: o.Since.In(o.Location), Until: o.Until.In(o.Location), Attributed: duration.Format(o.Window), MinSample: o.MinSample}

	byCampaign := map[string][]*courtesy.ReportMessage{}
	for i := range d.msgs {
		m := &d.msgs[i]
		byCampaign[m.CampaignID] = append(byCampaign[m.CampaignID], m)
	}
	earlier := map[string][]*courtesy.ReportMessage{}
	for i := range d.earlier {
		m := &d.earlier[i]
		earlier[m.CampaignID] = append(earlier[m.CampaignID], m)
	}
	infos := slices.Clone(o.Campaigns)
	known := map[string]bool{}
	for _, c := range infos {
		known[c.ID] = true
	}
	var extra []string
	for _, by := range []map[string][]*courtesy.ReportMessage{byCampaign, earlier} {
		for id := range by {
			if !known[id] {
				known[id] = true
				extra = append(extra, id)
			}
		}
	}
	sort.Strings(extra)
	for _, id := range extra {
		info := CampaignInfo{ID: id, Name: id}
		if ms := slices.Concat(byCampaign[id], earlier[id]); len(ms) > 0 {
			info.Purpose = ms[0].Purpose
		}
		infos = append(infos, info)
	}
	for _, info := range infos {
		c, err := d.campaign(ctx, src, o, info, byCampaign[info.ID], earlier[info.ID])
		if err != nil {
			return nil, err
		}
		r.Campaigns = append(r.Campaigns, c)
		r.Segments = append(r.Segments, d.segments(info.ID, byCampaign[info.ID])...)
	}
	slices.SortStableFunc(r.Segments, func(a, b Segment) int {
		if a.Flagged != b.Flagged {
			if a.Flagged {
				return -1
			}
			return 1
		}
		return cmp.Compare(math.Abs(b.Z), math.Abs(a.Z))
	})
	r.Purposes = d.purposes(o)
	r.Days = d.days(o)
	if err := d.signups(ctx, src, o, r); err != nil {
		return nil, err
	}
	return r, nil
}

func load(ctx context.Context, src Source, o Options) (*data, error) {
	d := &data{byKey: map[string]*courtesy.ReportMessage{}, reactions: map[string]*reaction{}, purchases: map[string][]courtesy.Event{}}
	var err error
	if d.msgs, err = src.ReportMessages(ctx, o.Since, o.Until); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	for i := range d.msgs {
		d.byKey[d.msgs[i].Key] = &d.msgs[i]
	}
	react := func(key string) *reaction {
		r := d.reactions[key]
		if r == nil {
			r = &reaction{}
			d.reactions[key] = r
		}
		return r
	}
	period := courtesy.Filter{Since: o.Since, Until: o.Until}
	outs, err := src.OptOuts(ctx, period)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	bounces, err := src.Bounces(ctx, period)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	answers, err := src.Answers(ctx, period)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	var keys []string
	for _, x := range outs {
		keys = append(keys, x.MessageKey)
	}
	for _, b := range bounces {
		keys = append(keys, b.MessageKey)
	}
	for _, a := range answers {
		keys = append(keys, a.MessageKey)
	}
	if err := d.loadEarlier(ctx, src, keys); err != nil {
		return nil, err
	}
	for _, x := range outs {
		m := d.byKey[x.MessageKey]
		if m == nil || m.Decision.Outcome != courtesy.Sent {
			continue
		}
		react(x.MessageKey).optOut = true
		if x.Source == "complaint" {
			react(x.MessageKey).complaint = true
		}
		d.optOuts = append(d.optOuts, x)
	}
	for _, b := range bounces {
		m := d.byKey[b.MessageKey]
		if m == nil {
			continue
		}
		switch b.Kind {
		case "complaint":
			if m.Decision.Outcome == courtesy.Sent {
				react(b.MessageKey).complaint = true
			}
		case "hard":
			react(b.MessageKey).bounced = true
		}
	}
	for _, a := range answers {
		if m := d.byKey[a.MessageKey]; m != nil && m.Decision.Outcome == courtesy.Sent {
			d.answers = append(d.answers, a)
		}
	}
	slices.SortFunc(d.answers, func(a, b courtesy.Answer) int { return a.At.Compare(b.At) })
	evs, err := src.EventsBetween(ctx, courtesy.Purchase, o.Since, o.Until)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	for _, e := range evs { // oldest first
		d.purchases[e.CustomerID] = append(d.purchases[e.CustomerID], e)
	}
	if d.ledger, err = src.ConsentLedger(ctx, o.Since, o.Until); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return d, nil
}

// loadEarlier reads the messages, decided before the period, that the
// period's reactions name.
func (d *data) loadEarlier(ctx context.Context, src Source, keys []string) error {
	var missing []string
	seen := map[string]bool{}
	for _, k := range keys {
		if k != "" && d.byKey[k] == nil && !seen[k] {
			seen[k] = true
			missing = append(missing, k)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	var err error
	if d.earlier, err = src.ReportMessagesByKey(ctx, missing); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	for i := range d.earlier {
		d.byKey[d.earlier[i].Key] = &d.earlier[i]
	}
	return nil
}

// bought returns what the customer spent, in cents, after at and up to
// at+window (cut at until), and whether they bought at all.
func (d *data) bought(customerID string, at, until time.Time, window time.Duration) (cents int64, ok bool) {
	end := at.Add(window)
	if end.After(until) {
		end = until
	}
	evs := d.purchases[customerID]
	i := sort.Search(len(evs), func(i int) bool { return evs[i].OccurredAt.After(at) })
	for ; i < len(evs) && !evs[i].OccurredAt.After(end); i++ {
		cents += evs[i].AmountCents
		ok = true
	}
	return cents, ok
}

// campaign computes one campaign's figures from msgs, its messages decided
// in the period, and earlier, its messages decided before the period that
// drew a reaction in it.
func (d *data) campaign(ctx context.Context, src Source, o Options, info CampaignInfo, msgs, earlier []*courtesy.ReportMessage) (Campaign, error) {
	c := Campaign{ID: info.ID, Name: info.Name, Purpose: info.Purpose}
	if c.Name == "" {
		c.Name = c.ID
	}
	st, err := src.CampaignState(ctx, info.ID)
	if err != nil {
		return c, fmt.Errorf("report: %w", err)
	}
	c.Guardrail = Guardrail{Paused: st.Paused, Reason: st.Reason, At: st.At}

	c.Total = d.figures(o, "", msgs, earlier)
	variants := map[string][]*courtesy.ReportMessage{}
	earlierVariants := map[string][]*courtesy.ReportMessage{}
	for _, m := range msgs {
		variants[m.Variant] = append(variants[m.Variant], m)
	}
	for _, m := range earlier {
		earlierVariants[m.Variant] = append(earlierVariants[m.Variant], m)
		if variants[m.Variant] == nil {
			variants[m.Variant] = []*courtesy.ReportMessage{}
		}
	}
	if len(variants) > 1 || (len(variants) == 1 && variants[""] == nil) {
		ids := make([]string, 0, len(variants))
		for v := range variants {
			ids = append(ids, v)
		}
		sort.Strings(ids)
		for _, v := range ids {
			c.Variants = append(c.Variants, d.figures(o, v, variants[v], earlierVariants[v]))
		}
	}
	c.Versions = versions(msgs)
	c.Churn = d.churn(o, msgs)
	c.Feedback, c.Comments = d.feedback(info.ID)
	return c, nil
}

// arm gathers one side of a holdout comparison, the sent or the control
// group: its size, how many of it bought, and the sum and sum of squares of
// what each spent, in currency units.
type arm struct {
	n, buyers int
	sum, sq   float64
}

func (a *arm) add(cents int64, bought bool) {
	a.n++
	if bought {
		a.buyers++
	}
	v := float64(cents) / 100
	a.sum += v
	a.sq += v * v
}

// rate is the share that bought; 0 for an empty arm.
func (a arm) rate() float64 {
	if a.n == 0 {
		return 0
	}
	return float64(a.buyers) / float64(a.n)
}

// mean is the average spend; 0 for an empty arm.
func (a arm) mean() float64 {
	if a.n == 0 {
		return 0
	}
	return a.sum / float64(a.n)
}

// figures counts the decisions of msgs (decided in the period) and the
// reactions given in the period to msgs and earlier (decided before it).
func (d *data) figures(o Options, variant string, msgs, earlier []*courtesy.ReportMessage) Figures {
	f := Figures{Variant: variant, Suppressed: map[string]int{}, Held: map[string]int{}, Failed: map[string]int{}}
	reached := 0
	var sent, ctl arm
	bounced := map[string]bool{}
	in := make(map[string]bool, len(msgs)+len(earlier))
	for _, m := range slices.Concat(msgs, earlier) {
		in[m.Key] = true
		r := d.reactions[m.Key]
		if r == nil {
			continue
		}
		if r.optOut {
			f.OptOuts++
		}
		if r.complaint {
			f.Complaints++
		}
		if r.bounced {
			bounced[m.Key] = true
		}
	}
	for _, m := range msgs {
		f.Eligible++
		switch m.Decision.Outcome {
		case courtesy.Sent:
			f.Sent++
			sent.add(d.bought(m.CustomerID, m.DecidedAt, o.Until, o.Window))
		case courtesy.Control:
			f.Control++
			ctl.add(d.bought(m.CustomerID, m.DecidedAt, o.Until, o.Window))
		case courtesy.Suppressed:
			f.Suppressed[m.Decision.Reason]++
		case courtesy.Held:
			f.Held[m.Decision.Reason]++
		case courtesy.Failed:
			f.Failed[m.Decision.Reason]++
		case courtesy.Expired:
			f.Expired++
		}
		if !(m.Decision.Outcome == courtesy.Suppressed && beforeHoldout[m.Decision.Reason]) {
			reached++
		}
		if m.Decision == (courtesy.Decision{Outcome: courtesy.Failed, Reason: "rejected"}) {
			bounced[m.Key] = true
		}
	}
	f.Bounced = len(bounced)
	if reached > 0 {
		f.ControlShare = float64(f.Control) / float64(reached)
	}
	f.OptOutRate = rateOf(f.OptOuts, f.Sent, o.MinSample)
	f.ComplaintRate = rateOf(f.Complaints, f.Sent, o.MinSample)
	for _, a := range d.answers {
		if in[a.MessageKey] {
			f.NPS.add(a.Score)
		}
	}
	u := Uplift{Sent: sent.n, SentBuyers: sent.buyers, Control: ctl.n, ControlBuyers: ctl.buyers,
		SentRate: sent.rate(), ControlRate: ctl.rate(),
		SmallSample: sent.n < MinGroup || ctl.n < MinGroup}
	u.Diff = u.SentRate - u.ControlRate
	u.Interval = Newcombe(sent.buyers, sent.n, ctl.buyers, ctl.n)
	f.Purchases = u
	rev := Revenue{SmallSample: u.SmallSample, SentPerMessage: sent.mean(), ControlPerMessage: ctl.mean()}
	rev.Diff, rev.Interval = MeanDiff(sent.n, sent.sum, sent.sq, ctl.n, ctl.sum, ctl.sq)
	if math.IsInf(rev.Interval.Low, 0) {
		rev.Interval = Interval{}
		rev.SmallSample = true
	}
	f.Revenue = rev
	return f
}

func versions(msgs []*courtesy.ReportMessage) []Version {
	byV := map[string]*Version{}
	var order []string
	for _, m := range msgs {
		v := byV[m.CampaignVersion]
		if v == nil {
			v = &Version{Version: m.CampaignVersion, Decisions: map[string]int{}, First: m.DecidedAt}
			byV[m.CampaignVersion] = v
			order = append(order, m.CampaignVersion)
		}
		v.Decisions[m.Decision.String()]++
		v.Last = m.DecidedAt // messages come oldest first
	}
	out := make([]Version, 0, len(order))
	for _, id := range order {
		out = append(out, *byV[id])
	}
	return out
}

// churn compares the customers who got a message with those held back.
// A customer counts once per group, from their first message of the period.
func (d *data) churn(o Options, msgs []*courtesy.ReportMessage) Churn {
	type first struct {
		at   time.Time
		sent bool
	}
	firsts := map[string]first{}
	for _, m := range msgs {
		if m.Decision.Outcome != courtesy.Sent && m.Decision.Outcome != courtesy.Control {
			continue
		}
		if _, ok := firsts[m.CustomerID]; !ok {
			firsts[m.CustomerID] = first{m.DecidedAt, m.Decision.Outcome == courtesy.Sent}
		}
	}
	var c Churn
	for id, f := range firsts {
		_, boughtAfter := d.bought(id, f.at, o.Until, o.Until.Sub(f.at))
		churned := !boughtAfter || d.withdrewAll(id, o)
		if f.sent {
			c.Sent++
			if churned {
				c.SentChurned++
			}
		} else {
			c.Control++
			if churned {
				c.ControlChurned++
			}
		}
	}
	if c.Sent > 0 {
		c.SentRate = float64(c.SentChurned) / float64(c.Sent)
	}
	if c.Control > 0 {
		c.ControlRate = float64(c.ControlChurned) / float64(c.Control)
	}
	c.Diff = c.SentRate - c.ControlRate
	c.Interval = Newcombe(c.SentChurned, c.Sent, c.ControlChurned, c.Control)
	c.SmallSample = c.Sent < MinGroup || c.Control < MinGroup
	return c
}

// withdrewAll reports whether the customer withdrew something in the period
// and, at its end, has no purpose granted.
func (d *data) withdrewAll(customerID string, o Options) bool {
	recs := d.ledger[customerID]
	withdrew := false
	for _, r := range recs {
		if r.Status == courtesy.Withdrawn && !r.RecordedAt.Before(o.Since) {
			withdrew = true
			break
		}
	}
	if !withdrew {
		return false
	}
	at := o.Until.Add(-time.Microsecond)
	for _, p := range o.Purposes {
		if consent.Current(recs, p, at).Granted {
			return false
		}
	}
	return true
}

// maxComments caps the comments listed per campaign, newest kept.
const maxComments = 20

func (d *data) feedback(campaignID string) (Themes, []Comment) {
	var t Themes
	var cs []Comment
	for _, x := range d.optOuts {
		m := d.byKey[x.MessageKey]
		if m.CampaignID != campaignID || (x.Reason == "" && x.Comment == "") {
			continue
		}
		th := Theme(x.Reason, x.Comment)
		t.add(th)
		if x.Comment != "" {
			cs = append(cs, Comment{At: x.At, Kind: "optout", Theme: th, Text: x.Comment, Variant: m.Variant})
		}
	}
	for _, a := range d.answers {
		m := d.byKey[a.MessageKey]
		if m.CampaignID != campaignID || a.Comment == "" {
			continue
		}
		th := Theme("", a.Comment)
		t.add(th)
		cs = append(cs, Comment{At: a.At, Kind: "nps", Score: a.Score, Theme: th, Text: a.Comment, Variant: m.Variant})
	}
	slices.SortStableFunc(cs, func(a, b Comment) int { return b.At.Compare(a.At) })
	if len(cs) > maxComments {
		cs = cs[:maxComments]
	}
	return t, cs
}

func (d *data) purposes(o Options) []Purpose {
	by := map[string]*Purpose{}
	var order []string
	for _, p := range o.Purposes {
		by[p] = &Purpose{Purpose: p}
		order = append(order, p)
	}
	purpose := func(name string) *Purpose {
		p := by[name]
		if p == nil {
			p = &Purpose{Purpose: name}
			by[name] = p
			order = append(order, name)
		}
		return p
	}
	for _, m := range d.msgs {
		if m.Decision.Outcome == courtesy.Sent {
			purpose(m.Purpose).Sent++
		}
	}
	for _, m := range slices.Concat(d.msgs, d.earlier) {
		if r := d.reactions[m.Key]; r != nil && r.optOut {
			purpose(m.Purpose).OptOuts++
		}
	}
	out := make([]Purpose, 0, len(order))
	for _, id := range order {
		p := by[id]
		p.OptOutRate = rateOf(p.OptOuts, p.Sent, o.MinSample)
		out = append(out, *p)
	}
	return out
}

func (d *data) days(o Options) []Day {
	var out []Day
	start := o.Since.In(o.Location)
	day := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, o.Location)
	for ; day.Before(o.Until); day = day.AddDate(0, 0, 1) {
		out = append(out, Day{Date: day.Format(time.DateOnly)})
	}
	at := dayIndex(out, o.Location)
	for _, m := range d.msgs {
		dd := at(m.DecidedAt)
		if dd == nil {
			continue
		}
		switch m.Decision.Outcome {
		case courtesy.Sent:
			dd.Sent++
		case courtesy.Suppressed:
			dd.Suppressed++
		case courtesy.Held:
			dd.Held++
		case courtesy.Control:
			dd.Control++
		default:
			dd.Other++
		}
	}
	// A message's opt-out counts once, on the day of its first opt-out.
	first := map[string]time.Time{}
	for _, x := range d.optOuts {
		if t, ok := first[x.MessageKey]; !ok || x.At.Before(t) {
			first[x.MessageKey] = x.At
		}
	}
	for _, t := range first {
		if dd := at(t); dd != nil {
			dd.OptOuts++
		}
	}
	for _, a := range d.answers {
		if dd := at(a.At); dd != nil {
			dd.NPS.add(a.Score)
		}
	}
	return out
}
