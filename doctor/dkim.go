package doctor

import (
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
)

// MinRSABits is the smallest RSA key courtesy accepts for DKIM; RFC 8301
// forbids signing with less than 1024 and receivers increasingly ignore
// anything under 2048.
const MinRSABits = 2048

// dkimKey is a parsed private key and the public half as DKIM publishes it.
type dkimKey struct {
	algo   string // "rsa" or "ed25519", the k= tag
	bits   int    // RSA modulus size; 0 for Ed25519
	public string // base64, the p= tag
}

// parseDKIMKey reads a PEM private key: PKCS#1 RSA, or PKCS#8 RSA or Ed25519.
func parseDKIMKey(b []byte) (dkimKey, error) {
	block, _ := pem.Decode(b)
	if block == nil {
		return dkimKey{}, errors.New("DKIM key is not PEM (want a -----BEGIN PRIVATE KEY----- block)")
	}
	if block.Headers["Proc-Type"] != "" || block.Type == "ENCRYPTED PRIVATE KEY" {
		return dkimKey{}, errors.New("DKIM key is encrypted; courtesy needs it unencrypted (keep the file readable by courtesy only)")
	}
	var key any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		return dkimKey{}, errors.New("DKIM key is ECDSA, which DKIM does not define; use RSA (2048 bits or more) or Ed25519")
	default:
		return dkimKey{}, fmt.Errorf("DKIM key is a PEM %q block; want PRIVATE KEY or RSA PRIVATE KEY", block.Type)
	}
	if err != nil {
		return dkimKey{}, fmt.Errorf("DKIM key does not parse: %w", err)
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
		if err != nil {
			return dkimKey{}, fmt.Errorf("DKIM public key: %w", err)
		}
		return dkimKey{algo: "rsa", bits: k.N.BitLen(), public: base64.StdEncoding.EncodeToString(der)}, nil
	case ed25519.PrivateKey:
		// RFC 8463: p= is the raw 32-byte public key, not a SubjectPublicKeyInfo.
		pub := k.Public().(ed25519.PublicKey)
		return dkimKey{algo: "ed25519", public: base64.StdEncoding.EncodeToString(pub)}, nil
	default:
		return dkimKey{}, fmt.Errorf("DKIM key is a %T; want RSA or Ed25519", key)
	}
}
