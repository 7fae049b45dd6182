package integrations

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
)

// verifyBase64HMAC checks a header holding the base64 HMAC-SHA256 of the raw
// body, as Shopify and WooCommerce sign: compared in constant time, over
// the bytes as received (a body re-encoded by a proxy no longer verifies).
func verifyBase64HMAC(secret []byte, header string, body []byte) error {
	header = strings.TrimSpace(header)
	if header == "" {
		return fmt.Errorf("no signature: %w", ErrSignature)
	}
	got, err := base64.StdEncoding.DecodeString(header)
	if err != nil {
		return fmt.Errorf("signature is not base64: %w", ErrSignature)
	}
	if !hmac.Equal(got, sign(secret, body)) {
		return fmt.Errorf("signature does not match the body: %w", ErrSignature)
	}
	return nil
}

// sign is HMAC-SHA256 of the parts, in order.
func sign(secret []byte, parts ...[]byte) []byte {
	m := hmac.New(sha256.New, secret)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}
