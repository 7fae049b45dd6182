package campaigns

import (
	"strconv"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/throttle"
)

// Occurrence is one time a campaign is due for one customer. Its ID is the
// last part of the message key: the year for a birthday, "i<item id>" for a
// reminder, "o<order id>" (or "e<event id>" when the purchase has no order
// id) for a survey.
type Occurrence struct {
	ID       string
	Due      time.Time // not sent before
	NotAfter time.Time // dropped, as expired, from this instant on
}

// Open reports whether the occurrence may be sent at now: Due <= now < NotAfter.
func (o Occurrence) Open(now time.Time) bool {
	return !now.Before(o.Due) && now.Before(o.NotAfter)
}

func (c *Campaign) location(loc *time.Location) *time.Location {
	switch {
	case loc != nil:
		return loc
	case c.loc != nil:
		return c.loc
	}
	return time.UTC
}

// BirthdayOccurrence is this year's birthday occurrence for customer cu, when
// today, in loc (the customer's zone), is their birthday; 29 February falls
// on 28 February in other years. The occurrence is keyed by the local date,
// never by when a clock fires, so a day with a daylight-saving change
// neither skips nor doubles it: Due is send.at on that date, a time the
// spring change skips (02:30) moved forward by the gap (03:30), a time the
// autumn change repeats taken at its first instance (throttle.ClockTime.Date).
// NotAfter is the earliest of Due+send.window, Due+expires and the end of the
// local birthday.
//
// o.ID is "" when today is not the birthday; otherwise o is filled, and ok
// tells whether it is open at now (so a planner may also schedule it ahead).
// A nil loc is the business's time zone.
func (c *Campaign) BirthdayOccurrence(cu courtesy.Customer, now time.Time, loc *time.Location) (o Occurrence, ok bool) {
	if c.Kind != Birthday || cu.Birthday.IsZero() {
		return Occurrence{}, false
	}
	loc = c.location(loc)
	y, m, d := now.In(loc).Date()
	if bm, bd := cu.Birthday.In(y); bm != m || bd != d {
		return Occurrence{}, false
	}
	o.ID = strconv.Itoa(y)
	o.Due = c.Send.At.Date(y, m, d, loc)
	next := time.Date(y, m, d+1, 12, 0, 0, 0, loc)
	o.NotAfter = throttle.ClockTime{}.Date(next.Year(), next.Month(), next.Day(), loc) // the end of the local day
	if c.Send.Window > 0 {
		o.NotAfter = earliest(o.NotAfter, o.Due.Add(c.Send.Window))
	}
	o.NotAfter = earliest(o.NotAfter, o.Due.Add(c.Expires))
	return o, o.Open(now)
}

// EventOccurrence is the occurrence an event starts: an interest event for
// an interest_reminder, a purchase for an nps_survey, a confirmed sign-up
// for a welcome. Due is the event's
// time plus trigger.after, moved on to the next send.at in loc (the
// customer's zone) when the campaign sets one. NotAfter is Due+expires and,
// when send.window is set, no later than the window's end that day. o.ID is
// "" when the event does not start this campaign; ok tells whether the
// occurrence is open at now. A nil loc is the business's time zone.
func (c *Campaign) EventOccurrence(e courtesy.Event, now time.Time, loc *time.Location) (o Occurrence, ok bool) {
	switch {
	case c.Kind == InterestReminder && e.Type == courtesy.Interest:
		// One reminder per saved item, ever: saving it again brings none.
		if e.ItemID != "" {
			o.ID = "i" + e.ItemID
		} else {
			o.ID = "e" + strconv.FormatInt(e.ID, 10)
		}
	case c.Kind == NPSSurvey && e.Type == courtesy.Purchase:
		// One survey per order, however many times the order is imported.
		if e.OrderID != "" {
			o.ID = "o" + e.OrderID
		} else {
			o.ID = "e" + strconv.FormatInt(e.ID, 10)
		}
	case c.Kind == Welcome && e.Type == courtesy.Signup:
		// Once per customer, ever: signing up again brings no second one.
		o.ID = "welcome"
	default:
		return Occurrence{}, false
	}
	loc = c.location(loc)
	o.Due = e.OccurredAt.Add(c.Trigger.After)
	if c.Send.HasAt {
		at := c.Send.At.On(o.Due, loc)
		if at.Before(o.Due) {
			y, m, d := o.Due.In(loc).Date()
			next := time.Date(y, m, d+1, 12, 0, 0, 0, loc) // noon: never in a daylight-saving gap
			at = c.Send.At.Date(next.Year(), next.Month(), next.Day(), loc)
		}
		o.Due = at
	}
	o.NotAfter = o.Due.Add(c.open())
	return o, o.Open(now)
}

// open is how long an event's occurrence stays open once due: until it
// expires or its send window closes, whichever is first.
func (c *Campaign) open() time.Duration {
	if c.Send.Window > 0 && c.Send.Window < c.Expires {
		return c.Send.Window
	}
	return c.Expires
}

// EventsFrom is the earliest an event can have occurred and still have an
// open occurrence at now: it is due trigger.after later, moved to the next
// send time (at most a day), and open for as long as open says. A planner
// need not read events older than that.
func (c *Campaign) EventsFrom(now time.Time) time.Time {
	return now.Add(-c.Trigger.After - c.open() - 25*time.Hour)
}

// BirthdayDays are the month-days that are "today" somewhere on Earth at
// now (from UTC-12 to UTC+14): the birthdays a planner must look at. When
// 28 February is among them in a year without a 29th, 29 February is too.
func BirthdayDays(now time.Time) []courtesy.MonthDay {
	now = now.UTC()
	var out []courtesy.MonthDay
	seen := map[courtesy.MonthDay]bool{}
	add := func(md courtesy.MonthDay) {
		if !seen[md] {
			seen[md] = true
			out = append(out, md)
		}
	}
	for _, t := range []time.Time{now.Add(-12 * time.Hour), now, now.Add(14 * time.Hour)} {
		y, m, d := t.Date()
		add(courtesy.MonthDay{Month: m, Day: d})
		if feb29 := (courtesy.MonthDay{Month: time.February, Day: 29}); m == time.February && d == 28 {
			if fm, fd := feb29.In(y); fm == m && fd == d {
				add(feb29)
			}
		}
	}
	return out
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
