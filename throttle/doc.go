// Package throttle decides when a message may go: not too often, not at
// night, not late. Its rules — limits ("3/7d") and how they combine, quiet
// hours, clock times, scheduling, whether a message fits a send log — are
// plain functions over values and an injected time; it does no I/O.
//
// The config and campaign files decode into its types (Limit, QuietHours,
// ClockTime). Package throttleredis holds the same limits across many
// workers on many machines through Redis.
package throttle
