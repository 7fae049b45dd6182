package config

import "fmt"

// MinSecretLen is the shortest admin password, API key or webhook secret
// accepted: each guards a door on the internet, and a short one falls to
// guessing whatever the rate limits.
const MinSecretLen = 16

// checkSecrets refuses a secret under MinSecretLen characters, naming the
// variable (and for a list, which entry) but never quoting the value.
func (c *Config) checkSecrets() error {
	short := func(name, v string) error {
		if v != "" && len([]rune(v)) < MinSecretLen {
			return fmt.Errorf("%s: %d characters is too short; use at least %d (e.g. `openssl rand -base64 24`)", name, len([]rune(v)), MinSecretLen)
		}
		return nil
	}
	if err := short("COURTESY_ADMIN_PASSWORD", c.Secrets.AdminPassword); err != nil {
		return err
	}
	if err := short("COURTESY_WEBHOOK_SECRET", c.Secrets.WebhookSecret); err != nil {
		return err
	}
	for i, k := range c.Secrets.APIKeys {
		if err := short(fmt.Sprintf("COURTESY_API_KEYS (key %d)", i+1), k); err != nil {
			return err
		}
	}
	return nil
}
