package report_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/campaigns"
	"github.com/courtesyhq/courtesy/internal/testenv"
	"github.com/courtesyhq/courtesy/report"
	"github.com/courtesyhq/courtesy/report/reporttest"
	"github.com/courtesyhq/courtesy/store"
)

// seeded opens a store at url, loads a generated history into it and
// returns the store, the dataset and a plain database/sql handle on the
// same database for independent queries.
func seeded(tb testing.TB, url, driver, dsn string, o reporttest.Options) (*store.DB, reporttest.Dataset, *sql.DB) {
	tb.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, url)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	ds := reporttest.Generate(o)
	if err := db.BulkLoad(ctx, ds.Bulk); err != nil {
		tb.Fatal(err)
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = raw.Close() })
	// Statistics, so the planner runs the independent queries below by the
	// customer's index rather than by scanning every purchase per message.
	if _, err := raw.Exec(`ANALYZE`); err != nil {
		tb.Fatal(err)
	}
	return db, ds, raw
}

func sqliteSeeded(tb testing.TB, o reporttest.Options) (*store.DB, reporttest.Dataset, *sql.DB) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "courtesy.db")
	return seeded(tb, "sqlite://"+path, "sqlite", path, o)
}

func build(tb testing.TB, db *store.DB, ds reporttest.Dataset) *report.Report {
	tb.Helper()
	r, err := report.Build(context.Background(), db, report.Options{
		Since: ds.Since, Until: ds.Until, Campaigns: ds.Campaigns, Purposes: ds.Purposes, MinSample: 200,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func TestReportMatchesIndependentSQLite(t *testing.T) {
	db, ds, raw := sqliteSeeded(t, reporttest.Options{Customers: 20000, Days: 60})
	checkAgainstSQL(t, build(t, db, ds), ds, raw)
}

func TestReportMatchesIndependentPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("seeded Postgres report skipped in -short mode")
	}
	url := testenv.PostgresURL(t)
	db, ds, raw := seeded(t, url, "pgx", url, reporttest.Options{Customers: 5000, Days: 30, Seed: 2})
	checkAgainstSQL(t, build(t, db, ds), ds, raw)
}

// sqlFigures are the figures recomputed with SQL alone, written apart from
// the report's Go arithmetic so a slip in either shows.
type sqlFigures struct {
	Eligible, Control, Sent, Expired, Bounced, OptOuts, Complaints int
	Suppressed, Held, Failed                                       map[string]int
	Answers, Promoters, Detractors                                 int
	SentBuyers, ControlBuyers                                      int
	SentRevenue, ControlRevenue                                    int64
	Reached                                                        int
}

func checkAgainstSQL(t *testing.T, r *report.Report, ds reporttest.Dataset, raw *sql.DB) {
	t.Helper()
	since, until := ds.Since.UnixMicro(), ds.Until.UnixMicro()
	window := (7 * 24 * time.Hour).Microseconds()
	period := fmt.Sprintf("m.decided_at >= %d AND m.decided_at < %d", since, until)
	final := "m.outcome IN ('sent','suppressed','held','failed','expired','control')"
	one := func(q string) int64 {
		t.Helper()
		defer func(start time.Time) {
			if d := time.Since(start); d > time.Second {
				t.Logf("slow query (%v): %s", d, q)
			}
		}(time.Now())
		var n sql.NullInt64
		if err := raw.QueryRow(q).Scan(&n); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
		return n.Int64
	}
	if len(r.Campaigns) != 3 {
		t.Fatalf("report has %d campaigns, want 3", len(r.Campaigns))
	}
	for _, c := range r.Campaigns {
		in := fmt.Sprintf("m.campaign_id = '%s' AND %s AND %s", c.ID, period, final)
		want := sqlFigures{Suppressed: map[string]int{}, Held: map[string]int{}, Failed: map[string]int{}}
		rows, err := raw.Query(`SELECT m.decision, COUNT(*) FROM messages m WHERE ` + in + ` GROUP BY m.decision`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var d string
			var n int
			if err := rows.Scan(&d, &n); err != nil {
				t.Fatal(err)
			}
			want.Eligible += n
			o, reason, _ := strings.Cut(d, ":")
			switch o {
			case "sent":
				want.Sent += n
			case "control":
				want.Control += n
			case "expired":
				want.Expired += n
			case "suppressed":
				want.Suppressed[reason] += n
			case "held":
				want.Held[reason] += n
			case "failed":
				want.Failed[reason] += n
			}
		}
		rows.Close()
		// Reactions count in the period they were given, whenever the
		// message went.
		sent := fmt.Sprintf("m.campaign_id = '%s' AND m.outcome = 'sent'", c.ID)
		want.OptOuts = int(one(fmt.Sprintf(`SELECT COUNT(DISTINCT o.message_key) FROM opt_outs o
			JOIN messages m ON m.msg_key = o.message_key WHERE %s AND o.at >= %d AND o.at < %d`, sent, since, until)))
		want.Complaints = int(one(fmt.Sprintf(`SELECT COUNT(*) FROM messages m WHERE %s AND (
			EXISTS (SELECT 1 FROM bounces b WHERE b.message_key = m.msg_key AND b.kind = 'complaint' AND b.at >= %d AND b.at < %d)
			OR EXISTS (SELECT 1 FROM opt_outs o WHERE o.message_key = m.msg_key AND o.source = 'complaint' AND o.at >= %d AND o.at < %d))`,
			sent, since, until, since, until)))
		want.Bounced = int(one(fmt.Sprintf(`SELECT COUNT(*) FROM messages m WHERE m.campaign_id = '%s' AND %s AND (
			(%s AND m.decision = 'failed:rejected')
			OR EXISTS (SELECT 1 FROM bounces b WHERE b.message_key = m.msg_key AND b.kind = 'hard' AND b.at >= %d AND b.at < %d))`,
			c.ID, final, period, since, until)))
		answers := fmt.Sprintf(`FROM answers a JOIN messages m ON m.msg_key = a.message_key WHERE %s AND a.at >= %d AND a.at < %d`,
			sent, since, until)
		want.Answers = int(one(`SELECT COUNT(*) ` + answers))
		want.Promoters = int(one(`SELECT COUNT(*) ` + answers + ` AND a.score >= 9`))
		want.Detractors = int(one(`SELECT COUNT(*) ` + answers + ` AND a.score <= 6`))
		bought := func(outcome string) (int, int64) {
			cond := fmt.Sprintf(`e.type = 'purchase' AND e.customer_id = m.customer_id AND e.occurred_at > m.decided_at
				AND e.occurred_at <= CASE WHEN m.decided_at + %d < %d THEN m.decided_at + %d ELSE %d END
				AND e.occurred_at >= %d AND e.occurred_at < %d`, window, until, window, until, since, until)
			buyers := one(fmt.Sprintf(`SELECT COUNT(*) FROM messages m WHERE %s AND m.outcome = '%s'
				AND EXISTS (SELECT 1 FROM events e WHERE %s)`, in, outcome, cond))
			cents := one(fmt.Sprintf(`SELECT SUM((SELECT SUM(e.amount_cents) FROM events e WHERE %s))
				FROM messages m WHERE %s AND m.outcome = '%s'`, cond, in, outcome))
			return int(buyers), cents
		}
		want.SentBuyers, want.SentRevenue = bought("sent")
		want.ControlBuyers, want.ControlRevenue = bought("control")
		want.Reached = int(one(`SELECT COUNT(*) FROM messages m WHERE ` + in + ` AND NOT (m.outcome = 'suppressed' AND m.decision IN
			('suppressed:no-consent','suppressed:paused','suppressed:customer-paused','suppressed:suppressed-address',
			 'suppressed:erased','suppressed:disabled','suppressed:purchased','suppressed:fatigue'))`))

		f := c.Total
		got := sqlFigures{
			Eligible: f.Eligible, Control: f.Control, Sent: f.Sent, Expired: f.Expired, Bounced: f.Bounced,
			OptOuts: f.OptOuts, Complaints: f.Complaints, Suppressed: f.Suppressed, Held: f.Held, Failed: f.Failed,
			Answers: f.NPS.Answers, Promoters: f.NPS.Promoters, Detractors: f.NPS.Detractors,
			SentBuyers: f.Purchases.SentBuyers, ControlBuyers: f.Purchases.ControlBuyers,
			SentRevenue:    int64(math.Round(f.Revenue.SentPerMessage * float64(f.Sent) * 100)),
			ControlRevenue: int64(math.Round(f.Revenue.ControlPerMessage * float64(f.Control) * 100)),
			Reached:        int(math.Round(float64(f.Control) / f.ControlShare)),
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("campaign %s: report differs from SQL (-sql +report):\n%s", c.ID, diff)
		}
		if want.Sent == 0 || want.OptOuts == 0 || want.Answers == 0 && c.Purpose == "surveys" {
			t.Errorf("campaign %s: the seeded data exercises too little: %+v", c.ID, want)
		}
		checkRate(t, c.ID+" opt-out rate", f.OptOutRate.Value, float64(want.OptOuts)/float64(want.Sent))
		if want.Answers > 0 {
			checkRate(t, c.ID+" NPS", f.NPS.Score, 100*float64(want.Promoters-want.Detractors)/float64(want.Answers))
		}
		checkRate(t, c.ID+" purchase diff", f.Purchases.Diff,
			float64(want.SentBuyers)/float64(want.Sent)-float64(want.ControlBuyers)/float64(want.Control))
		iv := report.Newcombe(want.SentBuyers, want.Sent, want.ControlBuyers, want.Control)
		if f.Purchases.Interval != iv {
			t.Errorf("%s purchase interval %+v, want %+v", c.ID, f.Purchases.Interval, iv)
		}
		// The variants add up to the total.
		var sum int
		for _, v := range c.Variants {
			sum += v.Sent
		}
		if len(c.Variants) > 0 && sum != f.Sent {
			t.Errorf("%s: variants sent %d, total %d", c.ID, sum, f.Sent)
		}
	}
	for _, p := range r.Purposes {
		in := fmt.Sprintf("m.purpose = '%s' AND m.outcome = 'sent'", p.Purpose)
		sent := int(one(`SELECT COUNT(*) FROM messages m WHERE ` + in + ` AND ` + period))
		outs := int(one(fmt.Sprintf(`SELECT COUNT(DISTINCT o.message_key) FROM opt_outs o JOIN messages m
			ON m.msg_key = o.message_key WHERE %s AND o.at >= %d AND o.at < %d`, in, since, until)))
		if p.Sent != sent || p.OptOuts != outs {
			t.Errorf("purpose %s: report %d sent %d opt-outs, SQL %d and %d", p.Purpose, p.Sent, p.OptOuts, sent, outs)
		}
	}
	var daySent int
	for _, d := range r.Days {
		daySent += d.Sent
	}
	if all := int(one(`SELECT COUNT(*) FROM messages m WHERE m.outcome = 'sent' AND ` + period)); daySent != all {
		t.Errorf("daily sends add up to %d, SQL counts %d", daySent, all)
	}
}

func checkRate(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9 {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// TestHoldoutShare draws the control group of 10,000 customers with the
// campaigns package's own assignment and checks the report shows it.
func TestHoldoutShare(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "courtesy.db")
	db, err := store.Open(ctx, "sqlite://"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c := &campaigns.Campaign{ID: "birthday-treat", Purpose: "birthday", Holdout: 10}
	at := time.Date(2026, 10, 1, 9, 30, 0, 0, time.UTC)
	var b store.Bulk
	for i := 0; i < 10000; i++ {
		id := fmt.Sprintf("h%05d", i)
		b.Customers = append(b.Customers, courtesy.Customer{ID: id, Email: id + "@example.com", CreatedAt: at, UpdatedAt: at})
		m := courtesy.Message{Key: courtesy.MessageKey(c.ID, id, "2026"), CampaignID: c.ID, CustomerID: id,
			Purpose: "birthday", CreatedAt: at, DecidedAt: at, Decision: courtesy.Decision{Outcome: courtesy.Sent}}
		if control, _ := campaigns.Assign(c, id); control {
			m.Decision = courtesy.Decision{Outcome: courtesy.Control}
		}
		b.Messages = append(b.Messages, m)
	}
	if err := db.BulkLoad(ctx, b); err != nil {
		t.Fatal(err)
	}
	r, err := report.Build(ctx, db, report.Options{Since: at.Add(-time.Hour), Until: at.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Campaigns) != 1 {
		t.Fatalf("campaigns: %+v", r.Campaigns)
	}
	f := r.Campaigns[0].Total
	if f.Eligible != 10000 || math.Abs(f.ControlShare-0.10) > 0.01 {
		t.Errorf("control share %.4f of %d eligible, want 10%% ± 1%% of 10000", f.ControlShare, f.Eligible)
	}
}

func TestSmallSampleLabels(t *testing.T) {
	db, ds, _ := sqliteSeeded(t, reporttest.Options{Customers: 150, Days: 30})
	r := build(t, db, ds)
	for _, c := range r.Campaigns {
		if !c.Total.OptOutRate.SmallSample || !c.Total.Purchases.SmallSample {
			t.Errorf("%s: %d sent, %d control, yet not labelled a small sample", c.ID, c.Total.Sent, c.Total.Control)
		}
	}
	var text strings.Builder
	if err := report.WriteText(&text, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), report.SmallSample) {
		t.Errorf("the table does not say %q:\n%s", report.SmallSample, text.String())
	}
}

func TestHTMLIsSelfContained(t *testing.T) {
	db, ds, _ := sqliteSeeded(t, reporttest.Options{Customers: 3000, Days: 30})
	r := build(t, db, ds)
	var b strings.Builder
	if err := report.WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{"<svg", "Birthday treat", "Segment audit", "Opt-outs by purpose", "<style>"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "src=\"http", "href=\"http", "<link"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page is not self-contained: it has %q", bad)
		}
	}
}
