// Package signup holds the rules of a double opt-in: what a sign-up form may
// ask for and how it is checked, the sealed confirmation token that carries
// the request until the person confirms it, and how often one address may be
// sent a confirmation.
//
// Nothing about an unconfirmed sign-up is stored anywhere: the request
// travels inside the token, encrypted and authenticated with a key derived
// from the link keys, so only the mailbox that received it can turn it into
// a customer and their consent. The package does no I/O.
package signup
