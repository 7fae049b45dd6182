package doctor

import (
	"strings"

	"golang.org/x/net/publicsuffix"
)

// OrgDomain returns the organisational domain of a name (RFC 7489 §3.2):
// the public suffix it is under, by the Public Suffix List, and one label
// more. A name that is itself a public suffix, or has no label more, is its
// own.
func OrgDomain(name string) string {
	name = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), ".")
	org, err := publicsuffix.EffectiveTLDPlusOne(name)
	if err != nil {
		return name
	}
	return org
}

// Aligned reports whether two domains are aligned in DMARC's relaxed mode:
// the same name, or names sharing their organisational domain.
func Aligned(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	return OrgDomain(a) == OrgDomain(b)
}
