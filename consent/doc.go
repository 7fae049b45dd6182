// Package consent holds the rules of courtesy's consent: which purposes a
// business may write about, what a customer's append-only ledger says about
// each of them now, and the signed tokens that put every link in a message
// under the customer's control.
//
// # The ledger rule
//
// Current reads the ledger as of a moment. Records made after that moment do
// not count, so a preview or a simulation "as of" a past time sees what was
// true then. Among the records that count:
//
//   - the latest record for a purpose is the customer's word on it;
//   - a withdrawal of courtesy.AllPurposes ("stop everything") is a word on
//     every purpose: it suppresses each one whose own latest record is older.
//     A later grant of AllPurposes lifts the objection, and each purpose goes
//     back to what its own records say. A later grant of one purpose — the
//     customer turning it back on in the preference page — counts for that
//     purpose alone;
//   - a grant of AllPurposes never grants a purpose by itself;
//   - implied consent (Basis "implied") past its ExpiresAt is no consent.
//
// Records are ordered by RecordedAt, then by ID, so two records made in the
// same microsecond still have a latest.
//
// # Links
//
// Every link in a message carries a token: an HMAC-SHA256 over the key id,
// the action, the customer, the purpose, the message key and the issue time,
// all packed with the tag into one base64url string. Several keys may be
// configured, newest first: the newest signs, every listed key verifies, so a
// key can be rotated without breaking the links already delivered.
// Unsubscribe links never expire; the others expire after a TTL.
package consent
