package doctor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/courtesyhq/courtesy"
)

// Resolver looks up TXT records. *net.Resolver is one; it returns each
// record with its strings joined.
type Resolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
}

var _ Resolver = (*net.Resolver)(nil)

// CheckDNS compares the published records with rec: the DKIM key must be
// the configured one; SPF and DMARC, being policies the owner may have
// written differently, must exist once and not be dangerous. A lookup that
// fails for another reason than a missing name is a warning, not a verdict.
func CheckDNS(ctx context.Context, r Resolver, rec Records) []Finding {
	var fs []Finding
	add := func(sev courtesy.Severity, check, format string, args ...any) {
		fs = append(fs, Finding{Severity: sev, Check: check, Message: fmt.Sprintf(format, args...)})
	}
	lookup := func(check, name string) ([]string, bool) {
		txts, err := r.LookupTXT(ctx, name)
		var dnsErr *net.DNSError
		if err != nil && !(errors.As(err, &dnsErr) && dnsErr.IsNotFound) {
			add(courtesy.SeverityWarning, check, "could not look up %s: %v", name, err)
			return nil, false
		}
		return txts, true
	}

	if rec.DKIM.Name != "" {
		if txts, ok := lookup("dns-dkim", rec.DKIM.Name); ok {
			checkDKIM(rec.DKIM, txts, add)
		}
	}
	if rec.SPF.Name != "" {
		if txts, ok := lookup("dns-spf", rec.SPF.Name); ok {
			checkSPF(rec.SPF.Name, txts, add)
		}
	}
	if rec.DMARC.Name != "" {
		if txts, ok := lookup("dns-dmarc", rec.DMARC.Name); ok {
			found := withPrefix(txts, "v=DMARC1")
			domain := strings.TrimPrefix(rec.DMARC.Name, "_dmarc.")
			if org := OrgDomain(domain); len(found) == 0 && org != domain {
				// Receivers fall back to the organisational domain's policy.
				if txts, ok := lookup("dns-dmarc", "_dmarc."+org); ok {
					found = withPrefix(txts, "v=DMARC1")
				}
			}
			switch {
			case len(found) == 0:
				add(courtesy.SeverityWarning, "dns-dmarc", "no DMARC record at %s: Gmail and Yahoo require one of bulk senders; publish %q", rec.DMARC.Name, rec.DMARC.Value)
			case len(found) > 1:
				add(courtesy.SeverityError, "dns-dmarc", "%s has %d DMARC records; receivers then ignore them all (RFC 7489 §6.6.3): keep one", rec.DMARC.Name, len(found))
			case tags(found[0])["p"] == "":
				add(courtesy.SeverityError, "dns-dmarc", "DMARC record at %s has no p= policy: %q", rec.DMARC.Name, found[0])
			}
		}
	}
	return fs
}

func checkDKIM(want Record, txts []string, add func(courtesy.Severity, string, string, ...any)) {
	wantTags := tags(want.Value)
	var published []string
	for _, t := range txts {
		tg := tags(t)
		if _, ok := tg["p"]; !ok {
			continue
		}
		published = append(published, t)
		if tg["p"] == wantTags["p"] && keyType(tg) == keyType(wantTags) {
			return
		}
	}
	if len(published) == 0 {
		add(courtesy.SeverityError, "dns-dkim", "no DKIM record at %s: receivers cannot verify the signatures; publish the record below", want.Name)
		return
	}
	got := tags(published[0])
	if got["p"] == "" {
		add(courtesy.SeverityError, "dns-dkim", "the DKIM key at %s is revoked (empty p=); publish the record below", want.Name)
		return
	}
	add(courtesy.SeverityError, "dns-dkim", "the DKIM record at %s differs from the configured key: published k=%s p=%s, configured k=%s p=%s",
		want.Name, keyType(got), abbreviate(got["p"]), keyType(wantTags), abbreviate(wantTags["p"]))
}

func checkSPF(name string, txts []string, add func(courtesy.Severity, string, string, ...any)) {
	var found []string
	for _, t := range txts {
		if f := strings.Fields(strings.ToLower(t)); len(f) > 0 && f[0] == "v=spf1" {
			found = append(found, t)
		}
	}
	switch {
	case len(found) == 0:
		add(courtesy.SeverityWarning, "dns-spf", "no SPF record at %s: publish one (suggested below, with your provider's include)", name)
	case len(found) > 1:
		add(courtesy.SeverityError, "dns-spf", "%s has %d SPF records; receivers treat that as an error (RFC 7208 §4.5): merge them into one", name, len(found))
	default:
		for _, term := range strings.Fields(strings.ToLower(found[0])) {
			if term == "+all" || term == "all" {
				add(courtesy.SeverityError, "dns-spf", "the SPF record at %s ends in %s, which lets anyone send as you: use ~all or -all", name, term)
			}
		}
	}
}

// tags reads a "k=v; k=v" tag list (DKIM, DMARC); whitespace inside values,
// such as a folded p=, is dropped.
func tags(s string) map[string]string {
	m := map[string]string{}
	for _, kv := range strings.Split(s, ";") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		m[strings.ToLower(strings.TrimSpace(k))] = strings.Join(strings.Fields(v), "")
	}
	return m
}

// keyType is a DKIM record's k= tag; RFC 6376 makes rsa the default.
func keyType(t map[string]string) string {
	if k := strings.ToLower(t["k"]); k != "" {
		return k
	}
	return "rsa"
}

func withPrefix(txts []string, prefix string) []string {
	var out []string
	for _, t := range txts {
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(t)), strings.ToLower(prefix)) {
			out = append(out, t)
		}
	}
	return out
}

func abbreviate(s string) string {
	if len(s) <= 24 {
		return s
	}
	return s[:10] + "…" + s[len(s)-10:]
}
