package mailer_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-msgauth/dkim"

	"github.com/courtesyhq/courtesy/mailer"
)

// verify checks the message's DKIM signature with an independent verifier,
// looking the key up in a stub DNS that holds d's record.
func verify(tb testing.TB, raw []byte, d *mailer.DKIM) *dkim.Verification {
	tb.Helper()
	name, value, err := d.DNSRecord()
	if err != nil {
		tb.Fatal(err)
	}
	lookups := 0
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{
		LookupTXT: func(domain string) ([]string, error) {
			lookups++
			if domain != name {
				return nil, fmt.Errorf("no TXT record for %s", domain)
			}
			return []string{value}, nil
		},
	})
	if err != nil {
		tb.Fatalf("verify: %v", err)
	}
	if len(vs) != 1 {
		tb.Fatalf("%d signatures, want 1", len(vs))
	}
	if lookups == 0 {
		tb.Fatalf("the verifier never looked the key up")
	}
	return vs[0]
}

func TestDKIMSignatureVerifies(t *testing.T) {
	tests := []struct {
		name string
		dkim func(testing.TB) *mailer.DKIM
		msg  *mailer.Message
		want []string // signed headers
	}{
		{
			name: "rsa-2048", dkim: rsaDKIM, msg: withHTML(testMessage()),
			want: []string{"from", "to", "subject", "date", "message-id", "mime-version", "content-type",
				"list-unsubscribe", "list-unsubscribe-post", "reply-to"},
		},
		{
			name: "ed25519", dkim: ed25519DKIM, msg: withHTML(testMessage()),
			want: []string{"from", "to", "subject", "date", "message-id", "mime-version", "content-type",
				"list-unsubscribe", "list-unsubscribe-post", "reply-to"},
		},
		{
			name: "ed25519 text only, no reply-to", dkim: ed25519DKIM,
			msg: func() *mailer.Message { m := testMessage(); m.ReplyTo = ""; return m }(),
			want: []string{"from", "to", "subject", "date", "message-id", "mime-version", "content-type",
				"list-unsubscribe", "list-unsubscribe-post"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.dkim(t)
			raw, err := mailer.Render(tt.msg, d)
			if err != nil {
				t.Fatal(err)
			}
			v := verify(t, raw, d)
			if v.Err != nil {
				t.Fatalf("signature does not verify: %v\n%s", v.Err, raw)
			}
			if v.Domain != "crumb.example" {
				t.Errorf("d= %q, want crumb.example", v.Domain)
			}
			got := make([]string, len(v.HeaderKeys))
			for i, k := range v.HeaderKeys {
				got[i] = strings.ToLower(k)
			}
			for _, h := range tt.want {
				if !slices.Contains(got, h) {
					t.Errorf("h= %v lacks %s", got, h)
				}
			}
			if counts := countHeaders(t, raw); counts["Dkim-Signature"] != 1 {
				t.Errorf("%d DKIM-Signature headers, want 1", counts["Dkim-Signature"])
			}

			// A change to a signed header after signing breaks the signature:
			// the check above is not vacuous.
			tampered := bytes.Replace(raw, []byte("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
				[]byte("List-Unsubscribe-Post: List-Unsubscribe=Two-Clicks"), 1)
			if bytes.Equal(tampered, raw) {
				t.Fatal("tampering changed nothing")
			}
			if v := verify(t, tampered, d); v.Err == nil {
				t.Errorf("a tampered List-Unsubscribe-Post still verifies")
			}
		})
	}
}

func TestDKIMCheck(t *testing.T) {
	tests := []struct {
		name       string
		dkim       mailer.DKIM
		fromDomain string
		wantErr    string // "" for none
	}{
		{name: "rsa-2048 aligned", dkim: mailer.DKIM{Domain: "crumb.example", Selector: "s1", PrivateKeyPEM: readKey(t, "rsa2048.pem")}, fromDomain: "crumb.example"},
		{name: "ed25519 aligned", dkim: mailer.DKIM{Domain: "crumb.example", Selector: "s1", PrivateKeyPEM: readKey(t, "ed25519.pem")}, fromDomain: "crumb.example"},
		{name: "subdomain of the From domain", dkim: mailer.DKIM{Domain: "mail.crumb.example", Selector: "s1", PrivateKeyPEM: readKey(t, "ed25519.pem")}, fromDomain: "crumb.example"},
		{name: "From on a subdomain", dkim: mailer.DKIM{Domain: "crumb.co.uk", Selector: "s1", PrivateKeyPEM: readKey(t, "ed25519.pem")}, fromDomain: "news.crumb.co.uk"},
		{
			name:       "rsa-1024 refused",
			dkim:       mailer.DKIM{Domain: "crumb.example", Selector: "s1", PrivateKeyPEM: readKey(t, "rsa1024.pem")},
			fromDomain: "crumb.example", wantErr: "the RSA key has 1024 bits; 2048 or more are required",
		},
		{
			name:       "misaligned",
			dkim:       mailer.DKIM{Domain: "mailhost.example", Selector: "s1", PrivateKeyPEM: readKey(t, "ed25519.pem")},
			fromDomain: "crumb.example", wantErr: `domain "mailhost.example" is not aligned with the From domain "crumb.example"`,
		},
		{
			name:       "neighbours under a registry suffix",
			dkim:       mailer.DKIM{Domain: "other.co.uk", Selector: "s1", PrivateKeyPEM: readKey(t, "ed25519.pem")},
			fromDomain: "crumb.co.uk", wantErr: "not aligned",
		},
		{
			name:       "not a key",
			dkim:       mailer.DKIM{Domain: "crumb.example", Selector: "s1", PrivateKeyPEM: []byte("hello")},
			fromDomain: "crumb.example", wantErr: "private key",
		},
		{
			name:       "bad selector",
			dkim:       mailer.DKIM{Domain: "crumb.example", Selector: "s 1", PrivateKeyPEM: readKey(t, "ed25519.pem")},
			fromDomain: "crumb.example", wantErr: "selector",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.dkim.Check(tt.fromDomain)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Check = %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("Check = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestDKIMWeakKeyRefusedEverywhere(t *testing.T) {
	weak := &mailer.DKIM{Domain: "crumb.example", Selector: "s1", PrivateKeyPEM: readKey(t, "rsa1024.pem")}
	if _, err := mailer.Render(testMessage(), weak); err == nil || !strings.Contains(err.Error(), "1024 bits") {
		t.Errorf("Render with a 1024-bit key = %v, want a refusal naming the size", err)
	}
	if _, err := mailer.Open("file://"+t.TempDir(), mailer.Config{DKIM: weak}); err == nil {
		t.Errorf("Open with a 1024-bit key succeeded")
	}
}

func TestDKIMDNSRecord(t *testing.T) {
	for _, tt := range []struct {
		name string
		dkim func(testing.TB) *mailer.DKIM
		kind string
	}{{"rsa", rsaDKIM, "k=rsa"}, {"ed25519", ed25519DKIM, "k=ed25519"}} {
		t.Run(tt.name, func(t *testing.T) {
			name, value, err := tt.dkim(t).DNSRecord()
			if err != nil {
				t.Fatal(err)
			}
			if name != "s2026._domainkey.crumb.example" || !strings.HasPrefix(value, "v=DKIM1; "+tt.kind+"; p=") {
				t.Errorf("DNSRecord = %q, %q", name, value)
			}
		})
	}
}
