package campaigns

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/internal/duration"
	"github.com/courtesyhq/courtesy/templates"
	"github.com/courtesyhq/courtesy/throttle"
)

func sampleData() templates.Data {
	return templates.SampleData("https://crumb.example", templates.Business{Name: "Crumb & Co. Bakery", PostalAddress: "12 Mill Lane"},
		templates.Campaign{ID: "c", Name: "C"})
}

func mustLoc(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

func birthday(at string, window time.Duration) *Campaign {
	t, err := throttle.ParseClockTime(at)
	if err != nil {
		panic(err)
	}
	return &Campaign{ID: "b", Kind: Birthday, Send: Send{At: t, HasAt: true, Window: window}, Expires: DefaultExpires}
}

func customer(md string) courtesy.Customer {
	b, err := courtesy.ParseMonthDay(md)
	if err != nil {
		panic(err)
	}
	return courtesy.Customer{ID: "c1", Birthday: b}
}

func TestBirthdayOccurrence(t *testing.T) {
	london := mustLoc(t, "Europe/London")
	auckland := mustLoc(t, "Pacific/Auckland")
	honolulu := mustLoc(t, "Pacific/Honolulu")
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name     string
		c        *Campaign
		birthday string
		now      time.Time
		loc      *time.Location
		want     Occurrence
		wantOK   bool
	}{
		{
			name: "due on the birthday at send.at", c: birthday("09:30", 3*time.Hour), birthday: "12-01",
			now: utc("2026-12-01T10:00:00Z"), loc: london,
			want:   Occurrence{ID: "2026", Due: utc("2026-12-01T09:30:00Z"), NotAfter: utc("2026-12-01T12:30:00Z")},
			wantOK: true,
		},
		{
			name: "before send.at: known but not yet open", c: birthday("09:30", 3*time.Hour), birthday: "12-01",
			now: utc("2026-12-01T08:00:00Z"), loc: london,
			want: Occurrence{ID: "2026", Due: utc("2026-12-01T09:30:00Z"), NotAfter: utc("2026-12-01T12:30:00Z")},
		},
		{
			name: "after the window: closed", c: birthday("09:30", 3*time.Hour), birthday: "12-01",
			now: utc("2026-12-01T12:30:00Z"), loc: london,
			want: Occurrence{ID: "2026", Due: utc("2026-12-01T09:30:00Z"), NotAfter: utc("2026-12-01T12:30:00Z")},
		},
		{
			name: "no window: open to the end of the local day", c: birthday("09:30", 0), birthday: "12-01",
			now: utc("2026-12-01T23:59:00Z"), loc: london,
			want:   Occurrence{ID: "2026", Due: utc("2026-12-01T09:30:00Z"), NotAfter: utc("2026-12-02T00:00:00Z")},
			wantOK: true,
		},
		{
			name: "not the birthday", c: birthday("09:30", 0), birthday: "12-02",
			now: utc("2026-12-01T10:00:00Z"), loc: london,
		},
		{
			name: "29 February falls on 28 February in 2027", c: birthday("09:30", 0), birthday: "02-29",
			now: utc("2027-02-28T10:00:00Z"), loc: london,
			want:   Occurrence{ID: "2027", Due: utc("2027-02-28T09:30:00Z"), NotAfter: utc("2027-03-01T00:00:00Z")},
			wantOK: true,
		},
		{
			name: "29 February on 1 March 2027: nothing", c: birthday("09:30", 0), birthday: "02-29",
			now: utc("2027-03-01T10:00:00Z"), loc: london,
		},
		{
			name: "29 February is not moved in a leap year", c: birthday("09:30", 0), birthday: "02-29",
			now: utc("2028-02-28T10:00:00Z"), loc: london,
		},
		{
			name: "29 February in 2028", c: birthday("09:30", 0), birthday: "02-29",
			now: utc("2028-02-29T10:00:00Z"), loc: london,
			want:   Occurrence{ID: "2028", Due: utc("2028-02-29T09:30:00Z"), NotAfter: utc("2028-03-01T00:00:00Z")},
			wantOK: true,
		},
		{
			// 1 December 2026 00:00 UTC is already 13:00 on 1 December in
			// Auckland (UTC+13 in summer): the birthday there is nearly over.
			name: "UTC+13 on the UTC day", c: birthday("09:30", 0), birthday: "12-01",
			now: utc("2026-12-01T00:00:00Z"), loc: auckland,
			want:   Occurrence{ID: "2026", Due: utc("2026-11-30T20:30:00Z"), NotAfter: utc("2026-12-01T11:00:00Z")},
			wantOK: true,
		},
		{
			name: "UTC-10 on the same UTC day: still 30 November", c: birthday("09:30", 0), birthday: "12-01",
			now: utc("2026-12-01T00:00:00Z"), loc: honolulu,
		},
		{
			name: "UTC-10 later the same UTC day", c: birthday("09:30", 0), birthday: "12-01",
			now: utc("2026-12-01T20:00:00Z"), loc: honolulu,
			want:   Occurrence{ID: "2026", Due: utc("2026-12-01T19:30:00Z"), NotAfter: utc("2026-12-02T10:00:00Z")},
			wantOK: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.c.BirthdayOccurrence(customer(tt.birthday), tt.now, tt.loc)
			if ok != tt.wantOK {
				t.Errorf("ok = %v, want %v", ok, tt.wantOK)
			}
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
				t.Errorf("occurrence (-want +got):\n%s", diff)
			}
		})
	}
}

// TestBirthdayAcrossDaylightSaving asks every minute of the day with a
// daylight-saving change, as a planner would, and counts the distinct
// occurrences: exactly one each time, open for as long as it should be.
func TestBirthdayAcrossDaylightSaving(t *testing.T) {
	tests := []struct {
		name, zone, date, at string
		wantDueLocal         string
		wantOpen             time.Duration
	}{
		{"London spring forward, 01:30 does not exist", "Europe/London", "2026-03-29", "01:30", "02:30 BST", 3 * time.Hour},
		{"London fall back, 01:30 happens twice", "Europe/London", "2026-10-25", "01:30", "01:30 BST", 3 * time.Hour},
		{"New York spring forward, 02:30 does not exist", "America/New_York", "2026-03-08", "02:30", "03:30 EDT", 3 * time.Hour},
		{"New York fall back, 01:30 happens twice", "America/New_York", "2026-11-01", "01:30", "01:30 EDT", 3 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := mustLoc(t, tt.zone)
			c := birthday(tt.at, 3*time.Hour)
			day, _ := time.ParseInLocation("2006-01-02", tt.date, loc)
			cu := customer(tt.date[5:])
			seen := map[string]bool{}
			var open time.Duration
			// From the local midnight before to the one after, in real minutes.
			for now := day.Add(-time.Hour); now.Before(day.Add(26 * time.Hour)); now = now.Add(time.Minute) {
				o, ok := c.BirthdayOccurrence(cu, now, loc)
				if ok {
					seen[o.ID+" "+o.Due.In(loc).Format("15:04 MST")] = true
					open += time.Minute
				}
			}
			want := map[string]bool{tt.date[:4] + " " + tt.wantDueLocal: true}
			if diff := cmp.Diff(want, seen); diff != "" {
				t.Errorf("occurrences (-want +got):\n%s", diff)
			}
			if open != tt.wantOpen {
				t.Errorf("open for %v, want %v", open, tt.wantOpen)
			}
		})
	}
}

func TestBirthdayDays(t *testing.T) {
	tests := []struct {
		now  string
		want []string
	}{
		{"2026-12-01T10:30:00Z", []string{"11-30", "12-01", "12-02"}},
		{"2026-12-01T11:59:00Z", []string{"11-30", "12-01", "12-02"}},
		{"2026-12-01T12:00:00Z", []string{"12-01", "12-02"}},
		{"2026-12-01T09:59:00Z", []string{"11-30", "12-01"}},
		{"2027-02-28T12:00:00Z", []string{"02-28", "02-29", "03-01"}},
		{"2028-02-28T12:00:00Z", []string{"02-28", "02-29"}},
	}
	for _, tt := range tests {
		t.Run(tt.now, func(t *testing.T) {
			now, _ := time.Parse(time.RFC3339, tt.now)
			var got []string
			for _, md := range BirthdayDays(now) {
				got = append(got, md.String())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestEventOccurrence(t *testing.T) {
	london := mustLoc(t, "Europe/London")
	ten := throttle.ClockTime{Hour: 10}
	reminder := &Campaign{ID: "r", Kind: InterestReminder, Trigger: Trigger{Event: courtesy.Interest, After: 3 * duration.Day},
		Send: Send{At: ten, HasAt: true, Window: 8 * time.Hour}, Expires: DefaultExpires}
	survey := &Campaign{ID: "s", Kind: NPSSurvey, Trigger: Trigger{Event: courtesy.Purchase, After: 2 * duration.Day},
		Expires: 7 * duration.Day}
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name   string
		c      *Campaign
		e      courtesy.Event
		now    string
		want   Occurrence
		wantOK bool
	}{
		{
			name: "reminder moves to the next 10:00",
			c:    reminder, e: courtesy.Event{ID: 7, Type: courtesy.Interest, OccurredAt: at("2026-11-28T08:15:00Z")},
			now:    "2026-12-01T10:00:00Z",
			want:   Occurrence{ID: "e7", Due: at("2026-12-01T10:00:00Z"), NotAfter: at("2026-12-01T18:00:00Z")},
			wantOK: true,
		},
		{
			name: "reminder after 10:00 waits for the next day",
			c:    reminder, e: courtesy.Event{ID: 8, Type: courtesy.Interest, OccurredAt: at("2026-11-27T16:40:00Z")},
			now:  "2026-11-30T16:41:00Z",
			want: Occurrence{ID: "e8", Due: at("2026-12-01T10:00:00Z"), NotAfter: at("2026-12-01T18:00:00Z")},
		},
		{
			name: "reminder window closed",
			c:    reminder, e: courtesy.Event{ID: 7, Type: courtesy.Interest, OccurredAt: at("2026-11-28T08:15:00Z")},
			now:  "2026-12-01T18:00:00Z",
			want: Occurrence{ID: "e7", Due: at("2026-12-01T10:00:00Z"), NotAfter: at("2026-12-01T18:00:00Z")},
		},
		{
			name: "survey keyed by order, due as is, expires after 7 days",
			c:    survey, e: courtesy.Event{ID: 9, Type: courtesy.Purchase, OrderID: "ORD-10421", OccurredAt: at("2026-11-29T09:12:00Z")},
			now:    "2026-12-08T09:11:00Z",
			want:   Occurrence{ID: "oORD-10421", Due: at("2026-12-01T09:12:00Z"), NotAfter: at("2026-12-08T09:12:00Z")},
			wantOK: true,
		},
		{
			name: "survey without an order id keyed by event",
			c:    survey, e: courtesy.Event{ID: 10, Type: courtesy.Purchase, OccurredAt: at("2026-11-29T09:12:00Z")},
			now:    "2026-12-01T09:12:00Z",
			want:   Occurrence{ID: "e10", Due: at("2026-12-01T09:12:00Z"), NotAfter: at("2026-12-08T09:12:00Z")},
			wantOK: true,
		},
		{
			name: "a purchase does not start a reminder",
			c:    reminder, e: courtesy.Event{ID: 11, Type: courtesy.Purchase, OccurredAt: at("2026-11-28T08:15:00Z")},
			now: "2026-12-01T10:00:00Z",
		},
		{
			name: "an interest does not start a survey",
			c:    survey, e: courtesy.Event{ID: 12, Type: courtesy.Interest, OccurredAt: at("2026-11-28T08:15:00Z")},
			now: "2026-12-01T10:00:00Z",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.c.EventOccurrence(tt.e, at(tt.now), london)
			if ok != tt.wantOK {
				t.Errorf("ok = %v, want %v", ok, tt.wantOK)
			}
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
				t.Errorf("occurrence (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAssign(t *testing.T) {
	c := &Campaign{ID: "birthday-treat", Holdout: 10, Variants: []Variant{{ID: "personal", Weight: 50}, {ID: "generic", Weight: 50}}}
	const n = 10000
	control := 0
	byVariant := map[string]int{}
	for i := range n {
		id := fmt.Sprintf("c%05d", i)
		ctl, v := Assign(c, id)
		if ctl2, v2 := Assign(c, id); ctl2 != ctl || v2 != v {
			t.Fatalf("%s: assignment flipped between calls", id)
		}
		if ctl {
			control++
		}
		byVariant[v]++
	}
	if share := float64(control) / n; math.Abs(share-0.10) > 0.01 {
		t.Errorf("control share %.4f, want 0.10 ± 0.01", share)
	}
	if len(byVariant) != 2 || math.Abs(float64(byVariant["personal"])/n-0.5) > 0.02 {
		t.Errorf("variants %v, want about half each", byVariant)
	}

	other := &Campaign{ID: "saved-reminder", Holdout: 10}
	same := 0
	for i := range n {
		id := fmt.Sprintf("c%05d", i)
		a, _ := Assign(c, id)
		b, v := Assign(other, id)
		if a && b {
			same++
		}
		if v != "" {
			t.Fatalf("variant %q for a campaign without variants", v)
		}
	}
	// Independent draws: about 1% are control in both, not 10%.
	if same > n/50 {
		t.Errorf("%d customers are control in both campaigns: the groups are not independent", same)
	}
	if ctl, _ := Assign(&Campaign{ID: "x"}, "c1"); ctl {
		t.Error("holdout 0 put a customer in control")
	}
}

func BenchmarkBirthdayOccurrence(b *testing.B) {
	c := birthday("09:30", 3*time.Hour)
	loc := mustLoc(b, "Europe/London")
	cu := customer("12-01")
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for b.Loop() {
		if _, ok := c.BirthdayOccurrence(cu, now, loc); !ok {
			b.Fatal("not due")
		}
	}
}

func BenchmarkAssign(b *testing.B) {
	c := &Campaign{ID: "birthday-treat", Holdout: 10, Variants: []Variant{{ID: "a", Weight: 1}, {ID: "b", Weight: 1}}}
	for b.Loop() {
		Assign(c, "c000123")
	}
}

// EventsFrom bounds how far back a planner reads events: no event older
// than it may have an occurrence open at now, whatever the send time, window
// and time zone, and the bound is not much looser than it needs to be.
func TestEventsFromCoversEveryOpenOccurrence(t *testing.T) {
	for _, zone := range []string{"Pacific/Kiritimati", "Europe/London", "Pacific/Pago_Pago"} {
		loc := mustLoc(t, zone)
		for _, c := range []*Campaign{
			{ID: "r", Kind: InterestReminder, Trigger: Trigger{Event: courtesy.Interest, After: 3 * duration.Day},
				Send: Send{At: throttle.ClockTime{Hour: 10}, HasAt: true, Window: 8 * time.Hour}, Expires: DefaultExpires},
			{ID: "r2", Kind: InterestReminder, Trigger: Trigger{Event: courtesy.Interest, After: time.Hour},
				Send: Send{At: throttle.ClockTime{Hour: 23, Minute: 30}, HasAt: true}, Expires: 2 * duration.Day},
			{ID: "s", Kind: NPSSurvey, Trigger: Trigger{Event: courtesy.Purchase, After: 2 * duration.Day},
				Expires: 7 * duration.Day},
		} {
			opened := 0
			for hour := 0; hour < 24; hour += 2 {
				now := time.Date(2026, 12, 1, hour, 30, 0, 0, time.UTC)
				from := c.EventsFrom(now)
				oldest := time.Time{}
				for back := time.Duration(0); back < 40*duration.Day; back += 10 * time.Minute {
					e := courtesy.Event{ID: 1, Type: c.Trigger.Event, OrderID: "o1", OccurredAt: now.Add(-back)}
					if _, open := c.EventOccurrence(e, now, loc); open {
						oldest = e.OccurredAt
					}
				}
				if oldest.IsZero() {
					continue
				}
				opened++
				if oldest.Before(from) {
					t.Errorf("%s in %s: an event of %v is still open at %v, but EventsFrom says %v", c.ID, zone, oldest, now, from)
				}
				if slack := oldest.Sub(from); slack > 50*time.Hour {
					t.Errorf("%s in %s at %v: EventsFrom %v reads %v more than the oldest open event needs", c.ID, zone, now, from, slack)
				}
			}
			if opened == 0 {
				t.Errorf("%s in %s: no event had an open occurrence at any hour; the test checks nothing", c.ID, zone)
			}
		}
	}
}
