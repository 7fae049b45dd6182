package config

import (
	"strings"

	"github.com/courtesyhq/courtesy/internal/yamlnode"
	"github.com/courtesyhq/courtesy/locale"
	"github.com/courtesyhq/courtesy/throttle"
)

// decode copies what the file says into c. Values that do not parse are
// reported here, where their position is known; rules that relate fields
// wait for validate, after the defaults are in.
func (c *Config) decode(root *yamlnode.Map) {
	b := root.Sub("business")
	b.String("name", &c.Business.Name)
	b.String("postal_address", &c.Business.PostalAddress)
	b.String("from", &c.Business.From)
	b.String("reply_to", &c.Business.ReplyTo)
	b.String("owner_email", &c.Business.OwnerEmail)
	b.String("base_url", &c.Business.BaseURL)
	b.String("timezone", &c.Business.Timezone)
	b.String("locale", &c.Business.Locale)
	b.Close()

	ps := root.Sub("purposes")
	for _, name := range ps.Keys() {
		p := Purpose{Name: name}
		pm := root.Doc().Map(ps.Node(name), ps.Field(name))
		pm.Localized("title", &p.Title, &p.Titles, locale.Normalize)
		pm.Localized("description", &p.Description, &p.Descriptions, locale.Normalize)
		pm.Close()
		c.Purposes = append(c.Purposes, p)
	}
	ps.Close()

	l := root.Sub("limits")
	if _, ok := l.Strings("per_customer", func(_ int, s string) error {
		lim, err := throttle.ParseLimit(s)
		if err == nil {
			c.Limits.PerCustomer = append(c.Limits.PerCustomer, lim)
		}
		return err
	}); ok && c.Limits.PerCustomer == nil {
		c.Limits.PerCustomer = []throttle.Limit{} // written empty: no shared cap
	}
	l.Scalar("quiet_hours", func(s string) (err error) {
		if t := strings.TrimSpace(s); t == "" || strings.EqualFold(t, "none") {
			c.quietNone = true // written empty: messages may go at any hour
			return nil
		}
		c.Limits.QuietHours, err = throttle.ParseQuietHours(s)
		return err
	})
	l.Close()

	s := root.Sub("smtp")
	s.String("url", &c.SMTP.URL)
	s.String("return_path", &c.SMTP.ReturnPath)
	s.Float("max_per_second", &c.SMTP.MaxPerSecond)
	s.Int("max_connections", &c.SMTP.MaxConnections)
	s.Close()

	k := root.Sub("dkim")
	k.String("domain", &c.DKIM.Domain)
	k.String("selector", &c.DKIM.Selector)
	k.String("private_key_file", &c.DKIM.PrivateKeyFile)
	k.Close()

	g := root.Sub("guardrails")
	g.Float("max_optout_rate", &c.Guardrails.MaxOptoutRate)
	g.Float("max_complaint_rate", &c.Guardrails.MaxComplaintRate)
	g.Int("min_sample", &c.Guardrails.MinSample)
	g.Close()

	c.decodeRedis(root.Sub("redis"))

	d := root.Sub("database")
	d.String("url", &c.Database.URL)
	d.Close()

	c.decodeWeb(root.Sub("web"))

	t := root.Sub("tone")
	c.Tone.Rules, _ = t.Strings("rules", nil)
	t.Close()

	bo := root.Sub("bounces")
	bo.Int("soft_limit", &c.Bounces.SoftLimit)
	bo.Scalar("soft_window", func(s string) error {
		return c.Bounces.SoftWindow.UnmarshalText([]byte(s))
	})
	bo.Close()

	c.decodeIntegrations(root)
	c.decodeSignup(root)

	root.String("campaigns_dir", &c.CampaignsDir)
	root.String("templates_dir", &c.TemplatesDir)
	root.String("data_dir", &c.DataDir)
	root.Node("links") // known, so that it is refused below with a reason rather than as a typo
	root.Close()
	if k := root.KeyNode("links"); k != nil {
		root.Doc().Errorf(k, "links", "link keys are secrets: set COURTESY_LINK_KEYS in the environment, not the file")
	}
}
