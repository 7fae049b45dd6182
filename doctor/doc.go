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
// Alignment is judged on organisational domains, approximated by the last
// two labels of a name, or the last three under a well-known two-level
// public suffix (co.uk, com.au, co.jp, …). That is not the Public Suffix
// List: under a private suffix such as github.io two different sites look
// like one organisation, and under a two-level suffix the table lacks two
// subdomains of one organisation look like two. The command says so when it
// reports misalignment, so an owner can judge.
package doctor
