// Package worker runs the send pipeline: for one planned message it checks
// consent at send time, the campaign's state, the customer's own pauses,
// the control group, quiet hours and frequency limits, renders the message,
// checks its tone, claims the message's idempotency key and hands it to SMTP
// at most once, then records the decision.
//
// Tasks arrive through asynq, which delivers at least once; the store's
// claim is what makes a message go out at most once. Errors returned to
// asynq say what the queue should do: a temporary SMTP failure is retried
// with backoff, a permanent one is wrapped in asynq.SkipRetry, and a message
// held back by a limit or quiet hours is not a failure at all: it is
// rescheduled as a new task for the time it may go.
package worker
