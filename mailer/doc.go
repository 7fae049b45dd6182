// Package mailer turns a finished message into the exact bytes that go on
// the wire — MIME, the RFC 8058 one-click unsubscribe headers, a DKIM
// signature — and hands them to an SMTP server over a small pool of reused
// connections, or writes them to a directory of .eml files.
//
// Every message carries exactly one Message-ID, Date, From, To, Subject,
// MIME-Version, List-Unsubscribe and List-Unsubscribe-Post; a text part and,
// when there is one, an HTML alternative, in UTF-8 and quoted-printable.
// Nothing is added that the caller did not write: no tracking pixel, no
// rewritten link.
//
// Send reports failures as *SendError, which tells the queue what to do:
// IsTemporary (retry later: a 4xx reply, a refused or dropped connection, a
// timeout), IsAddressFailure (a permanent 5.1.x: the mailbox does not exist,
// so the address is suppressed) and IsUnknownOutcome (the connection was lost
// after the whole message was sent but before the server answered, so it may
// have been delivered and must not be sent again).
//
// The mailtest package is an in-process SMTP server for tests, with fault
// injection.
package mailer
