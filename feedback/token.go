package feedback

import "strings"

// maxLocalPart is the longest local part RFC 5321 §4.5.3.1.1 promises every
// server takes. A VERP address longer than that could be refused at MAIL
// FROM, so VERP.Address falls back to the plain address instead.
const maxLocalPart = 64

func splitAddress(addr string) (local, domain string, ok bool) {
	addr = normaliseAddress(addr)
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 {
		return "", "", false
	}
	return addr[:at], addr[at+1:], true
}
