package doctor

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"strings"

	"github.com/courtesyhq/courtesy"
)

// Input is the part of the configuration that decides deliverability.
type Input struct {
	BusinessName, PostalAddress, From, BaseURL string
	DKIMDomain, DKIMSelector                   string
	// DKIMKeyPEM is the private key file's content; nil when DKIM is off.
	DKIMKeyPEM []byte
	// ReturnPathDomain is the envelope sender's domain, where bounces go and
	// SPF is checked. Empty means the From domain.
	ReturnPathDomain string
	// DMARCReportTo is the address DMARC aggregate reports go to. Defaults
	// to the From address: a small business gets a few a day.
	DMARCReportTo string
}

// Finding is one problem found.
type Finding struct {
	Severity courtesy.Severity
	Check    string // postal-address, from, base-url, dkim, dkim-key, dkim-alignment, spf-alignment, dns-dkim, dns-spf, dns-dmarc
	Message  string
}

func (f Finding) String() string { return fmt.Sprintf("%s: %s: %s", f.Severity, f.Check, f.Message) }

// Record is one DNS record to publish.
type Record struct {
	Name  string // fully qualified, without the trailing dot
	Type  string // TXT
	Value string // the whole text; Format splits it into strings
}

// Records are the records a configuration needs. A zero Record is one that
// cannot be written (no DKIM key, no From domain).
type Records struct {
	DKIM, SPF, DMARC Record
}

// SuggestedSPF is the SPF policy proposed when a domain has none: the
// domain's mail servers may send, others soft-fail. It is a starting point:
// a provider that sends for the business must be included.
const SuggestedSPF = "v=spf1 mx ~all"

var dnsLabels = regexp.MustCompile(`^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$`)

// Check reviews a configuration and returns what is wrong with it, in the
// order checked (nothing when all is well), and the DNS records to publish.
func Check(in Input) ([]Finding, Records) {
	var fs []Finding
	add := func(sev courtesy.Severity, check, format string, args ...any) {
		fs = append(fs, Finding{Severity: sev, Check: check, Message: fmt.Sprintf(format, args...)})
	}

	if strings.TrimSpace(in.BusinessName) == "" {
		add(courtesy.SeverityWarning, "business-name", "business.name is empty: people decide whether to trust a message by the name it comes from")
	}
	if strings.TrimSpace(in.PostalAddress) == "" {
		add(courtesy.SeverityError, "postal-address", "business.postal_address is empty: every marketing message must carry the business's postal address (CAN-SPAM, and most providers' sender rules)")
	}

	var fromAddr, fromDomain string
	switch a, err := mail.ParseAddress(in.From); {
	case strings.TrimSpace(in.From) == "":
		add(courtesy.SeverityError, "from", "business.from is empty")
	case err != nil:
		add(courtesy.SeverityError, "from", "business.from %q is not an address: %v", in.From, err)
	default:
		fromAddr = a.Address
		fromDomain = strings.ToLower(a.Address[strings.LastIndexByte(a.Address, '@')+1:])
		if !dnsLabels.MatchString(fromDomain) || !strings.Contains(fromDomain, ".") {
			add(courtesy.SeverityError, "from", "business.from domain %q is not a domain name mail can be sent from", fromDomain)
			fromDomain = ""
		}
	}

	checkBaseURL(in.BaseURL, add)

	var rec Records
	dkimAligned := false
	if in.DKIMKeyPEM == nil {
		add(courtesy.SeverityWarning, "dkim", "DKIM is off: messages go out unsigned, and Gmail, Yahoo and Outlook expect bulk senders to sign; set dkim.domain, dkim.selector and dkim.private_key_file")
	} else {
		domain := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(in.DKIMDomain), "."))
		selector := strings.ToLower(strings.TrimSpace(in.DKIMSelector))
		okNames := true
		if domain == "" {
			add(courtesy.SeverityError, "dkim", "dkim.domain is empty")
			okNames = false
		} else if !dnsLabels.MatchString(domain) {
			add(courtesy.SeverityError, "dkim", "dkim.domain %q is not a domain name", in.DKIMDomain)
			okNames = false
		}
		if selector == "" {
			add(courtesy.SeverityError, "dkim", "dkim.selector is empty")
			okNames = false
		} else if !dnsLabels.MatchString(selector) {
			add(courtesy.SeverityError, "dkim", "dkim.selector %q is not a DNS name", in.DKIMSelector)
			okNames = false
		}
		key, err := parseDKIMKey(in.DKIMKeyPEM)
		switch {
		case err != nil:
			add(courtesy.SeverityError, "dkim-key", "%v", err)
		case key.algo == "rsa" && key.bits < MinRSABits:
			add(courtesy.SeverityError, "dkim-key", "RSA key is %d bits; use %d or more", key.bits, MinRSABits)
		case key.algo == "rsa" && key.bits > 4096:
			add(courtesy.SeverityWarning, "dkim-key", "RSA key is %d bits; receivers need only verify up to 4096 (RFC 8301) and its record may not fit your DNS provider's form; 2048 is enough", key.bits)
		case key.algo == "ed25519":
			add(courtesy.SeverityWarning, "dkim-key", "Ed25519 key: not every mailbox provider verifies Ed25519 signatures yet (RFC 8463), and where they do not the message counts as unsigned; an RSA key of 2048 bits is the safe choice")
		}
		if err == nil && okNames {
			rec.DKIM = Record{
				Name:  selector + "._domainkey." + domain,
				Type:  "TXT",
				Value: "v=DKIM1; k=" + key.algo + "; p=" + key.public,
			}
		}
		if domain != "" && fromDomain != "" {
			if Aligned(domain, fromDomain) {
				dkimAligned = err == nil
			} else {
				add(courtesy.SeverityError, "dkim-alignment", "DKIM domain %s is not aligned with the From domain %s: DMARC needs them to share an organisational domain (judged by the Public Suffix List), so sign as %s or a subdomain of it", domain, fromDomain, OrgDomain(fromDomain))
			}
		}
	}

	spfDomain := fromDomain
	if rp := strings.ToLower(strings.TrimSpace(in.ReturnPathDomain)); rp != "" {
		spfDomain = rp
		if fromDomain != "" && !Aligned(rp, fromDomain) {
			sev, tail := courtesy.SeverityWarning, "DMARC then rests on DKIM alone"
			if !dkimAligned {
				sev, tail = courtesy.SeverityError, "and with no aligned DKIM signature either, DMARC will fail"
			}
			add(sev, "spf-alignment", "return path domain %s is not aligned with the From domain %s: SPF will not count for DMARC, %s", rp, fromDomain, tail)
		}
	}
	if spfDomain != "" {
		rec.SPF = Record{Name: spfDomain, Type: "TXT", Value: SuggestedSPF}
	}
	if fromDomain != "" {
		rua := strings.TrimSpace(in.DMARCReportTo)
		if rua == "" {
			rua = fromAddr
		}
		rec.DMARC = Record{Name: "_dmarc." + fromDomain, Type: "TXT", Value: "v=DMARC1; p=none; rua=mailto:" + rua}
	}
	return fs, rec
}

func checkBaseURL(raw string, add func(courtesy.Severity, string, string, ...any)) {
	if strings.TrimSpace(raw) == "" {
		add(courtesy.SeverityError, "base-url", "business.base_url is empty: the unsubscribe and preference links need it")
		return
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		add(courtesy.SeverityError, "base-url", "business.base_url %q is not an absolute URL", raw)
		return
	}
	if u.Scheme == "https" {
		return
	}
	if u.Scheme == "http" && isLoopback(u.Hostname()) {
		add(courtesy.SeverityWarning, "base-url", "business.base_url %s is plain http on this machine: fine for a demo, but customers' links must be https", raw)
		return
	}
	add(courtesy.SeverityError, "base-url", "business.base_url %s is not https: one-click unsubscribe (RFC 8058) requires an https link, and mailbox providers distrust plain http", raw)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
