// Package doctor checks that a courtesy configuration will be trusted by
// mailbox providers: the postal address every message must carry, a From
// address that parses, an https base URL for the unsubscribe links, a DKIM
// key that is strong enough and aligned with the From domain. It also writes
// the DNS records (DKIM, SPF, DMARC) to publish, and with a Resolver compares
// them with what is published.
//
// Check is pure; CheckDNS does its lookups through the Resolver it is given
// (a *net.Resolver in the command, a stub in tests).
//
// Alignment is judged on organisational domains, found with the Public
// Suffix List as DMARC prescribes: mail.crumb.co.uk and crumb.co.uk are one
// organisation, two sites under github.io are two.
package doctor
