// Package courtesy holds the entities every part of courtesy speaks about:
// customers, their consent records and events, and the decision recorded for
// every planned message. It has no behaviour beyond small helpers on those
// values; the rules live in the domain packages and the I/O in the packages
// named for what they talk to.
package courtesy

import "time"

// Clock tells the time. Every rule that reads the time takes one, so tests
// can drive the calendar.
type Clock func() time.Time

// SystemClock is the wall clock.
func SystemClock() time.Time { return time.Now() }
