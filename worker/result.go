package worker

import (
	"time"

	"github.com/courtesyhq/courtesy"
)

// verdict is what a stage of the pipeline concluded about one message.
// Every message of a task ends with one that is not goOn, and that verdict
// alone says what is recorded and what the queue does next.
type verdict struct {
	kind verdictKind
	// decision is what to record: the final decision (decided), or the
	// deferral with its reason (deferred).
	decision courtesy.Decision
	// at is when a deferred message may go.
	at time.Time
	// err is why a message is retried or stalled, or, for a decided one,
	// the error its task reports (a permanent SMTP failure).
	err error
}

type verdictKind int

const (
	// goOn: nothing is concluded yet; the next stage decides.
	goOn verdictKind = iota
	// decided: a final decision, recorded.
	decided
	// deferred: the message waits until at; recorded as deferred and
	// queued for then in a task of its own.
	deferred
	// retry: the SMTP server did not take the message and may later; its
	// claim is released (recorded deferred:retry) and it is tried again.
	retry
	// stalled: the message could not be decided now (the store or Redis
	// failed); nothing is recorded and it is tried again.
	stalled
	// settled: nothing to record: another attempt decided the message, or
	// an earlier one did.
	settled
)

func decide(d courtesy.Decision) verdict { return verdict{kind: decided, decision: d} }

func suppressed(reason string) verdict {
	return decide(courtesy.Decision{Outcome: courtesy.Suppressed, Reason: reason})
}

func deferUntil(at time.Time, reason string) verdict {
	return verdict{kind: deferred, decision: courtesy.Decision{Outcome: courtesy.Deferred, Reason: reason}, at: at}
}

func stall(err error) verdict { return verdict{kind: stalled, err: err} }

// keepsSlot reports whether the message went, or may have: its place in
// the customer's windows stays taken.
func (v verdict) keepsSlot() bool {
	return v.kind == decided && (v.decision.Outcome == courtesy.Sent ||
		(v.decision.Outcome == courtesy.Failed && v.decision.Reason == courtesy.ReasonUnknownOutcome))
}
