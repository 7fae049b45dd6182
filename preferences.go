package courtesy

import "time"

// Preferences are the limits a customer set for themselves in the
// preference center; they can only make courtesy send less.
type Preferences struct {
	CustomerID   string
	PausedUntil  time.Time // nothing is sent before this time
	MaxPerWindow string    // "" or a limit such as "1/7d"
	UpdatedAt    time.Time
}
