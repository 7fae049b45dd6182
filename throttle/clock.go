package throttle

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ClockTime is a wall-clock time of day without a date or zone: "09:30".
type ClockTime struct {
	Hour, Minute int
}

// ParseClockTime reads "HH:MM" on a 24-hour clock, 00:00 to 23:59.
func ParseClockTime(s string) (ClockTime, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(h) < 1 || len(h) > 2 || len(m) != 2 ||
		hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return ClockTime{}, fmt.Errorf("%q is not a time of day", s)
	}
	return ClockTime{Hour: hh, Minute: mm}, nil
}

// String writes the time as "HH:MM".
func (t ClockTime) String() string { return fmt.Sprintf("%02d:%02d", t.Hour, t.Minute) }

// Minutes returns the minutes since midnight.
func (t ClockTime) Minutes() int { return t.Hour*60 + t.Minute }

// On returns this time of day on the date of day in loc (see Date).
func (t ClockTime) On(day time.Time, loc *time.Location) time.Time {
	y, m, d := day.In(loc).Date()
	return t.Date(y, m, d, loc)
}

// Date returns this time of day on the given date in loc. On a day with a
// daylight-saving change the result is fixed, where time.Date leaves it to
// the zone: a time the spring change skips moves forward by the gap (02:30
// becomes 03:30), and a time the autumn change repeats is its first
// instance. The day's date never changes.
func (t ClockTime) Date(y int, m time.Month, d int, loc *time.Location) time.Time {
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
