package throttle

import (
	"testing"
	"time"
)

func TestParseClockTime(t *testing.T) {
	for in, want := range map[string]ClockTime{"09:30": {9, 30}, "9:05": {9, 5}, "00:00": {0, 0}, "23:59": {23, 59}} {
		if got, err := ParseClockTime(in); err != nil || got != want {
			t.Errorf("ParseClockTime(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"25:00", "24:00", "12:60", "12", "noon", "12:5", ""} {
		if _, err := ParseClockTime(bad); err == nil {
			t.Errorf("ParseClockTime(%q) accepted", bad)
		}
	}
	if _, err := ParseClockTime("25:00"); err.Error() != `"25:00" is not a time of day` {
		t.Errorf("message = %q", err)
	}
}

func TestClockTimeDateOnDaylightSavingDays(t *testing.T) {
	tests := []struct {
		name, zone, at string
		y              int
		m              time.Month
		d              int
		want           string
	}{
		{"New York gap moves forward", "America/New_York", "02:30", 2026, time.March, 8, "2026-03-08T03:30:00-04:00"},
		{"London gap moves forward", "Europe/London", "01:30", 2026, time.March, 29, "2026-03-29T02:30:00+01:00"},
		{"New York repeat takes the first", "America/New_York", "01:30", 2026, time.November, 1, "2026-11-01T01:30:00-04:00"},
		{"London repeat takes the first", "Europe/London", "01:30", 2026, time.October, 25, "2026-10-25T01:30:00+01:00"},
		{"ordinary day", "Europe/London", "09:30", 2026, time.December, 1, "2026-12-01T09:30:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at, err := ParseClockTime(tt.at)
			if err != nil {
				t.Fatal(err)
			}
			if got := at.Date(tt.y, tt.m, tt.d, mustLoad(t, tt.zone)).Format(time.RFC3339); got != tt.want {
				t.Errorf("Date = %s, want %s", got, tt.want)
			}
		})
	}
}
