package mailer

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-msgauth/dkim"
	gomail "github.com/wneessen/go-mail"
	"golang.org/x/net/publicsuffix"
)

// MinRSABits is the smallest RSA key accepted for DKIM. RFC 8301 makes 1024
// the floor for verifiers and large receivers treat shorter-than-2048 keys
// as weak, so courtesy refuses them rather than sign with one.
const MinRSABits = 2048

// DKIM is a signing key and where its public half is published
// (<Selector>._domainkey.<Domain>).
type DKIM struct {
	Domain        string
	Selector      string
	PrivateKeyPEM []byte // RSA of MinRSABits or more (PKCS#1 or PKCS#8), or Ed25519 (PKCS#8)
}

// signedHeaders are the headers the signature covers. go-mail's default list
// leaves out the RFC 8058 headers, and a receiver only honours one-click
// unsubscribe when both are signed, so the list is given in full.
var signedHeaders = []string{
	"From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type",
	"List-Unsubscribe", "List-Unsubscribe-Post",
}

// Check reports whether the key can sign mail from fromDomain: the PEM
// parses, an RSA key has at least MinRSABits bits, and Domain is aligned with
// fromDomain. Alignment is the relaxed DMARC kind — the same organisational
// domain, judged by the Public Suffix List.
func (d DKIM) Check(fromDomain string) error {
	if _, err := d.signer(); err != nil {
		return err
	}
	fromDomain = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(fromDomain), "."))
	domain := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(d.Domain), "."))
	if fromDomain == "" {
		return errors.New("dkim: no From domain to align with")
	}
	if organisationalDomain(domain) != organisationalDomain(fromDomain) {
		return fmt.Errorf("dkim: domain %q is not aligned with the From domain %q: receivers applying DMARC "+
			"ignore the signature; sign with d=%s (or a subdomain of it)", d.Domain, fromDomain, organisationalDomain(fromDomain))
	}
	return nil
}

// DNSRecord returns the TXT record that publishes the public key: its name,
// <selector>._domainkey.<domain>, and its value, "v=DKIM1; k=rsa; p=...".
// A long RSA value must be split into 255-byte strings by whoever publishes
// it; most DNS hosting panels do that themselves.
func (d DKIM) DNSRecord() (name, value string, err error) {
	s, err := d.signer()
	if err != nil {
		return "", "", err
	}
	name = s.selector + "._domainkey." + s.domain
	switch pub := s.key.Public().(type) {
	case ed25519.PublicKey:
		return name, "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub), nil
	default:
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			return "", "", fmt.Errorf("dkim: public key: %w", err)
		}
		return name, "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der), nil
	}
}

// signer is a parsed DKIM key, safe for concurrent use.
type signer struct {
	domain, selector string
	key              crypto.Signer
}

func (d DKIM) signer() (*signer, error) {
	if !isHostname(d.Domain) {
		return nil, fmt.Errorf("dkim: domain %q is not a domain name", d.Domain)
	}
	if !isHostname(d.Selector) {
		return nil, fmt.Errorf("dkim: selector %q is not a DNS label", d.Selector)
	}
	if len(d.PrivateKeyPEM) == 0 {
		return nil, errors.New("dkim: no private key")
	}
	key, err := gomail.PrivKeyFromPEM(d.PrivateKeyPEM)
	if err != nil {
		return nil, fmt.Errorf("dkim: private key: %w (want a PEM RSA key of %d bits or more, or an Ed25519 key)", err, MinRSABits)
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if bits := k.N.BitLen(); bits < MinRSABits {
			return nil, fmt.Errorf("dkim: the RSA key has %d bits; %d or more are required, as receivers "+
				"distrust shorter keys: generate one with `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048` "+
				"or use Ed25519", bits, MinRSABits)
		}
	case ed25519.PrivateKey:
	default:
		return nil, fmt.Errorf("dkim: unsupported key type %T (want RSA or Ed25519)", key)
	}
	return &signer{domain: strings.ToLower(d.Domain), selector: d.Selector, key: key}, nil
}

// sign returns the DKIM-Signature header field for a rendered message.
//
// go-mail v0.8.1 has a signer of its own, but it hashes the signature field
// unfolded and then writes it folded at 76 columns, even inside the h= list;
// once h= is long enough to fold — as it is with the two RFC 8058 headers
// added — no verifier accepts the signature. go-msgauth signs the field as
// it writes it.
func (s *signer) sign(raw []byte, withReplyTo bool) (string, error) {
	headers := signedHeaders
	if withReplyTo {
		headers = append(append([]string(nil), signedHeaders...), "Reply-To")
	}
	ds, err := dkim.NewSigner(&dkim.SignOptions{
		Domain:                 s.domain,
		Selector:               s.selector,
		Signer:                 s.key,
		Hash:                   crypto.SHA256,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed,
		BodyCanonicalization:   dkim.CanonicalizationRelaxed,
		HeaderKeys:             headers,
	})
	if err != nil {
		return "", fmt.Errorf("dkim: %w", err)
	}
	if _, err := ds.Write(raw); err != nil {
		_ = ds.Close()
		return "", fmt.Errorf("dkim: %w", err)
	}
	if err := ds.Close(); err != nil {
		return "", fmt.Errorf("dkim: %w", err)
	}
	return ds.Signature(), nil
}

// organisationalDomain is the registrable domain of domain by the Public
// Suffix List (example.co.uk for mail.example.co.uk); a name the list cannot
// place, such as a bare suffix, is its own.
func organisationalDomain(domain string) string {
	org, err := publicsuffix.EffectiveTLDPlusOne(domain)
	if err != nil {
		return domain
	}
	return org
}
