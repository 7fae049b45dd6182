package consent

import (
	"fmt"
	"sort"
	"time"

	"github.com/courtesyhq/courtesy"
)

// State is what the ledger says about one purpose at one moment.
type State struct {
	Granted bool
	// Relied is the record the state rests on: the grant relied upon when
	// Granted, the withdrawal or lapsed grant when not. Zero when the ledger
	// holds nothing about the purpose.
	Relied courtesy.ConsentRecord
	// Reason says it in plain words, for the decision log and the "why" page.
	Reason string
}

// Current returns the state of purpose for the customer whose ledger records
// are given (in any order), as of now. See the package documentation for the
// rule.
func Current(records []courtesy.ConsentRecord, purpose string, now time.Time) State {
	var own, global *courtesy.ConsentRecord
	for i := range records {
		r := &records[i]
		if r.RecordedAt.After(now) {
			continue
		}
		switch r.Purpose {
		case purpose:
			if own == nil || later(*r, *own) {
				own = r
			}
		case courtesy.AllPurposes:
			if global == nil || later(*r, *global) {
				global = r
			}
		}
	}
	if purpose == courtesy.AllPurposes {
		global = nil // asking about the objection itself: its own records answer
	}
	if global != nil && global.Status == courtesy.Withdrawn && (own == nil || later(*global, *own)) {
		return State{Relied: *global, Reason: fmt.Sprintf("all messages stopped on %s (%s)", day(global.RecordedAt), source(*global))}
	}
	if own == nil {
		return State{Reason: fmt.Sprintf("no consent recorded for %q", purpose)}
	}
	if own.Status != courtesy.Granted {
		return State{Relied: *own, Reason: fmt.Sprintf("%q withdrawn on %s (%s)", purpose, day(own.RecordedAt), source(*own))}
	}
	if own.Basis == "implied" && !own.ExpiresAt.IsZero() && !now.Before(own.ExpiresAt) {
		return State{Relied: *own, Reason: fmt.Sprintf("implied consent to %q lapsed on %s", purpose, day(own.ExpiresAt))}
	}
	basis := own.Basis
	if basis == "" {
		basis = "consent"
	}
	return State{Granted: true, Relied: *own, Reason: fmt.Sprintf("%q granted on %s (%s, %s)", purpose, day(own.RecordedAt), basis, source(*own))}
}

// Sorted returns the records in ledger order: RecordedAt, then ID.
func Sorted(records []courtesy.ConsentRecord) []courtesy.ConsentRecord {
	out := append([]courtesy.ConsentRecord(nil), records...)
	sort.SliceStable(out, func(i, j int) bool { return later(out[j], out[i]) })
	return out
}

// later reports whether a comes after b in the ledger.
func later(a, b courtesy.ConsentRecord) bool {
	if !a.RecordedAt.Equal(b.RecordedAt) {
		return a.RecordedAt.After(b.RecordedAt)
	}
	return a.ID > b.ID
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

func source(r courtesy.ConsentRecord) string {
	if r.Source == "" {
		return "source not recorded"
	}
	return "via " + r.Source
}
