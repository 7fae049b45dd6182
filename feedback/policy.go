package feedback

import "time"

// Defaults for ShouldSuppress.
const (
	DefaultSoftLimit  = 3
	DefaultSoftWindow = 14 * 24 * time.Hour
)

// ShouldSuppress says whether an address should stop receiving mail after a
// report of this kind. A hard bounce or a complaint suppresses at once. Soft
// bounces suppress only once there have been softLimit of them (softCount
// counts this one) and they span at least softWindow from the first
// (firstSoft) to now: a mailbox full for a weekend is no reason to drop a
// customer, one full for a fortnight is. A softLimit or softWindow of zero
// or less means the default (3 over 14 days). Other kinds never suppress.
func ShouldSuppress(kind Kind, softCount int, firstSoft, now time.Time, softLimit int, softWindow time.Duration) bool {
	switch kind {
	case HardBounce, Complaint:
		return true
	case SoftBounce:
		if softLimit <= 0 {
			softLimit = DefaultSoftLimit
		}
		if softWindow <= 0 {
			softWindow = DefaultSoftWindow
		}
		return softCount >= softLimit && now.Sub(firstSoft) >= softWindow
	}
	return false
}
