package throttle

import (
	"fmt"
	"strings"
	"time"
)

// QuietHours is a daily span of the recipient's local time in which nothing
// is sent. It may wrap past midnight ("20:00-09:00"). The zero value is no
// quiet hours at all.
type QuietHours struct {
	Start, End ClockTime
}

// ParseQuietHours reads "HH:MM-HH:MM", such as "20:00-09:00"; an empty
// string is no quiet hours. A span that starts and ends at the same time is
// refused: it would read as none.
func ParseQuietHours(s string) (QuietHours, error) {
	if strings.TrimSpace(s) == "" {
		return QuietHours{}, nil
	}
	a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		return QuietHours{}, fmt.Errorf("%q is not a span of hours (write it like 20:00-09:00)", s)
	}
	start, err1 := ParseClockTime(a)
	end, err2 := ParseClockTime(b)
	if err1 != nil || err2 != nil {
		return QuietHours{}, fmt.Errorf("%q is not a span of hours (write it like 20:00-09:00)", s)
	}
	if start == end {
		return QuietHours{}, fmt.Errorf("%q starts and ends at the same time", s)
	}
	return QuietHours{Start: start, End: end}, nil
}

// IsZero reports whether there are no quiet hours.
func (q QuietHours) IsZero() bool { return q.Start == q.End }

// String writes the span as ParseQuietHours reads it, or "" for none.
func (q QuietHours) String() string {
	if q.IsZero() {
		return ""
	}
	return q.Start.String() + "-" + q.End.String()
}

// Contains reports whether the wall clock of t, in t's location, reads a
// time inside the quiet hours. The start is inside, the end is not.
//
// It is the wall clock that counts, because that is what the recipient
// sees: on the night clocks go back, an hour that happens twice is quiet
// (or not) both times.
func (q QuietHours) Contains(t time.Time) bool {
	if q.IsZero() {
		return false
	}
	m := t.Hour()*60 + t.Minute()
	s, e := q.Start.Minutes(), q.End.Minutes()
	if s < e {
		return m >= s && m < e
	}
	return m >= s || m < e
}

// EndOf returns the first instant at or after t that is outside the quiet
// hours: t itself when it is outside them. It works on t's local date, so on
// a daylight-saving day the quiet hours end once, when the recipient's clock
// reads End — or, if the change skips that reading, the moment the clock
// jumps past it.
func (q QuietHours) EndOf(t time.Time) time.Time {
	if !q.Contains(t) {
		return t
	}
	y, m, d := t.Date()
	if q.Start.Minutes() > q.End.Minutes() && t.Hour()*60+t.Minute() >= q.Start.Minutes() {
		// Wrapping quiet hours entered this evening end tomorrow morning.
		y, m, d = time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC).Date()
	}
	return wallClock(y, m, d, q.End, t.Location(), t)
}

// wallClock returns the first instant at or after notBefore at which the
// clock in loc reads the date and time given. When a daylight-saving change
// skips that reading it returns the instant of the jump; when the reading
// happens twice it returns the earlier one that is not before notBefore.
//
// time.Date alone does not do: it promises one of the two answers on such
// days, not which.
func wallClock(y int, mo time.Month, d int, c ClockTime, loc *time.Location, notBefore time.Time) time.Time {
	guess := time.Date(y, mo, d, c.Hour, c.Minute, 0, 0, loc)
	naive := time.Date(y, mo, d, c.Hour, c.Minute, 0, 0, time.UTC)
	reads := func(u time.Time) bool {
		u = u.In(loc)
		uy, um, ud := u.Date()
		return uy == y && um == mo && ud == d && u.Hour() == c.Hour && u.Minute() == c.Minute && u.Second() == 0
	}

	// The reading can only carry the offset of guess's zone or of the zones
	// either side of it.
	_, off := guess.Zone()
	offsets := []int{off}
	start, end := guess.ZoneBounds()
	if !start.IsZero() {
		_, o := start.Add(-time.Second).Zone()
		offsets = append(offsets, o)
	}
	if !end.IsZero() {
		_, o := end.Zone()
		offsets = append(offsets, o)
	}
	var best time.Time
	found := false
	for _, o := range offsets {
		u := naive.Add(-time.Duration(o) * time.Second)
		if !reads(u) || u.Before(notBefore) {
			continue
		}
		if !found || u.Before(best) {
			best, found = u, true
		}
	}
	if found {
		return best.In(loc)
	}

	// A gap: the clock never reads c on that day. It jumps over it at the
	// boundary of guess's zone, on the side guess landed.
	gy, gm, gd := guess.Date()
	if time.Date(gy, gm, gd, guess.Hour(), guess.Minute(), guess.Second(), 0, time.UTC).After(naive) {
		if !start.IsZero() && !start.Before(notBefore) {
			return start.In(loc)
		}
	} else if !end.IsZero() && !end.Before(notBefore) {
		return end.In(loc)
	}
	return guess
}
