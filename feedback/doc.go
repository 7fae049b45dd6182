// Package feedback reads what mailbox providers say back about the messages
// courtesy sent: bounce reports (RFC 3464 delivery status notifications),
// complaint reports (RFC 5965 ARF), and the bounce and complaint webhooks of
// Amazon SES and Postmark. Each becomes a Report the caller can act on —
// suppress an address, count a complaint against a campaign — and
// ShouldSuppress says when a run of soft bounces is enough to stop writing.
//
// The package does no I/O beyond the io.Reader or bytes it is handed: it
// never fetches a URL (an SNS SubscribeURL is returned for the caller to
// confirm) and never verifies a provider's signature, so the HTTP handler in
// front of it must authenticate the webhook (a secret in the URL, basic
// authentication or the SNS signature) before trusting what it says.
//
// Malformed input is refused whole: a parser returns either every report the
// input holds or an error naming what is wrong, never a partial list, so a
// half-read report cannot suppress the wrong address.
package feedback
