// Package worker runs the send pipeline: for each planned message it checks
// consent at send time, the campaign's state, the customer's own pauses,
// the control group, quiet hours and frequency limits, renders the message,
// checks its tone, claims the message's idempotency key and hands it to SMTP
// at most once, then records the decision.
//
// Messages due now arrive in batches (TypeBatch): the worker reads every
// message's send context in one query, reserves every customer's limits in
// one trip to Redis, streams the messages over the sender's connections and
// records their decisions together. Each stage has its file: decide.go (the
// checks before the limits), send.go (render, tone, the claim before the
// final "." and the last checks), failure.go (what an SMTP error means),
// batch.go (the stages in order, and the recording); every message ends
// with one verdict (result.go), and its place in the limits has one owner
// (reservation.go).
//
// Tasks arrive through asynq, which delivers at least once; the store's
// claim is what makes a message go out at most once. A message that must
// wait (quiet hours, a full window), or that the SMTP server refused for
// now, moves to a task of its own (TypeSend); the rest of its batch goes
// on. Errors returned to asynq say what the queue should do: a temporary
// SMTP failure is retried with backoff, a permanent one is wrapped in
// asynq.SkipRetry, and a message held back by a limit or quiet hours is not
// a failure at all: it is rescheduled for the time it may go.
package worker
