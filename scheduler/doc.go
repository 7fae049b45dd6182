// Package scheduler plans messages: at every tick it asks each enabled
// campaign who is due now, records one planned message per occurrence in the
// store and puts it on the queue: the messages of a campaign that are due
// now in batch tasks, a message due later in a task of its own. Only the holder of a Redis lease plans, so
// two running schedulers do not both work; if they ever did, the store's one
// row per idempotency key still keeps every message single. After planning,
// the holder runs the guardrail check, so it too runs once at a time.
//
// Planning is keyed by the recipient's local date, never by when the timer
// fires, so a daylight-saving day neither skips nor doubles a birthday.
package scheduler
