package config

import (
	"net/mail"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/internal/yamlnode"
	"github.com/courtesyhq/courtesy/locale"
	"github.com/courtesyhq/courtesy/throttle"
)

// setDefaults is the one place defaults are filled in; each field's comment
// repeats its default.
func (c *Config) setDefaults() {
	if c.Business.Timezone == "" {
		c.Business.Timezone = "UTC"
	}
	if c.Business.Locale == "" {
		c.Business.Locale = "en"
	}
	c.Business.BaseURL = strings.TrimRight(c.Business.BaseURL, "/")
	for i := range c.Purposes {
		p := &c.Purposes[i]
		if p.Title == "" {
			p.Title = locale.DefaultOf(p.Titles, c.Business.Locale)
		}
		if p.Title == "" {
			p.Title = p.Name
		}
		if p.Description == "" {
			p.Description = locale.DefaultOf(p.Descriptions, c.Business.Locale)
		}
	}
	if c.Limits.PerCustomer == nil {
		c.Limits.PerCustomer = []throttle.Limit{{Count: 1, Window: 24 * time.Hour}, {Count: 3, Window: 7 * Day}}
	}
	if c.Limits.QuietHours.IsZero() && !c.quietNone {
		c.Limits.QuietHours = throttle.QuietHours{Start: throttle.ClockTime{Hour: 20}, End: throttle.ClockTime{Hour: 9}}
	}
	if c.CampaignsDir == "" {
		c.CampaignsDir = "campaigns"
	}
	if c.TemplatesDir == "" {
		c.TemplatesDir = "templates"
	}
	if c.DataDir == "" {
		c.DataDir = "data"
	}
	c.smtpInData = c.SMTP.URL == ""
	c.dbInData = c.Database.URL == ""
	c.setDataDefaults()
	if c.SMTP.MaxPerSecond == 0 {
		c.SMTP.MaxPerSecond = 10
	}
	if c.SMTP.MaxConnections == 0 {
		c.SMTP.MaxConnections = 4
	}
	if c.Guardrails.MaxOptoutRate == 0 {
		c.Guardrails.MaxOptoutRate = 0.02
	}
	if c.Guardrails.MaxComplaintRate == 0 {
		c.Guardrails.MaxComplaintRate = 0.003
	}
	if c.Guardrails.MinSample == 0 {
		c.Guardrails.MinSample = 200
	}
	if c.Redis.URL == "" {
		c.Redis.URL = "redis://127.0.0.1:6379/0"
	}
	c.setWebDefaults()
	if c.Bounces.SoftLimit == 0 {
		c.Bounces.SoftLimit = 3
	}
	if c.Bounces.SoftWindow == 0 {
		c.Bounces.SoftWindow = Duration(14 * Day)
	}
	c.setSignupDefaults()
}

// setDataDefaults points the outbox and the database that were not written
// in the file at the data directory: at load, and again when
// COURTESY_DATA_DIR moves it.
func (c *Config) setDataDefaults() {
	if c.smtpInData {
		c.SMTP.URL = fileURL(filepath.Join(c.Path(c.DataDir), "outbox"))
	}
	if c.dbInData {
		c.Database.URL = "sqlite://" + filepath.ToSlash(filepath.Join(c.Path(c.DataDir), "courtesy.db"))
	}
}

func fileURL(path string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}

var purposeName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// validate checks the rules a value alone cannot: required fields, formats
// and fields that must agree.
func (c *Config) validate(doc *yamlnode.Doc) {
	bad := func(field, format string, args ...any) { doc.At(courtesy.SeverityError, field, format, args...) }
	warn := func(field, format string, args ...any) { doc.At(courtesy.SeverityWarning, field, format, args...) }
	b := c.Business

	if strings.TrimSpace(b.Name) == "" {
		bad("business.name", "is required: it signs every message")
	}
	if strings.TrimSpace(b.PostalAddress) == "" {
		bad("business.postal_address", "is required: the law asks for it in every marketing message")
	}
	if b.From == "" {
		bad("business.from", "is required: the sender of every message")
	} else if _, err := mail.ParseAddress(b.From); err != nil {
		bad("business.from", "%q is not an email address", b.From)
	}
	for _, a := range []struct{ field, v string }{
		{"business.reply_to", b.ReplyTo}, {"business.owner_email", b.OwnerEmail}, {"smtp.return_path", c.SMTP.ReturnPath},
	} {
		if a.v != "" {
			if _, err := mail.ParseAddress(a.v); err != nil {
				bad(a.field, "%q is not an email address", a.v)
			}
		}
	}
	c.validateBaseURL(bad, warn)
	if loc, err := time.LoadLocation(b.Timezone); err != nil || b.Timezone == "Local" {
		bad("business.timezone", "%q is not a time zone (write an IANA name such as Europe/London)", b.Timezone)
	} else {
		c.loc = loc
	}
	if _, ok := doc.Pos["business.timezone"]; !ok {
		warn("business.timezone", "is not set: customers without a time zone are written to on UTC time")
	}

	if len(c.Purposes) == 0 {
		warn("purposes", "none are configured: no campaign can be sent")
	}
	for _, p := range c.Purposes {
		if !purposeName.MatchString(p.Name) {
			bad("purposes."+p.Name, "%q is not a purpose name (lower-case letters, digits, - and _)", p.Name)
		}
	}

	for _, l := range c.Limits.PerCustomer {
		if l.Window < time.Hour {
			bad("limits.per_customer", "%s: a window under an hour is no limit at all", l)
		}
	}

	switch u, err := url.Parse(c.SMTP.URL); {
	case err != nil:
		bad("smtp.url", "%q is not a URL", c.SMTP.URL)
	case u.Scheme != "smtp" && u.Scheme != "smtps" && u.Scheme != "file":
		bad("smtp.url", "%q: the scheme must be smtp, smtps or file", u.Redacted())
	}
	if c.SMTP.MaxPerSecond < 0 {
		bad("smtp.max_per_second", "must be more than 0")
	}
	if c.SMTP.MaxConnections < 0 {
		bad("smtp.max_connections", "must be 1 or more")
	}

	if k := c.DKIM; k != (DKIM{}) {
		if k.Domain == "" || k.Selector == "" || k.PrivateKeyFile == "" {
			bad("dkim", "domain, selector and private_key_file go together")
		}
		if from, err := mail.ParseAddress(b.From); err == nil && k.Domain != "" {
			d := strings.ToLower(from.Address[strings.LastIndex(from.Address, "@")+1:])
			kd := strings.ToLower(k.Domain)
			if d != kd && !strings.HasSuffix(d, "."+kd) {
				warn("dkim.domain", "%q does not align with the From domain %q: receivers will not count the signature", k.Domain, d)
			}
		}
	}

	g := c.Guardrails
	if g.MaxOptoutRate < 0 || g.MaxOptoutRate > 1 {
		bad("guardrails.max_optout_rate", "%v is not a rate between 0 and 1", g.MaxOptoutRate)
	}
	if g.MaxComplaintRate < 0 || g.MaxComplaintRate > 1 {
		bad("guardrails.max_complaint_rate", "%v is not a rate between 0 and 1", g.MaxComplaintRate)
	}
	if g.MinSample < 0 {
		bad("guardrails.min_sample", "must be 1 or more")
	}

	c.validateRedis(bad)
	if u, err := url.Parse(c.Database.URL); err != nil ||
		(u.Scheme != "sqlite" && u.Scheme != "postgres" && u.Scheme != "postgresql") {
		bad("database.url", "the scheme must be sqlite or postgres")
	}
	c.validateWeb(bad)
	if c.Bounces.SoftLimit < 0 {
		bad("bounces.soft_limit", "must be 1 or more")
	}
	if c.Bounces.SoftWindow < 0 {
		bad("bounces.soft_window", "must be more than 0")
	}
	c.validateSignup(bad)
}

func (c *Config) validateBaseURL(bad, warn func(string, string, ...any)) {
	raw := c.Business.BaseURL
	if raw == "" {
		bad("business.base_url", "is required: the unsubscribe and preference links are built on it")
		return
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		bad("business.base_url", "%q is not a base URL such as https://shop.example", raw)
		return
	}
	switch u.Scheme {
	case "https":
	case "http":
		switch u.Hostname() {
		case "localhost", "127.0.0.1", "::1":
			warn("business.base_url", "%q is plain http: fine on this machine, never for real customers", raw)
		default:
			bad("business.base_url", "%q must be https: unsubscribe links carry personal tokens", raw)
		}
	default:
		bad("business.base_url", "%q must be https", raw)
	}
}
