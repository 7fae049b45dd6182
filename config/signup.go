package config

import (
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/courtesyhq/courtesy/internal/yamlnode"
	"github.com/courtesyhq/courtesy/locale"
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
	// Text is the wording itself, plain text. Defaults, when it is
	// written per locale, to the business locale's.
	Text string
	// Texts is the same per BCP 47 locale, when the file writes it so
	// ("text: {en: …, de: …}"): the sign-up page shows each reader the one
	// in their language. Defaults to none.
	Texts map[string]string
}

// TextIn is the notice in the language of lang, and the locale it is
// written under; "" for the default text.
func (n Notice) TextIn(lang string) (text, loc string) {
	if k, ok := locale.ChooseKey(n.Texts, lang); ok {
		return n.Texts[k], k
	}
	return n.Text, ""
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
	n.Localized("text", &c.Signup.Notice.Text, &c.Signup.Notice.Texts, locale.Normalize)
	n.Close()
	s.String("privacy_url", &c.Signup.PrivacyURL)
	s.Close()
}

func (c *Config) setSignupDefaults() {
	n := &c.Signup.Notice
	n.Version, n.Text = strings.TrimSpace(n.Version), strings.TrimSpace(n.Text)
	for k, v := range n.Texts {
		n.Texts[k] = strings.TrimSpace(v)
	}
	if n.Text == "" {
		n.Text = locale.DefaultOf(n.Texts, c.Business.Locale)
	}
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
	for _, k := range slices.Sorted(maps.Keys(n.Texts)) {
		switch t := n.Texts[k]; {
		case t == "":
			bad("signup.notice.text."+k, "is empty: a person reading %s would agree to nothing", k)
		case len(t) > 4000:
			bad("signup.notice.text."+k, "has %d characters: a notice a person reads has at most 4000", len(t))
		}
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
