package locale

import "time"

// Limit words a frequency limit: "at most 3 messages a week from us",
// "höchstens 1 Nachricht dieser Art pro Jahr". scope is whose limit it is:
// "global" (the business's, every campaign together), "campaign" (one
// campaign's own) or "preference" (the reader's own choice); any other is
// worded as global.
func (w Words) Limit(scope string, count int, window time.Duration) string {
	switch scope {
	case "campaign", "preference":
	default:
		scope = "global"
	}
	form := "other"
	if count == 1 {
		form = "one"
	}
	return w.T("limit."+scope+"."+form, count, w.Period(window))
}

// Period words how often a window comes round: "a day", "a week",
// "every 36 hours", in the unit the window is a whole number of.
func (w Words) Period(d time.Duration) string {
	const day = 24 * time.Hour
	switch d {
	case time.Hour:
		return w.T("period.hour")
	case day:
		return w.T("period.day")
	case 7 * day:
		return w.T("period.week")
	case 30 * day:
		return w.T("period.month")
	case 365 * day:
		return w.T("period.year")
	}
	switch {
	case d%day == 0:
		return w.T("period.days", int(d/day))
	case d%time.Hour == 0:
		return w.T("period.hours", int(d/time.Hour))
	case d%time.Minute == 0:
		return w.T("period.minutes", int(d/time.Minute))
	}
	return w.T("period.seconds", int(d.Round(time.Second)/time.Second))
}
