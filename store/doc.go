// Package store is courtesy's memory: customers, the append-only consent
// ledger, events, one decision row per planned message, opt-outs, address
// suppressions, preferences, campaign state, survey answers and engagement.
//
// One implementation over database/sql serves two engines, chosen by the URL
// given to Open: SQLite (the single-machine default, "sqlite:///path/courtesy.db"
// or a bare file path) and PostgreSQL ("postgres://…") for several workers on
// several machines. Queries are written once with ? placeholders; the few
// differences between the engines live in sqlite.go and postgres.go (each
// engine's dialect, connections and machinery; dialect.go says what a
// dialect holds), and no other code asks which engine it runs on. Times are stored as
// microseconds since the Unix epoch in UTC, so comparisons mean the same on
// both engines; a zero time.Time is stored as 0 and read back as zero.
//
// Every row that names a customer is removed or made anonymous by
// EraseCustomer, which leaves only a keyed fingerprint of the address behind
// (fingerprint.go) so the person cannot be imported again by accident.
package store
