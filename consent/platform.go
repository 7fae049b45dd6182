package consent

import "github.com/courtesyhq/courtesy"

// PlatformRecordApplies reports whether a record made from a shop platform's
// marketing flag belongs in the customer's ledger. A platform repeats its
// flag with every order and knows nothing of a withdrawal made through
// courtesy's own links, so its record counts only when it is newer than the
// ledger's latest word on the purpose (a grant also newer than a "stop
// everything") and says something that word does not say already.
func PlatformRecordApplies(ledger []courtesy.ConsentRecord, r courtesy.ConsentRecord) bool {
	var own, global *courtesy.ConsentRecord
	for i := range ledger {
		l := &ledger[i]
		switch l.Purpose {
		case r.Purpose:
			if own == nil || later(*l, *own) {
				own = l
			}
		case courtesy.AllPurposes:
			if global == nil || later(*l, *global) {
				global = l
			}
		}
	}
	if own != nil && (own.Status == r.Status || !r.RecordedAt.After(own.RecordedAt)) {
		return false
	}
	if r.Status == courtesy.Granted && global != nil && global.Status == courtesy.Withdrawn &&
		!r.RecordedAt.After(global.RecordedAt) {
		return false
	}
	return true
}
