package doctor

import "strings"

// twoLevelSuffixes are public suffixes of two labels under which
// organisations register their names. The list is short on purpose: it
// covers the countries courtesy's users are likeliest to send from and
// errs, elsewhere, toward calling domains aligned (see the package doc).
var twoLevelSuffixes = map[string]bool{
	"co.uk": true, "org.uk": true, "me.uk": true, "ltd.uk": true, "plc.uk": true, "ac.uk": true, "gov.uk": true, "net.uk": true,
	"com.au": true, "net.au": true, "org.au": true, "edu.au": true, "gov.au": true, "id.au": true,
	"co.jp": true, "ne.jp": true, "or.jp": true, "ac.jp": true, "go.jp": true,
	"co.nz": true, "org.nz": true, "net.nz": true,
	"co.za": true, "org.za": true,
	"com.br": true, "com.mx": true, "com.ar": true, "com.tr": true, "com.cn": true, "com.tw": true,
	"com.hk": true, "com.sg": true, "com.my": true, "co.in": true, "co.kr": true, "co.il": true, "co.id": true, "co.th": true,
}

// OrgDomain approximates the organisational domain of a name (RFC 7489
// §3.2): its last two labels, or three under a two-level public suffix.
func OrgDomain(name string) string {
	name = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), ".")
	labels := strings.Split(name, ".")
	n := 2
	if len(labels) >= 3 && twoLevelSuffixes[labels[len(labels)-2]+"."+labels[len(labels)-1]] {
		n = 3
	}
	if len(labels) <= n {
		return name
	}
	return strings.Join(labels[len(labels)-n:], ".")
}

// Aligned reports whether two domains are aligned in DMARC's relaxed mode:
// the same name, or names sharing their organisational domain.
func Aligned(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	return OrgDomain(a) == OrgDomain(b)
}
