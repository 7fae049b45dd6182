// Package config reads courtesy.yaml: the business, its consent purposes,
// the limits every message obeys and where the services are. Load fills the
// defaults and validates everything, reporting each problem with its file,
// line and field; secrets never live in the file and come from ApplyEnv.
//
// It also owns the written forms people type in files, flags and
// preferences — durations ("3d"), limits ("3/7d"), times of day and quiet
// hours ("20:00-09:00") — which throttle and the commands read through it.
package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/internal/yamlnode"
	"github.com/courtesyhq/courtesy/locale"
	"github.com/courtesyhq/courtesy/throttle"
)

// Config is the whole of courtesy.yaml.
type Config struct {
	Business Business
	// Purposes are the consent topics a customer can choose, in file order.
	// At least one is needed for any campaign to be valid.
	Purposes   []Purpose
	Limits     Limits
	SMTP       SMTP
	DKIM       DKIM // optional; zero when messages are not signed
	Guardrails Guardrails
	Redis      Redis
	Database   Database
	Web        Web
	Tone       Tone
	Bounces    Bounces
	// Integrations are the shop platforms whose webhooks are taken.
	Integrations Integrations
	// Signup is the wording of the sign-up page; see Signup.
	Signup Signup
	// CampaignsDir holds the campaign files. Defaults to "campaigns".
	CampaignsDir string
	// TemplatesDir holds the template files. Defaults to "templates".
	TemplatesDir string
	// DataDir holds the SQLite database and other local state; courtesy
	// writes nowhere else, so the config directory may be read-only.
	// Defaults to "data"; COURTESY_DATA_DIR overrides it.
	DataDir string

	// Secrets come from the environment only (ApplyEnv), never the file.
	Secrets Secrets

	warnings courtesy.Diagnostics
	// quietNone records that quiet_hours was written empty on purpose.
	quietNone bool
	file      string // the file the config was read from
	dir       string // relative paths are resolved against it
	loc       *time.Location
	pos       map[string]yamlnode.Position

	// smtpInData and dbInData record that the outbox and the database
	// were left to their defaults inside DataDir, so they follow it.
	smtpInData, dbInData bool
}

// Business is who the messages come from.
type Business struct {
	// Name is shown in every message's footer. Required.
	Name string
	// PostalAddress goes in every message's footer. Required.
	PostalAddress string
	// From is the sender, "Name <address>" or an address. Required.
	From string
	// ReplyTo receives the customers' replies. Defaults to none (replies go to From).
	ReplyTo string
	// OwnerEmail receives guardrail alerts and reports. Defaults to none.
	OwnerEmail string
	// BaseURL is where the web pages are reached from the messages: https,
	// or http for localhost only. Required. Stored without a trailing slash.
	BaseURL string
	// Timezone is used for customers without one. Defaults to "UTC".
	Timezone string
	// Locale is used for customers without one. Defaults to "en".
	Locale string
}

// Purpose is a consent topic.
type Purpose struct {
	// Name is the key it is written under, such as "birthday".
	Name string
	// Title is shown on the preference page. Defaults to the name, or,
	// when it is written per locale, to the business locale's.
	Title string
	// Description says what the customer agrees to. Defaults to none, or,
	// when it is written per locale, to the business locale's.
	Description string
	// Titles and Descriptions are the same per BCP 47 locale, when the
	// file writes them so ("title: {en: …, es: …}"). Defaults to none.
	Titles, Descriptions map[string]string
}

// TitleIn is the purpose's title in the language of lang, or its default.
func (p Purpose) TitleIn(lang string) string {
	return locale.ChooseOr(p.Titles, lang, p.Title)
}

// DescriptionIn is the purpose's description in the language of lang, or
// its default.
func (p Purpose) DescriptionIn(lang string) string {
	return locale.ChooseOr(p.Descriptions, lang, p.Description)
}

// Limits apply to every customer across all campaigns.
type Limits struct {
	// PerCustomer caps messages per customer. Defaults to 1/24h and 3/7d;
	// an explicit empty list means no shared cap.
	PerCustomer []throttle.Limit
	// QuietHours is the local time in which nothing is sent. Defaults to
	// 20:00-09:00; "none" (or "") lets messages go at any hour.
	QuietHours throttle.QuietHours
}

// SMTP is the outgoing mail service.
type SMTP struct {
	// URL is smtp://, smtps:// or file:// (an outbox of .eml files).
	// Defaults to file://<data_dir>/outbox; SMTP_URL overrides it.
	URL string
	// ReturnPath is the envelope sender bounces go to, "bounce@domain"; each
	// message goes out from its own VERP address "bounce+token@domain", which
	// names the message when it bounces. Defaults to the From address, unVERPed.
	ReturnPath string
	// MaxPerSecond is shared by every worker on every machine. Defaults to 10.
	MaxPerSecond float64
	// MaxConnections is the number of SMTP connections per worker. Defaults to 4.
	MaxConnections int
}

// DKIM signs every message when Domain is set.
type DKIM struct {
	// Domain is the d= of the signature. Defaults to none (no signing).
	Domain string
	// Selector is the s= of the signature. Required with Domain.
	Selector string
	// PrivateKeyFile is a PEM key, RSA of 2048 bits or more or Ed25519,
	// relative to the config file. Required with Domain.
	PrivateKeyFile string
}

// Enabled reports whether messages are signed.
func (d DKIM) Enabled() bool { return d.Domain != "" }

// Guardrails pause a campaign that upsets its recipients.
type Guardrails struct {
	// MaxOptoutRate pauses a campaign above it. Defaults to 0.02.
	MaxOptoutRate float64
	// MaxComplaintRate pauses a campaign above it. Defaults to 0.003.
	MaxComplaintRate float64
	// MinSample is the number of sends before the rates are judged. Defaults to 200.
	MinSample int
}

// Redis is the queue and the shared limits. Its passwords never go in
// the file: they come from the environment (Secrets.RedisPassword and
// Secrets.RedisSentinelPassword), or for one node from REDIS_URL.
type Redis struct {
	// URL of a single server. Defaults to redis://127.0.0.1:6379/0; REDIS_URL overrides it.
	URL string
	// Username is the ACL user courtesy signs in to the Redis nodes as —
	// the one node, Sentinel's primary and replicas, or the Cluster's
	// nodes — with COURTESY_REDIS_PASSWORD. Defaults to none: the URL's
	// user, else Redis's default user.
	Username string
	// DB is the database number of the primary under Sentinel. One node
	// names its database in the URL; a Cluster has only database 0.
	// Defaults to 0.
	DB int
	// TLS speaks TLS to every Redis node and Sentinel. A rediss:// URL
	// says the same for one node. Defaults to false.
	TLS bool
	// TLSCAFile is a PEM file of the certificate authority that signed the
	// servers' certificates, relative to the config file; setting it turns
	// TLS on. Defaults to none: the system's trusted roots.
	TLSCAFile string
	// Sentinel, when its Master is set, is used instead of URL. Defaults to unset.
	Sentinel Sentinel
	// Cluster, when its Addrs are set, is used instead of URL. Defaults to unset.
	Cluster Cluster
}

// Sentinel names a Redis Sentinel setup.
type Sentinel struct {
	Master string
	Addrs  []string
	// Username is the ACL user of the Sentinels themselves, whose password
	// is COURTESY_REDIS_SENTINEL_PASSWORD. Defaults to none.
	Username string
}

// UsesTLS reports whether courtesy speaks TLS to Redis: redis.tls, a CA
// file, or a rediss:// URL for one node.
func (r Redis) UsesTLS() bool {
	return r.TLS || r.TLSCAFile != "" || (r.Sentinel.Master == "" && len(r.Cluster.Addrs) == 0 && strings.HasPrefix(r.URL, "rediss://"))
}

// Cluster names the seed nodes of a Redis Cluster.
type Cluster struct {
	Addrs []string
}

// Database is the store.
type Database struct {
	// URL is sqlite://PATH or postgres://…. Defaults to
	// sqlite://<data_dir>/courtesy.db; DATABASE_URL overrides it.
	URL string
}

// Tone configures the tone checks.
type Tone struct {
	// Rules are files of extra tone rules, relative to the config file. Defaults to none.
	Rules []string
}

// Bounces decides when soft bounces suppress an address.
type Bounces struct {
	// SoftLimit soft bounces within SoftWindow suppress the address. Defaults to 3.
	SoftLimit int
	// SoftWindow defaults to 14d.
	SoftWindow Duration
}

// Load reads and validates the config file at path. Problems with its
// content are returned as courtesy.Diagnostics.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(path, data)
}

// Parse reads and validates a config whose file is called name; relative
// directories are resolved against name's directory. Problems are returned
// as courtesy.Diagnostics; warnings alone do not fail it (see Warnings).
func Parse(name string, data []byte) (*Config, error) {
	doc, root := yamlnode.Parse(name, data)
	dir := filepath.Dir(name)
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs // the default URLs below need an absolute path
	}
	c := &Config{file: name, dir: dir, pos: doc.Pos}
	if doc.Diags.HasErrors() { // not YAML: nothing below would make sense
		return nil, doc.Diags
	}
	c.decode(doc.Map(root, ""))
	c.setDefaults()
	c.validate(doc)
	c.warnings = warningsOf(doc.Diags)
	if doc.Diags.HasErrors() {
		return nil, doc.Diags
	}
	return c, nil
}

func warningsOf(ds courtesy.Diagnostics) courtesy.Diagnostics {
	var out courtesy.Diagnostics
	for _, d := range ds {
		if d.Severity != courtesy.SeverityError {
			out = append(out, d)
		}
	}
	return out
}

// File returns the file the config was read from.
func (c *Config) File() string { return c.file }

// Dir returns the directory relative paths are resolved against.
func (c *Config) Dir() string { return c.dir }

// Path resolves a path written in the config against the config file's
// directory; an absolute path is returned as it is.
func (c *Config) Path(rel string) string {
	if rel == "" || filepath.IsAbs(rel) {
		return rel
	}
	return filepath.Join(c.dir, rel)
}

// Location is the business's time zone, loaded.
func (c *Config) Location() *time.Location {
	if c.loc == nil {
		return time.UTC
	}
	return c.loc
}

// Pos returns where field ("smtp.max_per_second") was written, or its
// nearest written parent; line 0 when the config was not read from a file.
func (c *Config) Pos(field string) (line, col int) {
	if c.pos == nil {
		return 0, 0
	}
	d := yamlnode.Doc{Pos: c.pos}
	p := d.Lookup(field)
	return p.Line, p.Col
}

// Warnings are the problems found that do not stop courtesy, such as an
// http base URL on localhost.
func (c *Config) Warnings() courtesy.Diagnostics { return c.warnings }

// Purpose returns the purpose called name.
func (c *Config) Purpose(name string) (Purpose, bool) {
	for _, p := range c.Purposes {
		if p.Name == name {
			return p, true
		}
	}
	return Purpose{}, false
}

// PurposeNames lists the purposes in file order.
func (c *Config) PurposeNames() []string {
	out := make([]string, len(c.Purposes))
	for i, p := range c.Purposes {
		out[i] = p.Name
	}
	return out
}
