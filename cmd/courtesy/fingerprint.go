package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"strings"

	"github.com/courtesyhq/courtesy/consent"
)

// fingerprintKeys are the keys of the fingerprints the store keeps of
// addresses, the one that makes them first. COURTESY_FINGERPRINT_KEY
// ("id:base64key,…", newest first, as COURTESY_LINK_KEYS) gives them;
// without it each link key gives one, the oldest first, so adding a link
// key changes no fingerprint. None when neither is set: the store then
// keeps the unkeyed form, and erase refuses to run.
func (a *app) fingerprintKeys() ([][]byte, error) {
	var out [][]byte
	if v := strings.TrimSpace(a.inv.getenv("COURTESY_FINGERPRINT_KEY")); v != "" {
		keys, err := consent.ParseKeys(v)
		if err != nil {
			return nil, usagef("COURTESY_FINGERPRINT_KEY: %v", err)
		}
		for _, k := range keys {
			out = append(out, k.Secret)
		}
	}
	links := a.cfg.Secrets.LinkKeys
	for i := len(links) - 1; i >= 0; i-- {
		m := hmac.New(sha256.New, links[i].Secret)
		m.Write([]byte("courtesy address fingerprint"))
		out = append(out, m.Sum(nil))
	}
	return out, nil
}
