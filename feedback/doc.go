// Package feedback reads what mailbox providers say back about the messages
// courtesy sent: bounce reports (RFC 3464 delivery status notifications),
// complaint reports (RFC 5965 ARF), and the bounce and complaint webhooks of
// Amazon SES and Postmark. Each becomes a Report the caller can act on —
// suppress an address, count a complaint against a campaign — and
// ShouldSuppress says when a run of soft bounces is enough to stop writing.
//
// The parsers do no I/O beyond the io.Reader or bytes they are handed: they
// never fetch a URL (an SNS SubscribeURL is returned for the caller to
// confirm) and never verify a provider's signature, so the HTTP handler in
// front of it must authenticate the webhook (a secret in the URL, basic
// authentication or the SNS signature) before trusting what it says.
//
// A Processor applies reports to the store through the small Store interface
// it declares: it matches each to the message it is about (by the signed
// VERP return path VERP.Address made, then the Message-ID, then the
// recipient's address; a VERP address that courtesy did not sign names
// nothing and is logged), suppresses hard-bounced and complaining addresses,
// and withdraws every purpose of a customer who complained.
//
// Malformed input is refused whole: a parser returns either every report the
// input holds or an error naming what is wrong, never a partial list, so a
// half-read report cannot suppress the wrong address.
package feedback
