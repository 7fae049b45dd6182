package feedback

import (
	"bytes"
	"testing"
	"time"
)

func TestShouldSuppress(t *testing.T) {
	day := 24 * time.Hour
	first := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		kind      Kind
		softCount int
		now       time.Time
		limit     int
		window    time.Duration
		want      bool
	}{
		{"hard bounce at once", HardBounce, 0, first, 0, 0, true},
		{"complaint at once", Complaint, 0, first, 0, 0, true},
		{"first soft bounce", SoftBounce, 1, first, 0, 0, false},
		{"three soft in two days", SoftBounce, 3, first.Add(2 * day), 0, 0, false},
		{"two soft over a month", SoftBounce, 2, first.Add(30 * day), 0, 0, false},
		{"three soft over exactly 14 days", SoftBounce, 3, first.Add(14 * day), 0, 0, true},
		{"four soft over 20 days", SoftBounce, 4, first.Add(20 * day), 0, 0, true},
		{"custom limit and window", SoftBounce, 2, first.Add(3 * day), 2, 3 * day, true},
		{"custom window not yet spanned", SoftBounce, 5, first.Add(2 * day), 2, 3 * day, false},
		{"delivered never suppresses", Delivered, 10, first.Add(100 * day), 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ShouldSuppress(tt.kind, tt.softCount, first, tt.now, tt.limit, tt.window)
			if got != tt.want {
				t.Errorf("ShouldSuppress = %v, want %v", got, tt.want)
			}
		})
	}
}

// A 4.2.2 DSN three times over 15 days is suppressed after the threshold,
// not before.
func TestMailboxFullThreeTimesOverFifteenDays(t *testing.T) {
	raw := readFixture(t, "dsn-soft-4.2.2.eml")
	start := time.Date(2026, 3, 11, 13, 5, 44, 0, time.UTC)
	arrivals := []struct {
		at   time.Time
		want bool
	}{
		{start, false},
		{start.AddDate(0, 0, 7), false},
		{start.AddDate(0, 0, 15), true},
	}
	var first time.Time
	for i, a := range arrivals {
		reports, err := ParseMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if len(reports) != 1 || reports[0].Kind != SoftBounce || reports[0].Status != "4.2.2" {
			t.Fatalf("reports = %+v, want one 4.2.2 soft bounce", reports)
		}
		if i == 0 {
			first = a.at
		}
		got := ShouldSuppress(reports[0].Kind, i+1, first, a.at, DefaultSoftLimit, DefaultSoftWindow)
		if got != a.want {
			t.Errorf("bounce %d on day %d: suppress = %v, want %v", i+1, int(a.at.Sub(first)/(24*time.Hour)), got, a.want)
		}
	}
}
