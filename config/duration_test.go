package config

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		name, in string
		want     time.Duration
		wantErr  string
	}{
		{name: "days", in: "3d", want: 72 * time.Hour},
		{name: "weeks", in: "2w", want: 14 * Day},
		{name: "hours", in: "24h", want: 24 * time.Hour},
		{name: "minutes", in: "90m", want: 90 * time.Minute},
		{name: "combined", in: "1d12h", want: 36 * time.Hour},
		{name: "fraction", in: "1.5h", want: 90 * time.Minute},
		{name: "zero", in: "0", want: 0},
		{name: "year", in: "365d", want: 365 * Day},
		{name: "no unit", in: "3", wantErr: `"3" is not a duration (write it like 3d, 24h or 90m)`},
		{name: "unknown unit", in: "3y", wantErr: `"3y" is not a duration: unit "y" is not one of w, d, h, m, s`},
		{name: "negative", in: "-3d", wantErr: `"-3d" is not a duration (write it like 3d, 24h or 90m)`},
		{name: "empty", in: "", wantErr: `"" is not a duration (write it like 3d, 24h or 90m)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
			if back, err := ParseDuration(FormatDuration(got)); err != nil || back != got {
				t.Errorf("FormatDuration(%v) = %q does not read back", got, FormatDuration(got))
			}
		})
	}
}

func TestParseLimit(t *testing.T) {
	tests := []struct {
		in      string
		want    Limit
		wantErr bool
	}{
		{in: "1/24h", want: Limit{Count: 1, Window: 24 * time.Hour}},
		{in: "3/7d", want: Limit{Count: 3, Window: 7 * Day}},
		{in: " 1 / 365d ", want: Limit{Count: 1, Window: 365 * Day}},
		{in: "0/7d", wantErr: true},
		{in: "3", wantErr: true},
		{in: "x/7d", wantErr: true},
		{in: "3/0", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseLimit(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestQuietHours(t *testing.T) {
	q, err := ParseQuietHours("20:00-09:00")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(QuietHours{Start: TimeOfDay{20, 0}, End: TimeOfDay{9, 0}}, q); diff != "" {
		t.Errorf("ParseQuietHours (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"25:00-09:00", "20:00", "09:00-09:00", "9-5"} {
		if _, err := ParseQuietHours(bad); err == nil {
			t.Errorf("ParseQuietHours(%q) accepted", bad)
		}
	}
}

func TestParseTimeOfDay(t *testing.T) {
	for in, want := range map[string]TimeOfDay{"09:30": {9, 30}, "9:05": {9, 5}, "00:00": {0, 0}, "23:59": {23, 59}} {
		if got, err := ParseTimeOfDay(in); err != nil || got != want {
			t.Errorf("ParseTimeOfDay(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"25:00", "24:00", "12:60", "12", "noon", "12:5", ""} {
		if _, err := ParseTimeOfDay(bad); err == nil {
			t.Errorf("ParseTimeOfDay(%q) accepted", bad)
		}
	}
	if _, err := ParseTimeOfDay("25:00"); err.Error() != `"25:00" is not a time of day` {
		t.Errorf("message = %q", err)
	}
}

func TestTimeOfDayDateOnDaylightSavingDays(t *testing.T) {
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
			loc, err := time.LoadLocation(tt.zone)
			if err != nil {
				t.Fatal(err)
			}
			at, _ := ParseTimeOfDay(tt.at)
			if got := at.Date(tt.y, tt.m, tt.d, loc).Format(time.RFC3339); got != tt.want {
				t.Errorf("Date = %s, want %s", got, tt.want)
			}
		})
	}
}
