package report_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/report"
	"github.com/courtesyhq/courtesy/report/reporttest"
	"github.com/courtesyhq/courtesy/store"
	"github.com/courtesyhq/courtesy/store/storetest"
)

// TestReactionsCountInThePeriodTheyWereGiven: a survey sent 31 days ago
// and answered yesterday, and a greeting sent 40 days ago whose customer
// opted out last week, are in the 30-day report's answers and opt-outs —
// while the messages themselves are not among its sends. An answer given
// after the period is not in it.
func TestReactionsCountInThePeriodTheyWereGiven(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	now := time.Date(2027, 6, 1, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	var b store.Bulk
	sent := func(campaign, purpose, customer string, at time.Time) string {
		key := courtesy.MessageKey(campaign, customer, "1")
		b.Customers = append(b.Customers, courtesy.Customer{ID: customer, Email: customer + "@example.com", CreatedAt: at, UpdatedAt: at})
		b.Messages = append(b.Messages, courtesy.Message{Key: key, CampaignID: campaign, CustomerID: customer, Purpose: purpose,
			Variant: "a", CreatedAt: at, DueAt: at, DecidedAt: at, Decision: courtesy.Decision{Outcome: courtesy.Sent}})
		return key
	}
	survey := sent("after-purchase", "surveys", "ann", now.Add(-31*day))
	late := sent("after-purchase", "surveys", "bob", now.Add(-35*day))
	greeting := sent("birthday-treat", "birthday", "cy", now.Add(-40*day))
	if err := db.BulkLoad(ctx, b); err != nil {
		t.Fatal(err)
	}
	answer := func(key, customer string, score int, at time.Time) {
		t.Helper()
		if err := db.RecordAnswer(ctx, courtesy.Answer{MessageKey: key, CustomerID: customer, CampaignID: "after-purchase",
			Variant: "a", Score: score, Comment: "lovely bread", At: at}); err != nil {
			t.Fatal(err)
		}
	}
	answer(survey, "ann", 10, now.Add(-day))
	answer(late, "bob", 2, now.Add(day)) // after the period
	if _, err := db.Withdraw(ctx, courtesy.ConsentRecord{CustomerID: "cy", Purpose: "birthday", Source: "one-click",
		MessageKey: greeting, RecordedAt: now.Add(-7 * day)},
		courtesy.OptOut{CampaignID: "birthday-treat", Variant: "a", Reason: "too-many"}); err != nil {
		t.Fatal(err)
	}

	r, err := report.Build(ctx, db, report.Options{Since: now.Add(-30 * day), Until: now,
		Campaigns: []report.CampaignInfo{{ID: "after-purchase", Purpose: "surveys"}, {ID: "birthday-treat", Purpose: "birthday"}},
		Purposes:  []string{"birthday", "surveys"}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range r.Campaigns {
		f := c.Total
		got[c.ID] = fmt.Sprintf("sent %d, answers %d (NPS %.0f), opt-outs %d, themes %+v", f.Sent, f.NPS.Answers, f.NPS.Score, f.OptOuts, c.Feedback)
		for _, v := range c.Variants {
			got[c.ID+"/"+v.Variant] = fmt.Sprintf("answers %d, opt-outs %d", v.NPS.Answers, v.OptOuts)
		}
	}
	for _, p := range r.Purposes {
		got["purpose "+p.Purpose] = fmt.Sprintf("opt-outs %d", p.OptOuts)
	}
	optOutDays := 0
	for _, d := range r.Days {
		if d.OptOuts > 0 {
			got["opt-outs on "+d.Date] = fmt.Sprint(d.OptOuts)
			optOutDays++
		}
		if d.NPS.Answers > 0 {
			got["answers on "+d.Date] = fmt.Sprint(d.NPS.Answers)
		}
	}
	want := map[string]string{
		"after-purchase":         fmt.Sprintf("sent 0, answers 1 (NPS 100), opt-outs 0, themes %+v", report.Themes{Other: 1}),
		"after-purchase/a":       "answers 1, opt-outs 0",
		"birthday-treat":         fmt.Sprintf("sent 0, answers 0 (NPS 0), opt-outs 1, themes %+v", report.Themes{TooMany: 1}),
		"birthday-treat/a":       "answers 0, opt-outs 1",
		"purpose birthday":       "opt-outs 1",
		"purpose surveys":        "opt-outs 0",
		"opt-outs on 2027-05-25": "1",
		"answers on 2027-05-31":  "1",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %q, want %q", k, got[k], w)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected %s: %q", k, got[k])
		}
	}
}

// TestReportOfALaterPeriodMatchesIndependentSQLite reports on the second
// half of a generated history, so that opt-outs, complaints, bounces and
// answers given in the period to messages sent before it are counted by
// both the report and the independent SQL.
func TestReportOfALaterPeriodMatchesIndependentSQLite(t *testing.T) {
	db, ds, raw := sqliteSeeded(t, reporttest.Options{Customers: 8000, Days: 60, Seed: 1})
	ds.Since = ds.Until.AddDate(0, 0, -30)
	crossing := map[string]int{}
	for _, table := range []string{"opt_outs", "answers", "bounces"} {
		var n int
		if err := raw.QueryRow(`SELECT COUNT(*) FROM `+table+` x JOIN messages m ON m.msg_key = x.message_key
			WHERE m.decided_at < ? AND x.at >= ?`, ds.Since.UnixMicro(), ds.Since.UnixMicro()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		crossing[table] = n
	}
	if crossing["opt_outs"] == 0 || crossing["answers"] == 0 {
		t.Fatalf("reactions in the period to messages sent before it: %v; the data exercises too little", crossing)
	}
	checkAgainstSQL(t, build(t, db, ds), ds, raw)
}

// TestMoreOptOutsThanSendsInThePeriod: a campaign that sent one message in
// the period and drew two opt-outs in it (one to a message sent before)
// shows a whole opt-out rate, with an interval, in every format.
func TestMoreOptOutsThanSendsInThePeriod(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	now := time.Date(2027, 6, 1, 12, 0, 0, 0, time.UTC)
	var b store.Bulk
	for i, at := range []time.Time{now.Add(-40 * 24 * time.Hour), now.Add(-2 * 24 * time.Hour)} {
		id := fmt.Sprintf("c%d", i)
		b.Customers = append(b.Customers, courtesy.Customer{ID: id, Email: id + "@example.com", CreatedAt: at, UpdatedAt: at})
		b.Messages = append(b.Messages, courtesy.Message{Key: courtesy.MessageKey("birthday-treat", id, "1"), CampaignID: "birthday-treat",
			CustomerID: id, Purpose: "birthday", CreatedAt: at, DueAt: at, DecidedAt: at, Decision: courtesy.Decision{Outcome: courtesy.Sent}})
		b.OptOuts = append(b.OptOuts, courtesy.OptOut{CustomerID: id, Purpose: "birthday", Source: "one-click",
			MessageKey: courtesy.MessageKey("birthday-treat", id, "1"), CampaignID: "birthday-treat", At: now.Add(-24 * time.Hour)})
	}
	if err := db.BulkLoad(ctx, b); err != nil {
		t.Fatal(err)
	}
	r, err := report.Build(ctx, db, report.Options{Since: now.Add(-30 * 24 * time.Hour), Until: now})
	if err != nil {
		t.Fatal(err)
	}
	f := r.Campaigns[0].Total
	if f.Sent != 1 || f.OptOuts != 2 || f.OptOutRate.Value != 1 || f.OptOutRate.Interval.High != 1 || f.OptOutRate.Interval.Low <= 0 {
		t.Errorf("sent %d, opt-outs %d, rate %+v; want 1, 2 and a whole rate", f.Sent, f.OptOuts, f.OptOutRate)
	}
	var out strings.Builder
	for name, write := range map[string]func(io.Writer, *report.Report) error{"json": report.WriteJSON, "html": report.WriteHTML, "table": report.WriteText} {
		if err := write(&out, r); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
