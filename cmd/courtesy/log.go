package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/config"
	"github.com/courtesyhq/courtesy/privacy"
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
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := want(pos, 1, 1, commands["log"].usage); err != nil {
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
	f := store.Filter{CampaignID: *campaign, CustomerID: *customer, Limit: *limit}
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
	var t *table
	switch pos[0] {
	case "sends":
		f.Outcomes = []courtesy.Outcome{courtesy.Sent}
		t, err = messagesTable(a, db, f, true)
	case "decisions":
		t, err = messagesTable(a, db, f, false)
	case "optouts":
		t, err = optOutsTable(a, db, f)
	case "suppressions":
		t, err = suppressionsTable(a, db, f)
	case "engagement":
		t, err = engagementTable(a, db, f)
	default:
		return usagef("courtesy log: %q is not sends, optouts, decisions, engagement or suppressions", pos[0])
	}
	if err != nil {
		return err
	}
	return t.write(inv.stdio.out, *format)
}

func messagesTable(a *app, db *store.DB, f store.Filter, sends bool) (*table, error) {
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

func optOutsTable(a *app, db *store.DB, f store.Filter) (*table, error) {
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

func suppressionsTable(a *app, db *store.DB, f store.Filter) (*table, error) {
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

func engagementTable(a *app, db *store.DB, f store.Filter) (*table, error) {
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

func cmdExport(inv *invocation, args []string) error {
	fs := inv.flags("export")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := want(pos, 1, 1, commands["export"].usage); err != nil {
		return err
	}
	a, err := inv.load()
	if err != nil {
		return err
	}
	defer a.close()
	db, err := a.store()
	if err != nil {
		return err
	}
	rec, err := privacy.Export(a.ctx(), db, pos[0])
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no customer %q", pos[0])
	}
	if err != nil {
		return err
	}
	enc := json.NewEncoder(inv.stdio.out)
	enc.SetIndent("", "  ")
	return enc.Encode(rec)
}

func cmdErase(inv *invocation, args []string) error {
	fs := inv.flags("erase")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := want(pos, 1, 1, commands["erase"].usage); err != nil {
		return err
	}
	a, err := inv.load()
	if err != nil {
		return err
	}
	defer a.close()
	db, err := a.store()
	if err != nil {
		return err
	}
	err = privacy.Erase(a.ctx(), db, pos[0], a.now())
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no customer %q", pos[0])
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(inv.stdio.out, "customer %s erased; a hash of the address remains so it is not imported again\n", pos[0])
	return nil
}

func cmdCampaign(inv *invocation, args []string) error {
	fs := inv.flags("campaign")
	reason := fs.String("reason", "", "why, for the log")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := want(pos, 2, 2, commands["campaign"].usage); err != nil {
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
	if err := db.SetCampaignState(a.ctx(), store.CampaignState{ID: pos[1], Paused: pos[0] == "pause", Reason: r, At: a.now()}); err != nil {
		return err
	}
	fmt.Fprintf(inv.stdio.out, "campaign %s %sd\n", pos[1], pos[0])
	return nil
}
