package doctor

import (
	"context"
	"errors"
	"net"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
)

// zone is a stub Resolver: names map to their TXT records; a name it does
// not hold is NXDOMAIN, and one in fail answers with a server failure.
type zone struct {
	txt  map[string][]string
	fail map[string]bool
}

func (z zone) LookupTXT(_ context.Context, name string) ([]string, error) {
	if z.fail[name] {
		return nil, &net.DNSError{Err: "server misbehaving", Name: name, IsTemporary: true}
	}
	if txts, ok := z.txt[name]; ok {
		return txts, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

var _ Resolver = zone{}

func TestCheckDNS(t *testing.T) {
	_, rec := Check(good(t))
	in := good(t)
	in.DKIMKeyPEM = rsaPEM(t, 2048, false)
	_, other := Check(in)

	published := func() map[string][]string {
		return map[string][]string{
			"s2026._domainkey.crumb.example": {rec.DKIM.Value},
			"crumb.example":                  {"google-site-verification=abc", "v=spf1 mx include:amazonses.com ~all"},
			"_dmarc.crumb.example":           {"v=DMARC1; p=quarantine; rua=mailto:d@crumb.example"},
		}
	}
	tests := []struct {
		name   string
		modify func(z *zone)
		want   []Finding
	}{
		{name: "published records match"},
		{
			name: "DKIM key folded with spaces and k= left to its default still matches",
			modify: func(z *zone) {
				v := rec.DKIM.Value
				z.txt["s2026._domainkey.crumb.example"] = []string{"v=DKIM1; p=" + v[len("v=DKIM1; k=rsa; p="):][:100] + " " + v[len("v=DKIM1; k=rsa; p=")+100:]}
			},
		},
		{
			name:   "published DKIM key differs",
			modify: func(z *zone) { z.txt["s2026._domainkey.crumb.example"] = []string{other.DKIM.Value} },
			want: []Finding{{courtesy.SeverityError, "dns-dkim",
				"the DKIM record at s2026._domainkey.crumb.example differs from the configured key: published k=rsa p=" +
					abbreviate(tags(other.DKIM.Value)["p"]) + ", configured k=rsa p=" + abbreviate(tags(rec.DKIM.Value)["p"])}},
		},
		{
			name:   "DKIM key revoked",
			modify: func(z *zone) { z.txt["s2026._domainkey.crumb.example"] = []string{"v=DKIM1; k=rsa; p="} },
			want: []Finding{{courtesy.SeverityError, "dns-dkim",
				"the DKIM key at s2026._domainkey.crumb.example is revoked (empty p=); publish the record below"}},
		},
		{
			name: "everything missing",
			modify: func(z *zone) {
				z.txt = map[string][]string{}
			},
			want: []Finding{
				{courtesy.SeverityError, "dns-dkim", "no DKIM record at s2026._domainkey.crumb.example: receivers cannot verify the signatures; publish the record below"},
				{courtesy.SeverityWarning, "dns-spf", "no SPF record at crumb.example: publish one (suggested below, with your provider's include)"},
				{courtesy.SeverityWarning, "dns-dmarc", `no DMARC record at _dmarc.crumb.example: Gmail and Yahoo require one of bulk senders; publish "v=DMARC1; p=none; rua=mailto:hello@crumb.example"`},
			},
		},
		{
			name: "two SPF records",
			modify: func(z *zone) {
				z.txt["crumb.example"] = []string{"v=spf1 mx ~all", "v=spf1 include:_spf.google.com ~all"}
			},
			want: []Finding{{courtesy.SeverityError, "dns-spf",
				"crumb.example has 2 SPF records; receivers treat that as an error (RFC 7208 §4.5): merge them into one"}},
		},
		{
			name:   "SPF open to anyone",
			modify: func(z *zone) { z.txt["crumb.example"] = []string{"v=spf1 mx +all"} },
			want: []Finding{{courtesy.SeverityError, "dns-spf",
				"the SPF record at crumb.example ends in +all, which lets anyone send as you: use ~all or -all"}},
		},
		{
			name:   "DMARC without a policy",
			modify: func(z *zone) { z.txt["_dmarc.crumb.example"] = []string{"v=DMARC1; rua=mailto:d@crumb.example"} },
			want: []Finding{{courtesy.SeverityError, "dns-dmarc",
				`DMARC record at _dmarc.crumb.example has no p= policy: "v=DMARC1; rua=mailto:d@crumb.example"`}},
		},
		{
			name:   "lookup failure is a warning",
			modify: func(z *zone) { z.fail = map[string]bool{"crumb.example": true} },
			want: []Finding{{courtesy.SeverityWarning, "dns-spf",
				"could not look up crumb.example: lookup crumb.example: server misbehaving"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := zone{txt: published()}
			if tt.modify != nil {
				tt.modify(&z)
			}
			got := CheckDNS(context.Background(), z, rec)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckDNSFallsBackToOrganisationalDMARC(t *testing.T) {
	in := good(t)
	in.From = "news@news.crumb.example"
	_, rec := Check(in)
	tests := []struct {
		name string
		txt  map[string][]string
		want []Finding
	}{
		{
			name: "policy on the organisational domain covers the subdomain",
			txt:  map[string][]string{"_dmarc.crumb.example": {"v=DMARC1; p=none"}},
		},
		{
			name: "no policy anywhere",
			txt:  map[string][]string{},
			want: []Finding{{courtesy.SeverityWarning, "dns-dmarc",
				`no DMARC record at _dmarc.news.crumb.example: Gmail and Yahoo require one of bulk senders; publish "v=DMARC1; p=none; rua=mailto:news@news.crumb.example"`}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckDNS(context.Background(), zone{txt: tt.txt}, Records{DMARC: rec.DMARC})
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckDNSWrappedNotFound(t *testing.T) {
	// A resolver that wraps its errors still reports a missing name as missing.
	r := resolverFunc(func(context.Context, string) ([]string, error) {
		return nil, errors.Join(errors.New("via cache"), &net.DNSError{Err: "no such host", IsNotFound: true})
	})
	got := CheckDNS(context.Background(), r, Records{SPF: Record{"crumb.example", "TXT", SuggestedSPF}})
	want := []Finding{{courtesy.SeverityWarning, "dns-spf", "no SPF record at crumb.example: publish one (suggested below, with your provider's include)"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

type resolverFunc func(context.Context, string) ([]string, error)

func (f resolverFunc) LookupTXT(ctx context.Context, name string) ([]string, error) {
	return f(ctx, name)
}
