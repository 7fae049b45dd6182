package config

import (
	"net/url"
	"strings"

	"github.com/courtesyhq/courtesy/config/yamlnode"
)

// Signup is what the sign-up page (/join) and the forms made by
// `courtesy form` tell a person before they agree.
type Signup struct {
	// Notice is the wording shown beside the boxes; each consent given
	// through the page records it. Defaults to DefaultNotice.
	Notice Notice
	// PrivacyURL is the shop's privacy policy, linked under the notice.
	// https, or http on this machine only. Defaults to none.
	PrivacyURL string
}

// Notice is one version of the sign-up wording. A new wording needs a new
// version: a confirmation link made under the old one is then refused,
// because the person agreed to words the shop no longer shows.
type Notice struct {
	// Version names the wording, such as "2026-11". Defaults to "1" with
	// the default text, and is required with a text of the shop's own.
	Version string
	// Text is the wording itself, plain text.
	Text string
}

// DefaultNotice is shown when courtesy.yaml has no signup.notice.
var DefaultNotice = Notice{
	Version: "1",
	Text: "We will write to you only about what you tick here, and never more often than our limits allow. " +
		"Every message has a link to change your choices or stop them in one click.",
}

func (c *Config) decodeSignup(root *yamlnode.Map) {
	s := root.Sub("signup")
	n := s.Sub("notice")
	n.String("version", &c.Signup.Notice.Version)
	n.String("text", &c.Signup.Notice.Text)
	n.Close()
	s.String("privacy_url", &c.Signup.PrivacyURL)
	s.Close()
}

func (c *Config) setSignupDefaults() {
	n := &c.Signup.Notice
	n.Version, n.Text = strings.TrimSpace(n.Version), strings.TrimSpace(n.Text)
	if n.Version == "" && n.Text == "" {
		*n = DefaultNotice
	}
}

func (c *Config) validateSignup(bad func(field, format string, args ...any)) {
	n := c.Signup.Notice
	switch {
	case n.Text == "":
		bad("signup.notice.text", "is required with a version: it is what a person agrees to")
	case n.Version == "":
		bad("signup.notice.version", "is required with a text: each consent records which wording was shown")
	case len(n.Version) > 64 || strings.ContainsAny(n.Version, "\r\n"):
		bad("signup.notice.version", "%q: at most 64 characters on one line", n.Version)
	case len(n.Text) > 4000:
		bad("signup.notice.text", "has %d characters: a notice a person reads has at most 4000", len(n.Text))
	}
	if raw := c.Signup.PrivacyURL; raw != "" {
		u, err := url.Parse(raw)
		switch {
		case err != nil || u.Host == "":
			bad("signup.privacy_url", "%q is not an absolute URL", raw)
		case u.Scheme == "https":
		case u.Scheme == "http" && isLocalHost(u.Hostname()):
		default:
			bad("signup.privacy_url", "%q must be https", raw)
		}
	}
}

func isLocalHost(h string) bool { return h == "localhost" || h == "127.0.0.1" || h == "::1" }
