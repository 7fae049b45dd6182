package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Day and Week are the calendar units people write in limits and windows.
// They are fixed lengths (24 h and 7 days): a window is counted in elapsed
// time, not in local calendar days.
const (
	Day  = 24 * time.Hour
	Week = 7 * Day
)

// ParseDuration reads a duration such as "3d", "24h", "2w", "90m" or
// "1d12h". Units are w, d, h, m and s; fractions ("1.5h") are allowed. It
// rejects negative and empty durations.
func ParseDuration(s string) (time.Duration, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return 0, fmt.Errorf("%q is not a duration (write it like 3d, 24h or 90m)", s)
	}
	if in == "0" {
		return 0, nil
	}
	var total float64
	rest := in
	for rest != "" {
		i := 0
		for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9' || rest[i] == '.') {
			i++
		}
		if i == 0 || i == len(rest) {
			return 0, fmt.Errorf("%q is not a duration (write it like 3d, 24h or 90m)", s)
		}
		n, err := strconv.ParseFloat(rest[:i], 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration (write it like 3d, 24h or 90m)", s)
		}
		var unit time.Duration
		switch rest[i] {
		case 'w':
			unit = Week
		case 'd':
			unit = Day
		case 'h':
			unit = time.Hour
		case 'm':
			unit = time.Minute
		case 's':
			unit = time.Second
		default:
			return 0, fmt.Errorf("%q is not a duration: unit %q is not one of w, d, h, m, s", s, rest[i:i+1])
		}
		total += n * float64(unit)
		rest = rest[i+1:]
	}
	if total > float64(100*365*Day) {
		return 0, fmt.Errorf("%q is longer than a century", s)
	}
	return time.Duration(total), nil
}

// FormatDuration writes d in the largest whole unit ParseDuration reads
// back, days at most: "7d", "36h", "90m", "90s" — the unit people write.
func FormatDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d%Day == 0:
		return strconv.FormatInt(int64(d/Day), 10) + "d"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	case d%time.Second == 0:
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	return d.String()
}

// Duration is a time.Duration that reads "3d" and "2w" from YAML and text.
type Duration time.Duration

// String formats the duration as ParseDuration reads it.
func (d Duration) String() string { return FormatDuration(time.Duration(d)) }

// UnmarshalText reads the forms ParseDuration accepts.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes the form String returns.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalYAML reads a scalar the way UnmarshalText does.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: a duration must be a single value", n.Line)
	}
	return d.UnmarshalText([]byte(n.Value))
}

// Limit is "at most Count messages in any Window": "3/7d".
type Limit struct {
	Count  int
	Window time.Duration
}

// String writes the limit as ParseLimit reads it.
func (l Limit) String() string { return strconv.Itoa(l.Count) + "/" + FormatDuration(l.Window) }

// ParseLimit reads "N/duration", such as "1/24h", "3/7d" or "1/365d". The
// duration is one ParseDuration reads, of at least a second.
func ParseLimit(s string) (Limit, error) {
	n, d, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Limit{}, fmt.Errorf("%q is not a limit (write it like 3/7d: at most 3 in any 7 days)", s)
	}
	count, err := strconv.Atoi(strings.TrimSpace(n))
	if err != nil || count < 1 {
		return Limit{}, fmt.Errorf("%q is not a limit: the count must be a whole number of 1 or more", s)
	}
	w, err := ParseDuration(strings.TrimSpace(d))
	if err != nil {
		return Limit{}, fmt.Errorf("%q is not a limit: %w", s, err)
	}
	if w < time.Second {
		return Limit{}, fmt.Errorf("%q is not a limit: the window must be at least 1s", s)
	}
	return Limit{Count: count, Window: w}, nil
}

// TimeOfDay is a wall-clock time without a date or zone: "09:30".
type TimeOfDay struct {
	Hour, Minute int
}

// ParseTimeOfDay reads "HH:MM" on a 24-hour clock, 00:00 to 23:59.
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(h) < 1 || len(h) > 2 || len(m) != 2 ||
		hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return TimeOfDay{}, fmt.Errorf("%q is not a time of day", s)
	}
	return TimeOfDay{Hour: hh, Minute: mm}, nil
}

// String writes the time as "HH:MM".
func (t TimeOfDay) String() string { return fmt.Sprintf("%02d:%02d", t.Hour, t.Minute) }

// Minutes returns the minutes since midnight.
func (t TimeOfDay) Minutes() int { return t.Hour*60 + t.Minute }

// On returns this time of day on the date of day in loc (see Date).
func (t TimeOfDay) On(day time.Time, loc *time.Location) time.Time {
	y, m, d := day.In(loc).Date()
	return t.Date(y, m, d, loc)
}

// Date returns this time of day on the given date in loc. On a day with a
// daylight-saving change the result is fixed, where time.Date leaves it to
// the zone: a time the spring change skips moves forward by the gap (02:30
// becomes 03:30), and a time the autumn change repeats is its first
// instance. The day's date never changes.
func (t TimeOfDay) Date(y int, m time.Month, d int, loc *time.Location) time.Time {
	guess := time.Date(y, m, d, t.Hour, t.Minute, 0, 0, loc)
	_, before := guess.Add(-6 * time.Hour).Zone()
	_, after := guess.Add(6 * time.Hour).Zone()
	if before == after {
		return guess // no change near this time
	}
	wall := time.Date(y, m, d, t.Hour, t.Minute, 0, 0, time.UTC)
	for _, off := range []int{before, after} {
		c := wall.Add(-time.Duration(off) * time.Second).In(loc)
		if c.Hour() == t.Hour && c.Minute() == t.Minute {
			return c // with the earlier offset first, this is the first instance
		}
	}
	// In the gap: the offset before it carries the clock past it.
	return wall.Add(-time.Duration(before) * time.Second).In(loc)
}

// QuietHours is a daily span of local time in which nothing is sent. It may
// wrap past midnight ("20:00-09:00"). It is what the file says;
// throttle.QuietHours applies it.
type QuietHours struct {
	Start, End TimeOfDay
}

// ParseQuietHours reads "HH:MM-HH:MM".
func ParseQuietHours(s string) (QuietHours, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		return QuietHours{}, fmt.Errorf("%q is not a span of hours (write it like 20:00-09:00)", s)
	}
	start, err1 := ParseTimeOfDay(a)
	end, err2 := ParseTimeOfDay(b)
	if err1 != nil || err2 != nil {
		return QuietHours{}, fmt.Errorf("%q is not a span of hours (write it like 20:00-09:00)", s)
	}
	if start == end {
		return QuietHours{}, fmt.Errorf("%q starts and ends at the same time", s)
	}
	return QuietHours{Start: start, End: end}, nil
}

// IsZero reports whether no quiet hours are set.
func (q QuietHours) IsZero() bool { return q == QuietHours{} }

// String writes the span as ParseQuietHours reads it.
func (q QuietHours) String() string {
	if q.IsZero() {
		return ""
	}
	return q.Start.String() + "-" + q.End.String()
}
