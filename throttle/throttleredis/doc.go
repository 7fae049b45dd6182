// Package throttleredis holds throttle's limits in Redis, so they apply
// across every worker on every machine that shares it: the per-customer
// Limiter, the provider's sending Rate, the shared SMTP Connections and the
// web pages' Counter. Each decision is one Lua script, so two workers can
// never both take the last slot.
//
// A Limiter keeps one Redis hash per customer: a field per message counted
// (its key, its time and campaign), and when the hash was last made
// complete from the store's send log. One Lua script reads the hash, checks
// every window of every scope ("global" and "campaign:<id>") and either adds
// the message or refuses it; fields are message keys, so a redelivered task
// re-reserving its key is not counted twice. When Redis has lost the hash (a
// restart without persistence, FLUSHDB, a failover) or never had it, the
// same script rebuilds it from the send log the caller passes along — read
// with the message, or by the Limiter when the caller has none — before it
// decides. A customer's windows live and die as one key, so they are never
// half lost, and the one key works on Redis Cluster. throttle.Fits applies
// the same rule to a send log in memory.
package throttleredis
