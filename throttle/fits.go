package throttle

import (
	"slices"
	"time"

	"github.com/courtesyhq/courtesy"
)

// Fits applies the rule the Limiter's script applies in Redis to a send log
// held in memory: whether a message of campaignID, with this key, going at
// at, fits every window of limits next to the sends of log (an entry with
// the message's own key is the message itself, and left out). When it does
// not, the Reservation names the limit that binds longest and when it
// frees. The pipeline asks it once more at the claim, with the log the
// claim read, so a limit holds even when Redis lost the windows of a
// message that was on its way.
func Fits(limits []Scoped, campaignID, key string, at time.Time, log []courtesy.SentRecord) Reservation {
	var worst Reservation
	for _, l := range limits {
		scope, _ := l.Campaign()
		w := l.Limit.Window
		var s []time.Time // the sends this limit counts, near at
		for _, r := range log {
			if r.Key != key && (scope == "" || r.CampaignID == scope) && r.At.After(at.Add(-w)) && r.At.Before(at.Add(w)) {
				s = append(s, r.At)
			}
		}
		if len(s) < l.Limit.Count {
			continue
		}
		slices.SortFunc(s, time.Time.Compare)
		// Windows are [x, x+w). The fullest one holding the message starts
		// at the message or at an earlier send.
		full := false
		for _, x := range append([]time.Time{at}, s...) {
			if x.After(at) {
				break
			}
			n := 1
			for _, t := range s {
				if !t.Before(x) && t.Before(x.Add(w)) {
					n++
				}
			}
			if n > l.Limit.Count {
				full = true
				break
			}
		}
		if !full {
			continue
		}
		var past []time.Time
		var last time.Time
		for _, t := range s {
			if !t.After(at) {
				past = append(past, t)
			} else {
				last = t
			}
		}
		retry := last.Add(w)
		if len(past) >= l.Limit.Count {
			retry = past[len(past)-l.Limit.Count].Add(w)
		}
		if retry.After(worst.RetryAt) {
			worst = Reservation{Refused: l, RetryAt: retry.In(at.Location())}
		}
	}
	if worst.RetryAt.IsZero() {
		return Reservation{OK: true}
	}
	return worst
}
