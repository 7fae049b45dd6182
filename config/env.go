package config

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// Secrets are the values that never go in the config file.
type Secrets struct {
	// AdminPassword protects /admin/. Defaults to none: the dashboard is closed.
	AdminPassword string
	// APIKeys are accepted as bearer tokens by the ingest API. Defaults to none.
	APIKeys []string
	// WebhookSecret is the basic-authentication password of the SES and
	// Postmark webhooks. Defaults to none: the webhooks are closed.
	WebhookSecret string
	// LinkKeys sign the links in messages, newest first: the first signs,
	// all verify. Defaults to none.
	LinkKeys []LinkKey
}

// LinkKey is one HMAC key for signed links.
type LinkKey struct {
	ID  string
	Key []byte
}

// MinLinkKeyBytes is the shortest link key accepted.
const MinLinkKeyBytes = 32

// ApplyEnv lets the environment override the file and supplies the
// secrets. cmd passes os.Getenv; tests pass a map lookup. Variables that are
// unset or empty change nothing:
//
//	REDIS_URL               redis.url
//	DATABASE_URL            database.url
//	SMTP_URL                smtp.url
//	COURTESY_LISTEN         web.listen
//	COURTESY_ADMIN_PASSWORD Secrets.AdminPassword
//	COURTESY_API_KEYS       Secrets.APIKeys, comma separated
//	COURTESY_WEBHOOK_SECRET Secrets.WebhookSecret
//	COURTESY_LINK_KEYS      Secrets.LinkKeys, "id:base64key,…", newest first
//
// The error names the variable that is malformed; the other variables are
// applied anyway.
func (c *Config) ApplyEnv(getenv func(string) string) error {
	for _, o := range []struct {
		name string
		dst  *string
	}{
		{"REDIS_URL", &c.Redis.URL},
		{"DATABASE_URL", &c.Database.URL},
		{"SMTP_URL", &c.SMTP.URL},
		{"COURTESY_LISTEN", &c.Web.Listen},
		{"COURTESY_ADMIN_PASSWORD", &c.Secrets.AdminPassword},
		{"COURTESY_WEBHOOK_SECRET", &c.Secrets.WebhookSecret},
	} {
		if v := strings.TrimSpace(getenv(o.name)); v != "" {
			*o.dst = v
		}
	}
	if v := getenv("COURTESY_API_KEYS"); strings.TrimSpace(v) != "" {
		c.Secrets.APIKeys = splitList(v)
	}
	if v := getenv("COURTESY_LINK_KEYS"); strings.TrimSpace(v) != "" {
		keys, err := ParseLinkKeys(v)
		if err != nil {
			return fmt.Errorf("COURTESY_LINK_KEYS: %w", err)
		}
		c.Secrets.LinkKeys = keys
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// ParseLinkKeys reads "id:base64key,…". Keys are standard or URL-safe
// base64, padded or not, of at least MinLinkKeyBytes bytes; ids are unique.
// Errors never quote a key.
func ParseLinkKeys(s string) ([]LinkKey, error) {
	var out []LinkKey
	seen := map[string]bool{}
	for i, item := range splitList(s) {
		id, enc, ok := strings.Cut(item, ":")
		id = strings.TrimSpace(id)
		if !ok || id == "" {
			return nil, fmt.Errorf("key %d: want id:base64key", i+1)
		}
		if seen[id] {
			return nil, fmt.Errorf("key id %q is used twice", id)
		}
		seen[id] = true
		key, err := decodeBase64(strings.TrimSpace(enc))
		if err != nil {
			return nil, fmt.Errorf("key %q is not base64", id)
		}
		if len(key) < MinLinkKeyBytes {
			return nil, fmt.Errorf("key %q has %d bytes; use %d or more random bytes", id, len(key), MinLinkKeyBytes)
		}
		out = append(out, LinkKey{ID: id, Key: key})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no keys")
	}
	return out, nil
}

func decodeBase64(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, fmt.Errorf("not base64")
}
