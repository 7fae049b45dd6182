package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/config"
	"github.com/courtesyhq/courtesy/store"
)

const timeLayout = "2006-01-02 15:04:05Z07:00"

func cmdLog(inv *invocation, args []string) error {
	fs := inv.flags("log")
	campaign := fs.String("campaign", "", "only this campaign `ID`")
	customer := fs.String("customer", "", "only this customer `ID`")
	since := fs.String("since", "", "only the last `DUR` (such as 24h, 7d)")
	format := fs.String("format", "table", "table, csv or json")
	limit := fs.Int("limit", 0, "at most this many rows, newest first (0: all)")
	follow := fs.Bool("f", false, "follow: keep printing new rows as they are recorded, until interrupted")
	pos, err := parsePositional(fs, args, 1, 1)
	if err != nil {
		return err
	}
	if !oneOf(*format, "table", "csv", "json") {
		return usagef("--format %q: want table, csv or json", *format)
	}
	a, err := inv.load()
	if err != nil {
		return err
	}
	defer a.close()
	f := courtesy.Filter{CampaignID: *campaign, CustomerID: *customer, Limit: *limit}
	if *since != "" {
		d, err := config.ParseDuration(*since)
		if err != nil {
			return usagef("--since %q: %v", *since, err)
		}
		f.Since = a.now().Add(-d)
	}
	db, err := a.store()
	if err != nil {
		return err
	}
	build := func(f courtesy.Filter) (*table, error) {
		switch pos[0] {
		case "sends":
			f.Outcomes = []courtesy.Outcome{courtesy.Sent}
			return messagesTable(a, db, f, true)
		case "decisions":
			return messagesTable(a, db, f, false)
		case "optouts":
			return optOutsTable(a, db, f)
		case "suppressions":
			return suppressionsTable(a, db, f)
		case "engagement":
			return engagementTable(a, db, f)
		}
		return nil, usagef("courtesy log: %q is not sends, optouts, decisions, engagement or suppressions", pos[0])
	}
	t, err := build(f)
	if err != nil {
		return err
	}
	if err := t.write(inv.stdio.out, *format); err != nil {
		return err
	}
	if !*follow {
		return nil
	}
	return followLog(a, inv.stdio.out, *format, f, t, build)
}

// followPoll is how often `courtesy log -f` looks for new rows.
const followPoll = 2 * time.Second

// followSlack is how far before the previous look each look starts: a row
// is dated when its decision is taken and may be committed a little later.
const followSlack = time.Minute

// followLog prints, oldest first, every row that was not printed before,
// until the command is interrupted. A message whose decision changes shows
// again with its new decision. JSON rows are one object a line.
func followLog(a *app, w io.Writer, format string, f courtesy.Filter, first *table, build func(courtesy.Filter) (*table, error)) error {
	fl := newFollower(f, first, a.now())
	tick := time.NewTicker(followPoll)
	defer tick.Stop()
	for {
		select {
		case <-a.ctx().Done():
			return nil
		case <-tick.C:
		}
		fresh, err := fl.poll(a.now(), build)
		if err != nil {
			return err
		}
		if len(fresh.rows) == 0 {
			continue
		}
		if err := fresh.writeRows(w, format); err != nil {
			return err
		}
	}
}

// follower is what a follow keeps between looks: where the next look
// starts, and the rows already printed that it may read again.
type follower struct {
	f    courtesy.Filter
	seen map[string]bool
}

// newFollower starts a follow after the first table was printed. The first
// look reads from a minute before the follow began.
func newFollower(f courtesy.Filter, first *table, now time.Time) *follower {
	fl := &follower{f: f, seen: make(map[string]bool, len(first.rows))}
	fl.f.Limit = 0
	fl.f.Since = now.Add(-followSlack)
	for _, r := range first.rows {
		fl.seen[rowKey(r)] = true
	}
	return fl
}

// poll looks once, at now, and returns the rows not printed before, oldest
// first. The next look starts a minute before this one, so each look stays
// small however long the follow runs; what is kept as seen is only what this
// look read, since a later look, starting no earlier, cannot read the rest.
func (fl *follower) poll(now time.Time, build func(courtesy.Filter) (*table, error)) (*table, error) {
	t, err := build(fl.f)
	if err != nil {
		return nil, err
	}
	fresh := &table{header: t.header}
	seen := make(map[string]bool, len(t.rows))
	for i := len(t.rows) - 1; i >= 0; i-- { // lists come newest first
		k := rowKey(t.rows[i])
		if !fl.seen[k] && !seen[k] {
			fresh.rows = append(fresh.rows, t.rows[i])
		}
		seen[k] = true
	}
	fl.seen = seen
	// A clock stepped back must not widen the window again: rows it would
	// bring back are no longer remembered as printed.
	if since := now.Add(-followSlack); since.After(fl.f.Since) {
		fl.f.Since = since
	}
	return fresh, nil
}

func rowKey(r []string) string { return strings.Join(r, "\x00") }

func messagesTable(a *app, db *store.DB, f courtesy.Filter, sends bool) (*table, error) {
	msgs, err := db.Messages(a.ctx(), f)
	if err != nil {
		return nil, err
	}
	t := &table{header: []string{"time", "campaign", "variant", "customer", "decision", "due", "version", "message_id", "subject", "detail"}}
	if sends {
		t.header = []string{"time", "campaign", "variant", "customer", "message_id", "subject", "version"}
	}
	for _, m := range msgs {
		if sends {
			t.add(fmtTime(m.DecidedAt), m.CampaignID, m.Variant, m.CustomerID, m.MessageID, m.Subject, m.CampaignVersion)
			continue
		}
		t.add(fmtTime(m.DecidedAt), m.CampaignID, m.Variant, m.CustomerID, m.Decision.String(), fmtTime(m.DueAt), m.CampaignVersion, m.MessageID, m.Subject, detailSummary(m.Detail))
	}
	return t, nil
}

// detailSummary says in one line why a decision was taken.
func detailSummary(s string) string {
	var d courtesy.Detail
	if json.Unmarshal([]byte(s), &d) != nil {
		return ""
	}
	switch {
	case d.Finding != "":
		return d.Finding
	case d.Error != "":
		return d.Error
	}
	return d.Rule
}

func optOutsTable(a *app, db *store.DB, f courtesy.Filter) (*table, error) {
	outs, err := db.OptOuts(a.ctx(), f)
	if err != nil {
		return nil, err
	}
	t := &table{header: []string{"time", "customer", "purpose", "source", "campaign", "variant", "message", "reason", "comment"}}
	for _, o := range outs {
		t.add(fmtTime(o.At), o.CustomerID, o.Purpose, o.Source, o.CampaignID, o.Variant, o.MessageKey, o.Reason, o.Comment)
	}
	return t, nil
}

func suppressionsTable(a *app, db *store.DB, f courtesy.Filter) (*table, error) {
	sups, err := db.Suppressions(a.ctx(), f)
	if err != nil {
		return nil, err
	}
	t := &table{header: []string{"time", "address_hash", "reason", "source", "detail", "lifted", "lift_reason"}}
	for _, s := range sups {
		t.add(fmtTime(s.At), s.EmailHash, s.Reason, s.Source, s.Detail, fmtTime(s.LiftedAt), s.LiftReason)
	}
	return t, nil
}

func engagementTable(a *app, db *store.DB, f courtesy.Filter) (*table, error) {
	es, err := db.Engagements(a.ctx(), f)
	if err != nil {
		return nil, err
	}
	t := &table{header: []string{"time", "customer", "campaign", "kind", "message"}}
	for _, e := range es {
		t.add(fmtTime(e.At), e.CustomerID, e.CampaignID, e.Kind, e.MessageKey)
	}
	answers, err := db.Answers(a.ctx(), f)
	if err != nil {
		return nil, err
	}
	for _, an := range answers {
		t.add(fmtTime(an.At), an.CustomerID, an.CampaignID, "survey-answer "+strconv.Itoa(an.Score), an.MessageKey)
	}
	return t, nil
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

func cmdCampaign(inv *invocation, args []string) error {
	fs := inv.flags("campaign")
	reason := fs.String("reason", "", "why, for the log")
	pos, err := parsePositional(fs, args, 2, 2)
	if err != nil {
		return err
	}
	if !oneOf(pos[0], "pause", "resume") {
		return usagef("usage: courtesy %s", commands["campaign"].usage)
	}
	a, err := inv.load()
	if err != nil {
		return err
	}
	defer a.close()
	if _, ok := a.campaignsByID()[pos[1]]; !ok {
		return usagef("no campaign %q in %s", pos[1], a.cfg.Path(a.cfg.CampaignsDir))
	}
	db, err := a.store()
	if err != nil {
		return err
	}
	r := *reason
	if r == "" {
		r = "manual " + pos[0]
	}
	if err := db.SetCampaignState(a.ctx(), courtesy.CampaignState{ID: pos[1], Paused: pos[0] == "pause", Reason: r, At: a.now()}); err != nil {
		return err
	}
	fmt.Fprintf(inv.stdio.out, "campaign %s %sd\n", pos[1], pos[0])
	return nil
}
