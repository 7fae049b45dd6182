package courtesy

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Customer is a person a business may write to. Only what the messages need
// is kept: a birthday is a month and a day, never a year.
type Customer struct {
	ID        string
	Email     string
	FirstName string
	LastName  string
	Birthday  MonthDay // zero when unknown
	Timezone  string   // IANA name; empty means the business's time zone
	Locale    string   // BCP 47 tag such as "en-GB"; empty means the business default
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Location returns the customer's time zone, or fallback when the customer
// has none or it does not load.
func (c Customer) Location(fallback *time.Location) *time.Location {
	if c.Timezone == "" {
		return fallback
	}
	if loc := LoadLocation(c.Timezone); loc != nil {
		return loc
	}
	return fallback
}

// locations caches loaded time zones: time.LoadLocation reads and parses
// the zone file on every call, which the send path would otherwise do for
// every message. Zones are few, so the cache stays small.
var locations sync.Map // name → *time.Location, or nil for a name that does not load

// LoadLocation returns the named IANA time zone, or nil when it does not
// load. Each name is read from the system once.
func LoadLocation(name string) *time.Location {
	if v, ok := locations.Load(name); ok {
		loc, _ := v.(*time.Location)
		return loc
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		loc = nil
	}
	locations.Store(name, loc)
	return loc
}

// MonthDay is a day of the year without a year: what a birthday needs.
type MonthDay struct {
	Month time.Month
	Day   int
}

// IsZero reports whether the month-day is unset.
func (md MonthDay) IsZero() bool { return md.Month == 0 }

// String formats the month-day as MM-DD, or "" when unset.
func (md MonthDay) String() string {
	if md.IsZero() {
		return ""
	}
	return fmt.Sprintf("%02d-%02d", int(md.Month), md.Day)
}

// In returns the date this month-day falls on in the given year. 29 February
// falls on 28 February in a year that has no 29th.
func (md MonthDay) In(year int) (time.Month, int) {
	if md.Month == time.February && md.Day == 29 && !isLeap(year) {
		return time.February, 28
	}
	return md.Month, md.Day
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// ParseMonthDay reads "MM-DD" or "YYYY-MM-DD" and keeps the month and day
// only. An empty string is the zero MonthDay.
func ParseMonthDay(s string) (MonthDay, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return MonthDay{}, nil
	}
	parts := strings.Split(s, "-")
	year := 2000 // a leap year, so 02-29 is accepted without a year
	switch len(parts) {
	case 2:
	case 3:
		y, err := strconv.Atoi(parts[0])
		if err != nil || len(parts[0]) != 4 {
			return MonthDay{}, fmt.Errorf("%q is not a date (want MM-DD or YYYY-MM-DD)", s)
		}
		year = y
		parts = parts[1:]
	default:
		return MonthDay{}, fmt.Errorf("%q is not a date (want MM-DD or YYYY-MM-DD)", s)
	}
	m, err1 := strconv.Atoi(parts[0])
	d, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil || len(parts[0]) != 2 || len(parts[1]) != 2 {
		return MonthDay{}, fmt.Errorf("%q is not a date (want MM-DD or YYYY-MM-DD)", s)
	}
	t := time.Date(year, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if m < 1 || m > 12 || t.Month() != time.Month(m) || t.Day() != d {
		return MonthDay{}, fmt.Errorf("%q is not a day of the calendar", s)
	}
	return MonthDay{Month: time.Month(m), Day: d}, nil
}

// PlatformID is a customer's id on a shop platform.
type PlatformID struct {
	Platform string
	ID       string
}

// Erased is what erasing a customer took from the store that other systems may
// still hold under the customer's name.
type Erased struct {
	// MessageKeys are the keys the customer's messages had before they were
	// made anonymous: queued tasks and frequency windows name them.
	MessageKeys []string
}
