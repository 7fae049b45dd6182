// Package throttle decides when a message may go: not too often, not at
// night, not late. Its rules (limits, quiet hours, scheduling) are plain
// functions over values and an injected time; its Limiter and Rate hold those
// rules across many workers on many machines through Redis.
//
// A Limiter keeps, per customer, one sorted set per scope ("global" and
// "campaign:<id>"), whose members are message keys scored by send time. One
// Lua script checks every window of every scope and either adds the message
// to all of them or to none, so two workers can never both take the last
// slot. Members are message keys, so a redelivered task re-reserving its key
// is not counted twice. When Redis has lost a customer's windows (a restart
// without persistence, FLUSHDB, a failover) a marker key is missing, and the
// windows are rebuilt from the store's send log before anything is decided.
//
// All of one customer's keys share the hash tag {customerID}, so the script
// touches a single slot and works on Redis Cluster.
package throttle
