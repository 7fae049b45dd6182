package report_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/report"
	"github.com/courtesyhq/courtesy/store/storetest"
)

type startedPerDay map[string]int

func (s startedPerDay) PerDay(context.Context, time.Time, time.Time) (map[string]int, error) {
	return s, nil
}

// TestSignupsGiveTheConfirmationRate: sign-ups started come from their
// count, confirmations from the events they leave; the rate is the one
// over the other, per day and for the period.
func TestSignupsGiveTheConfirmationRate(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	day1 := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	for i, at := range []time.Time{day1, day1.Add(time.Hour), day1.Add(24 * time.Hour), day1.AddDate(0, 0, -10)} {
		id := string(rune('a' + i))
		if _, err := db.UpsertCustomers(ctx, []courtesy.Customer{{ID: id, Email: id + "@example.com"}}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.AddEvent(ctx, courtesy.Event{CustomerID: id, Type: courtesy.Signup, OrderID: "confirmation:" + id, OccurredAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	o := report.Options{Since: day1.Add(-12 * time.Hour), Until: day1.Add(36 * time.Hour)}
	r, err := report.Build(ctx, db, o)
	if err != nil {
		t.Fatal(err)
	}
	if r.Signups.Counted || r.Signups.Confirmed != 3 || r.Signups.Rate.Of != 0 {
		t.Errorf("without a count of sign-ups started: %+v, want 3 confirmed and no rate", r.Signups)
	}
	o.Started = startedPerDay{"2026-11-02": 4, "2026-11-03": 2, "2026-10-01": 50}
	if r, err = report.Build(ctx, db, o); err != nil {
		t.Fatal(err)
	}
	s := r.Signups
	if s.Started != 6 || s.Confirmed != 3 || s.Rate.Count != 3 || s.Rate.Of != 6 || s.Rate.Value != 0.5 {
		t.Errorf("sign-ups = %+v, want 3 of 6 confirmed", s)
	}
	type day struct {
		Date               string
		Started, Confirmed int
	}
	var got []day
	for _, d := range r.Days {
		got = append(got, day{d.Date, d.SignupsStarted, d.SignupsConfirmed})
	}
	if diff := cmp.Diff([]day{{"2026-11-02", 4, 2}, {"2026-11-03", 2, 1}}, got); diff != "" {
		t.Errorf("days (-want +got):\n%s", diff)
	}
	var text, html strings.Builder
	if err := report.WriteText(&text, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "6 started, 3 confirmed; confirmation rate 3/6, small sample") {
		t.Errorf("the text report does not give the sign-ups:\n%s", text.String())
	}
	if err := report.WriteHTML(&html, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html.String(), "<td>2026-11-03</td><td>2</td><td>1</td>") {
		t.Error("the HTML report does not give the sign-ups per day")
	}
}
