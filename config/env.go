package config

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/courtesyhq/courtesy/consent"
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
	LinkKeys []consent.Key
	// RedisPassword signs in to the Redis nodes (the one node, Sentinel's
	// primary and replicas, or the Cluster's nodes), as redis.username.
	// Defaults to none, or the password in REDIS_URL.
	RedisPassword string
	// RedisSentinelPassword signs in to the Sentinels themselves, as
	// redis.sentinel.username. Defaults to none.
	RedisSentinelPassword string
}

// ApplyEnv lets the environment override the file and supplies the
// secrets. cmd passes os.Getenv; tests pass a map lookup. Variables that are
// unset or empty change nothing:
//
//	COURTESY_DATA_DIR       data_dir, and the default database and outbox in it
//	REDIS_URL               redis.url
//	DATABASE_URL            database.url
//	SMTP_URL                smtp.url
//	COURTESY_LISTEN         web.listen
//	COURTESY_ADMIN_PASSWORD Secrets.AdminPassword
//	COURTESY_API_KEYS       Secrets.APIKeys, comma separated
//	COURTESY_WEBHOOK_SECRET Secrets.WebhookSecret
//	COURTESY_LINK_KEYS      Secrets.LinkKeys, "id:base64key,…", newest first
//	COURTESY_REDIS_PASSWORD Secrets.RedisPassword
//	COURTESY_REDIS_SENTINEL_PASSWORD
//	                        Secrets.RedisSentinelPassword
//	COURTESY_SHOPIFY_SECRET, COURTESY_WOOCOMMERCE_SECRET, COURTESY_STRIPE_SECRET
//	                        integrations.<platform> secrets, 16 characters or more
//
// The error names the variable that is malformed or a secret that is
// shorter than MinSecretLen; the other variables are applied anyway.
func (c *Config) ApplyEnv(getenv func(string) string) error {
	if v := strings.TrimSpace(getenv("COURTESY_DATA_DIR")); v != "" {
		// A directory named in the environment is the caller's, not the
		// config file's: relative to where courtesy runs.
		if abs, err := filepath.Abs(v); err == nil {
			v = abs
		}
		c.DataDir = v
		c.setDataDefaults()
	}
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
		{EnvRedisPassword, &c.Secrets.RedisPassword},
		{EnvRedisSentinelPassword, &c.Secrets.RedisSentinelPassword},
	} {
		if v := strings.TrimSpace(getenv(o.name)); v != "" {
			*o.dst = v
		}
	}
	if v := getenv("COURTESY_API_KEYS"); strings.TrimSpace(v) != "" {
		c.Secrets.APIKeys = splitList(v)
	}
	secretErr := c.applyIntegrationsEnv(getenv)
	if v := getenv("COURTESY_LINK_KEYS"); strings.TrimSpace(v) != "" {
		keys, err := consent.ParseKeys(v)
		if err != nil {
			return fmt.Errorf("COURTESY_LINK_KEYS: %w", err)
		}
		c.Secrets.LinkKeys = keys
	}
	if secretErr != nil {
		return secretErr
	}
	return c.checkSecrets()
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
