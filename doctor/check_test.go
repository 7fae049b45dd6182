package doctor

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
)

// The keys under testdata are throwaway keys made for these tests; the .pub
// files are their public halves as openssl writes them.

func readTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// publicKeyDER returns the DER of a PEM public key file.
func publicKeyDER(tb testing.TB, name string) []byte {
	tb.Helper()
	block, _ := pem.Decode(readTestdata(tb, name))
	if block == nil {
		tb.Fatalf("%s: no PEM block", name)
	}
	return block.Bytes
}

func rsaPEM(tb testing.TB, bits int, pkcs8 bool) []byte {
	tb.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		tb.Fatal(err)
	}
	if !pkcs8 {
		return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		tb.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

func ecdsaPEM(tb testing.TB) []byte {
	tb.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		tb.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// good is a configuration with nothing wrong; each case breaks one thing.
func good(tb testing.TB) Input {
	tb.Helper()
	return Input{
		BusinessName:  "Crumb & Co. Bakery",
		PostalAddress: "12 Mill Lane, Bristol BS1 4DJ, UK",
		From:          "Crumb & Co. <hello@crumb.example>",
		BaseURL:       "https://crumb.example",
		DKIMDomain:    "crumb.example",
		DKIMSelector:  "s2026",
		DKIMKeyPEM:    readTestdata(tb, "test-rsa2048.pem"),
	}
}

func TestCheck(t *testing.T) {
	rsa1024 := rsaPEM(t, 1024, false)
	tests := []struct {
		name   string
		modify func(*Input)
		want   []Finding
	}{
		{name: "all well"},
		{name: "RSA PKCS#1 key", modify: func(in *Input) { in.DKIMKeyPEM = readTestdata(t, "test-rsa2048-pkcs1.pem") }},
		{
			name:   "missing postal address",
			modify: func(in *Input) { in.PostalAddress = "  " },
			want: []Finding{{courtesy.SeverityError, "postal-address",
				"business.postal_address is empty: every marketing message must carry the business's postal address (CAN-SPAM, and most providers' sender rules)"}},
		},
		{
			name:   "missing business name",
			modify: func(in *Input) { in.BusinessName = "" },
			want: []Finding{{courtesy.SeverityWarning, "business-name",
				"business.name is empty: people decide whether to trust a message by the name it comes from"}},
		},
		{
			name:   "http base URL",
			modify: func(in *Input) { in.BaseURL = "http://crumb.example" },
			want: []Finding{{courtesy.SeverityError, "base-url",
				"business.base_url http://crumb.example is not https: one-click unsubscribe (RFC 8058) requires an https link, and mailbox providers distrust plain http"}},
		},
		{
			name:   "http base URL on this machine is a warning",
			modify: func(in *Input) { in.BaseURL = "http://127.0.0.1:8080" },
			want: []Finding{{courtesy.SeverityWarning, "base-url",
				"business.base_url http://127.0.0.1:8080 is plain http on this machine: fine for a demo, but customers' links must be https"}},
		},
		{
			name:   "relative base URL",
			modify: func(in *Input) { in.BaseURL = "/courtesy" },
			want:   []Finding{{courtesy.SeverityError, "base-url", `business.base_url "/courtesy" is not an absolute URL`}},
		},
		{
			name:   "From does not parse",
			modify: func(in *Input) { in.From = "Crumb & Co" },
			want:   []Finding{{courtesy.SeverityError, "from", `business.from "Crumb & Co" is not an address: mail: no angle-addr`}},
		},
		{
			name:   "RSA 1024 bits",
			modify: func(in *Input) { in.DKIMKeyPEM = rsa1024 },
			want:   []Finding{{courtesy.SeverityError, "dkim-key", "RSA key is 1024 bits; use 2048 or more"}},
		},
		{
			name:   "Ed25519 key",
			modify: func(in *Input) { in.DKIMKeyPEM = readTestdata(t, "test-ed25519.pem") },
			want: []Finding{{courtesy.SeverityWarning, "dkim-key",
				"Ed25519 key: not every mailbox provider verifies Ed25519 signatures yet (RFC 8463), and where they do not the message counts as unsigned; an RSA key of 2048 bits is the safe choice"}},
		},
		{
			name:   "ECDSA key",
			modify: func(in *Input) { in.DKIMKeyPEM = ecdsaPEM(t) },
			want: []Finding{{courtesy.SeverityError, "dkim-key",
				"DKIM key is a *ecdsa.PrivateKey; want RSA or Ed25519"}},
		},
		{
			name:   "not PEM",
			modify: func(in *Input) { in.DKIMKeyPEM = []byte("ssh-rsa AAAA") },
			want: []Finding{{courtesy.SeverityError, "dkim-key",
				"DKIM key is not PEM (want a -----BEGIN PRIVATE KEY----- block)"}},
		},
		{
			name: "encrypted key",
			modify: func(in *Input) {
				in.DKIMKeyPEM = pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{1, 2, 3}})
			},
			want: []Finding{{courtesy.SeverityError, "dkim-key",
				"DKIM key is encrypted; courtesy needs it unencrypted (keep the file readable by courtesy only)"}},
		},
		{
			name:   "DKIM off",
			modify: func(in *Input) { in.DKIMKeyPEM = nil },
			want: []Finding{{courtesy.SeverityWarning, "dkim",
				"DKIM is off: messages go out unsigned, and Gmail, Yahoo and Outlook expect bulk senders to sign; set dkim.domain, dkim.selector and dkim.private_key_file"}},
		},
		{
			name:   "DKIM without selector",
			modify: func(in *Input) { in.DKIMSelector = "" },
			want:   []Finding{{courtesy.SeverityError, "dkim", "dkim.selector is empty"}},
		},
		{
			name: "misaligned DKIM domain",
			modify: func(in *Input) {
				in.DKIMDomain = "other.example"
			},
			want: []Finding{{courtesy.SeverityError, "dkim-alignment",
				"DKIM domain other.example is not aligned with the From domain crumb.example: DMARC needs them to share an organisational domain (judged by the Public Suffix List), so sign as crumb.example or a subdomain of it"}},
		},
		{name: "DKIM on a subdomain of From", modify: func(in *Input) { in.DKIMDomain = "mail.crumb.example" }},
		{name: "From on a subdomain of DKIM", modify: func(in *Input) { in.From = "news@news.crumb.example" }},
		{
			name: "co.uk domains are not one organisation",
			modify: func(in *Input) {
				in.From = "hello@crumb.co.uk"
				in.DKIMDomain = "mail.other.co.uk"
			},
			want: []Finding{{courtesy.SeverityError, "dkim-alignment",
				"DKIM domain mail.other.co.uk is not aligned with the From domain crumb.co.uk: DMARC needs them to share an organisational domain (judged by the Public Suffix List), so sign as crumb.co.uk or a subdomain of it"}},
		},
		{
			name: "co.uk subdomain aligned",
			modify: func(in *Input) {
				in.From = "hello@crumb.co.uk"
				in.DKIMDomain = "mail.crumb.co.uk"
			},
		},
		{
			name:   "misaligned return path with aligned DKIM",
			modify: func(in *Input) { in.ReturnPathDomain = "bounces.esp.example" },
			want: []Finding{{courtesy.SeverityWarning, "spf-alignment",
				"return path domain bounces.esp.example is not aligned with the From domain crumb.example: SPF will not count for DMARC, DMARC then rests on DKIM alone"}},
		},
		{
			name: "misaligned return path without DKIM",
			modify: func(in *Input) {
				in.ReturnPathDomain = "bounces.esp.example"
				in.DKIMKeyPEM = nil
			},
			want: []Finding{
				{courtesy.SeverityWarning, "dkim", "DKIM is off: messages go out unsigned, and Gmail, Yahoo and Outlook expect bulk senders to sign; set dkim.domain, dkim.selector and dkim.private_key_file"},
				{courtesy.SeverityError, "spf-alignment", "return path domain bounces.esp.example is not aligned with the From domain crumb.example: SPF will not count for DMARC, and with no aligned DKIM signature either, DMARC will fail"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := good(t)
			if tt.modify != nil {
				tt.modify(&in)
			}
			got, _ := Check(in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckRecords(t *testing.T) {
	rsaPub := base64.StdEncoding.EncodeToString(publicKeyDER(t, "test-rsa2048.pub"))
	// An Ed25519 SubjectPublicKeyInfo ends with the raw 32-byte key, which is
	// what RFC 8463 publishes.
	edDER := publicKeyDER(t, "test-ed25519.pub")
	edPub := base64.StdEncoding.EncodeToString(edDER[len(edDER)-32:])

	tests := []struct {
		name   string
		modify func(*Input)
		want   Records
	}{
		{
			name: "RSA",
			want: Records{
				DKIM:  Record{"s2026._domainkey.crumb.example", "TXT", "v=DKIM1; k=rsa; p=" + rsaPub},
				SPF:   Record{"crumb.example", "TXT", "v=spf1 mx ~all"},
				DMARC: Record{"_dmarc.crumb.example", "TXT", "v=DMARC1; p=none; rua=mailto:hello@crumb.example"},
			},
		},
		{
			name: "Ed25519, return path and report address",
			modify: func(in *Input) {
				in.DKIMKeyPEM = readTestdata(t, "test-ed25519.pem")
				in.DKIMSelector = "ed1"
				in.DKIMDomain = "Crumb.Example."
				in.ReturnPathDomain = "bounce.crumb.example"
				in.DMARCReportTo = "dmarc@reports.example"
			},
			want: Records{
				DKIM:  Record{"ed1._domainkey.crumb.example", "TXT", "v=DKIM1; k=ed25519; p=" + edPub},
				SPF:   Record{"bounce.crumb.example", "TXT", "v=spf1 mx ~all"},
				DMARC: Record{"_dmarc.crumb.example", "TXT", "v=DMARC1; p=none; rua=mailto:dmarc@reports.example"},
			},
		},
		{
			name:   "no DKIM record without a key",
			modify: func(in *Input) { in.DKIMKeyPEM = nil },
			want: Records{
				SPF:   Record{"crumb.example", "TXT", "v=spf1 mx ~all"},
				DMARC: Record{"_dmarc.crumb.example", "TXT", "v=DMARC1; p=none; rua=mailto:hello@crumb.example"},
			},
		},
		{
			name:   "nothing without a From",
			modify: func(in *Input) { in.From = ""; in.DKIMKeyPEM = nil },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := good(t)
			if tt.modify != nil {
				tt.modify(&in)
			}
			_, got := Check(in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckAcceptsPKCS8RSA(t *testing.T) {
	in := good(t)
	in.DKIMKeyPEM = rsaPEM(t, 2048, true)
	fs, rec := Check(in)
	if len(fs) != 0 {
		t.Errorf("findings for a good PKCS#8 key: %v", fs)
	}
	if !strings.HasPrefix(rec.DKIM.Value, "v=DKIM1; k=rsa; p=MIIBIjAN") {
		t.Errorf("DKIM record %q is not a 2048-bit RSA SubjectPublicKeyInfo", rec.DKIM.Value)
	}
}

// Organisational domains follow the Public Suffix List, so that two
// organisations under one suffix are never taken for one.
func TestOrgDomain(t *testing.T) {
	tests := []struct{ in, want string }{
		{"crumb.example", "crumb.example"},
		{"mail.crumb.example", "crumb.example"},
		{"a.b.Crumb.Example.", "crumb.example"},
		{"crumb.co.uk", "crumb.co.uk"},
		{"mail.crumb.co.uk", "crumb.co.uk"},
		{"shop.bakery.com.au", "bakery.com.au"},
		{"x.pan.co.jp", "pan.co.jp"},
		{"co.uk", "co.uk"},
		{"localhost", "localhost"},
		{"shop.crumb.org.nz", "crumb.org.nz"},
		{"news.bakery.kawasaki.jp", "news.bakery.kawasaki.jp"}, // *.kawasaki.jp is itself a suffix
		{"crumb.github.io", "crumb.github.io"},                 // a private suffix: each site its own
	}
	for _, tt := range tests {
		if got := OrgDomain(tt.in); got != tt.want {
			t.Errorf("OrgDomain(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSitesUnderAPrivateSuffixAreNotAligned(t *testing.T) {
	if Aligned("crumb.github.io", "other.github.io") {
		t.Error("two sites under github.io are aligned")
	}
	if !Aligned("mail.crumb.co.uk", "crumb.co.uk") {
		t.Error("a subdomain of crumb.co.uk is not aligned with it")
	}
}
