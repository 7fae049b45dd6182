package report

import (
	"context"
	"fmt"
	"time"

	"github.com/courtesyhq/courtesy"
)

// SignupCounter says how many sign-ups were started on each day, keyed
// "2006-01-02": they are counted where they arrive, never stored, since
// nothing about a sign-up is kept until it is confirmed.
type SignupCounter interface {
	PerDay(ctx context.Context, from, until time.Time) (map[string]int, error)
}

// Signups are the sign-ups of the period: started (a valid form sent, a
// confirmation asked for) and confirmed (the person pressed Confirm).
type Signups struct {
	// Counted is false when no count of started sign-ups was at hand: then
	// Started is 0 and there is no rate.
	Counted   bool `json:"counted"`
	Started   int  `json:"started"`
	Confirmed int  `json:"confirmed"`
	// Rate is confirmed ÷ started. A confirmation of a sign-up started
	// before the period counts in it too, so the count is capped at
	// Started.
	Rate Rate `json:"confirmation_rate"`
}

// signups counts the period's sign-ups into r and its days.
func (d *data) signups(ctx context.Context, src Source, o Options, r *Report) error {
	confirmed, err := src.EventsBetween(ctx, courtesy.Signup, o.Since, o.Until)
	if err != nil {
		return fmt.Errorf("sign-ups confirmed: %w", err)
	}
	day := dayIndex(r.Days, o.Location)
	for _, e := range confirmed {
		if dd := day(e.OccurredAt); dd != nil {
			dd.SignupsConfirmed++
		}
	}
	s := Signups{Confirmed: len(confirmed)}
	if o.Started != nil {
		started, err := o.Started.PerDay(ctx, o.Since, o.Until)
		if err != nil {
			return fmt.Errorf("sign-ups started: %w", err)
		}
		s.Counted = true
		for i := range r.Days {
			n := started[r.Days[i].Date]
			r.Days[i].SignupsStarted = n
			s.Started += n
		}
		s.Rate = rateOf(min(s.Confirmed, s.Started), s.Started, MinGroup)
	}
	r.Signups = s
	return nil
}

// dayIndex finds the day of the series a time falls on, or nil.
func dayIndex(days []Day, loc *time.Location) func(time.Time) *Day {
	index := make(map[string]int, len(days))
	for i, d := range days {
		index[d.Date] = i
	}
	return func(t time.Time) *Day {
		if i, ok := index[t.In(loc).Format(time.DateOnly)]; ok {
			return &days[i]
		}
		return nil
	}
}

// SignupText says the period's sign-ups in a line.
func SignupText(s Signups) string {
	if !s.Counted {
		return fmt.Sprintf("%d confirmed (sign-ups started were not counted: Redis was not reachable)", s.Confirmed)
	}
	return fmt.Sprintf("%d started, %d confirmed; confirmation rate %s", s.Started, s.Confirmed, RateText(s.Rate))
}
