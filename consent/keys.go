package consent

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// MinKeyBytes is the shortest secret accepted for signing links.
const MinKeyBytes = 32

// Key is one link-signing secret and the id that names it inside tokens.
type Key struct {
	ID     string
	Secret []byte
}

// Encode writes the key in the COURTESY_LINK_KEYS form "id:base64key".
// It is not a String method on purpose: a secret must not reach a log by
// being printed.
func (k Key) Encode() string {
	return k.ID + ":" + base64.StdEncoding.EncodeToString(k.Secret)
}

// GenerateKey makes a fresh random key of MinKeyBytes bytes, for a demo or a
// first setup.
func GenerateKey(id string) (Key, error) {
	if err := checkKeyID(id); err != nil {
		return Key{}, err
	}
	secret := make([]byte, MinKeyBytes)
	if _, err := rand.Read(secret); err != nil {
		return Key{}, fmt.Errorf("generate link key: %w", err)
	}
	return Key{ID: id, Secret: secret}, nil
}

// ParseKeys reads "id:base64key,id2:base64key", newest first, as
// COURTESY_LINK_KEYS holds them. Standard and URL base64, padded or not, are
// accepted. Secrets under MinKeyBytes bytes are refused; errors never quote
// a secret.
func ParseKeys(s string) ([]Key, error) {
	var keys []Key
	seen := map[string]bool{}
	for i, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue // "a:…, b:…," is a list of two
		}
		id, enc, ok := strings.Cut(part, ":")
		if !ok {
			return nil, fmt.Errorf("link keys: entry %d is not id:base64key", i+1)
		}
		if err := checkKeyID(id); err != nil {
			return nil, fmt.Errorf("link keys: entry %d: %w", i+1, err)
		}
		if seen[id] {
			return nil, fmt.Errorf("link keys: key id %q is listed twice", id)
		}
		seen[id] = true
		secret, err := decodeBase64(enc)
		if err != nil {
			return nil, fmt.Errorf("link keys: key %q is not base64: %w", id, err)
		}
		if len(secret) < MinKeyBytes {
			return nil, fmt.Errorf("link keys: key %q has %d bytes; at least %d random bytes are needed (e.g. `openssl rand -base64 32`)", id, len(secret), MinKeyBytes)
		}
		keys = append(keys, Key{ID: id, Secret: secret})
	}
	if len(keys) == 0 {
		return nil, errors.New("link keys: none given (want id:base64key, newest first; make one with 32 random bytes, e.g. `openssl rand -base64 32`)")
	}
	return keys, nil
}

func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}

func checkKeyID(id string) error {
	if id == "" || len(id) > 32 {
		return fmt.Errorf("key id %q must be 1 to 32 characters", id)
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return fmt.Errorf("key id %q may hold only letters, digits, '-', '_' and '.'", id)
		}
	}
	return nil
}
