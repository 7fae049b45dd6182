package throttle

import "time"

// Schedule says when a message due at due may go, given the time now and the
// recipient's location and quiet hours: at due, or now if that has passed,
// moved to the end of the quiet hours when it falls inside them. If that is
// after notAfter — the last instant the message may still go; zero for no
// such instant — the message has expired; at is then when it would have
// gone. A nil loc means due's location.
func Schedule(due, notAfter, now time.Time, loc *time.Location, q QuietHours) (at time.Time, expired bool) {
	if loc == nil {
		loc = due.Location()
	}
	at = due
	if now.After(at) {
		at = now
	}
	at = q.EndOf(at.In(loc))
	if !notAfter.IsZero() && at.After(notAfter) {
		return at, true
	}
	return at, false
}
