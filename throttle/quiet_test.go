package throttle

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func mustLoad(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatalf("load time zone %s: %v", name, err)
	}
	return loc
}

func mustQuiet(tb testing.TB, s string) QuietHours {
	tb.Helper()
	q, err := ParseQuietHours(s)
	if err != nil {
		tb.Fatalf("ParseQuietHours(%q): %v", s, err)
	}
	return q
}

func mustTime(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		tb.Fatalf("parse %q: %v", s, err)
	}
	return t
}

func TestParseQuietHours(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    QuietHours
		wantErr string
	}{
		{name: "wraps midnight", in: "20:00-09:00", want: QuietHours{ClockTime{Hour: 20, Minute: 0}, ClockTime{Hour: 9, Minute: 0}}},
		{name: "same day", in: "12:30-13:45", want: QuietHours{ClockTime{Hour: 12, Minute: 30}, ClockTime{Hour: 13, Minute: 45}}},
		{name: "single-digit hour", in: "7:00-9:00", want: QuietHours{ClockTime{Hour: 7, Minute: 0}, ClockTime{Hour: 9, Minute: 0}}},
		{name: "empty is none", in: "", want: QuietHours{}},
		{name: "no dash", in: "20:00", wantErr: "not a span of hours"},
		{name: "bad hour", in: "25:00-09:00", wantErr: "not a span of hours"},
		{name: "bad minute", in: "20:60-09:00", wantErr: "not a span of hours"},
		{name: "start is end", in: "09:00-09:00", wantErr: "starts and ends at the same time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseQuietHours(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if got.String() != strings.TrimSpace(tt.in) && tt.name != "single-digit hour" {
				t.Errorf("String() = %q, want %q", got.String(), tt.in)
			}
		})
	}
}

func TestQuietHoursContainsAndEnd(t *testing.T) {
	london := mustLoad(t, "Europe/London")
	at := func(s string) time.Time { return time.Date(2026, 6, 10, 0, 0, 0, 0, london).Add(mustDur(t, s)) }
	tests := []struct {
		name     string
		quiet    string
		t        time.Time
		contains bool
		end      time.Time
	}{
		{name: "evening inside wrap", quiet: "20:00-09:00", t: at("21h"), contains: true, end: at("33h")},
		{name: "at the start", quiet: "20:00-09:00", t: at("20h"), contains: true, end: at("33h")},
		{name: "after midnight inside wrap", quiet: "20:00-09:00", t: at("3h"), contains: true, end: at("9h")},
		{name: "a minute before the end", quiet: "20:00-09:00", t: at("8h59m59s"), contains: true, end: at("9h")},
		{name: "at the end", quiet: "20:00-09:00", t: at("9h"), contains: false, end: at("9h")},
		{name: "daytime", quiet: "20:00-09:00", t: at("14h"), contains: false, end: at("14h")},
		{name: "inside same-day span", quiet: "12:00-14:00", t: at("13h"), contains: true, end: at("14h")},
		{name: "before same-day span", quiet: "12:00-14:00", t: at("11h"), contains: false, end: at("11h")},
		{name: "no quiet hours", quiet: "", t: at("3h"), contains: false, end: at("3h")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := mustQuiet(t, tt.quiet)
			if got := q.Contains(tt.t); got != tt.contains {
				t.Errorf("Contains(%v) = %v, want %v", tt.t, got, tt.contains)
			}
			if got := q.EndOf(tt.t); !got.Equal(tt.end) {
				t.Errorf("EndOf(%v) = %v, want %v", tt.t, got, tt.end)
			}
		})
	}
}

func mustDur(tb testing.TB, s string) time.Duration {
	tb.Helper()
	d, err := time.ParseDuration(s)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// On the days clocks change, quiet hours end when the local clock reads
// their end: once, at the right instant.
func TestQuietHoursDaylightSaving(t *testing.T) {
	london := mustLoad(t, "Europe/London")
	tests := []struct {
		name  string
		quiet string
		from  time.Time // scanned minute by minute for two days
		ends  []string  // instants where quiet hours end, UTC
		t     time.Time // a time inside the quiet hours...
		endOf string    // ...and when they end
	}{
		{
			name:  "spring forward 2026-03-29",
			quiet: "20:00-09:00",
			from:  mustTime(t, "2026-03-28T12:00:00Z"),
			ends:  []string{"2026-03-29T08:00:00Z", "2026-03-30T08:00:00Z"}, // 09:00 BST
			t:     time.Date(2026, 3, 29, 0, 30, 0, 0, london),
			endOf: "2026-03-29T08:00:00Z",
		},
		{
			name:  "fall back 2026-10-25",
			quiet: "20:00-09:00",
			from:  mustTime(t, "2026-10-24T12:00:00Z"),
			ends:  []string{"2026-10-25T09:00:00Z", "2026-10-26T09:00:00Z"}, // 09:00 GMT
			t:     time.Date(2026, 10, 24, 23, 30, 0, 0, london),
			endOf: "2026-10-25T09:00:00Z",
		},
		{
			name:  "end skipped by spring forward ends at the jump",
			quiet: "23:00-01:30",
			from:  mustTime(t, "2026-03-28T12:00:00Z"),
			// 01:30 never happens on the 29th; at 01:00 GMT the clock reads 02:00.
			ends:  []string{"2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"},
			t:     time.Date(2026, 3, 29, 0, 45, 0, 0, london),
			endOf: "2026-03-29T01:00:00Z",
		},
		{
			name:  "end in the repeated hour, first pass",
			quiet: "00:00-01:30",
			from:  mustTime(t, "2026-10-24T12:00:00Z"),
			// 01:30 BST ends it; the clock then goes back to 01:00 and reads
			// a quiet time for half an hour more, which ends at 01:30 GMT.
			ends:  []string{"2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z", "2026-10-26T01:30:00Z"},
			t:     time.Date(2026, 10, 25, 0, 10, 0, 0, london),
			endOf: "2026-10-25T00:30:00Z",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := mustQuiet(t, tt.quiet)
			var ends []string
			prev := q.Contains(tt.from.In(london))
			for m := 1; m <= 48*60; m++ {
				now := tt.from.Add(time.Duration(m) * time.Minute).In(london)
				in := q.Contains(now)
				if prev && !in {
					ends = append(ends, now.UTC().Format(time.RFC3339))
				}
				prev = in
			}
			if diff := cmp.Diff(tt.ends, ends); diff != "" {
				t.Errorf("quiet hours end at (-want +got):\n%s", diff)
			}
			if got := q.EndOf(tt.t).UTC().Format(time.RFC3339); got != tt.endOf {
				t.Errorf("EndOf(%v) = %s, want %s", tt.t, got, tt.endOf)
			}
		})
	}
}

// EndOf against brute force: for every minute around the year's changes in
// several zones, the answer is outside quiet hours and every minute before
// it is inside.
func TestEndOfMatchesBruteForce(t *testing.T) {
	zones := []struct {
		name string
		days []string
	}{
		{"Europe/London", []string{"2026-03-28", "2026-10-24"}},
		{"America/New_York", []string{"2026-03-07", "2026-10-31"}},
		{"Australia/Lord_Howe", []string{"2026-04-04", "2026-10-03"}}, // 30-minute changes
		{"America/Santiago", []string{"2026-04-04", "2026-09-05"}},    // changes at midnight
		{"Asia/Tokyo", []string{"2026-06-01"}},
	}
	spans := []string{"20:00-09:00", "00:00-09:00", "23:00-01:30", "01:00-03:00", "22:00-00:00", "02:15-02:45"}
	for _, z := range zones {
		loc := mustLoad(t, z.name)
		for _, day := range z.days {
			for _, span := range spans {
				q := mustQuiet(t, span)
				start, _ := time.ParseInLocation("2006-01-02", day, loc)
				for m := 0; m < 48*60; m += 7 {
					now := start.Add(time.Duration(m) * time.Minute)
					got := q.EndOf(now)
					want := now
					for q.Contains(want) {
						want = want.Truncate(time.Minute).Add(time.Minute)
					}
					if !got.Equal(want) {
						t.Fatalf("%s %s %s: EndOf(%v) = %v, want %v", z.name, day, span, now, got, want)
					}
				}
			}
		}
	}
}
