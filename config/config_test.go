package config

import (
	"encoding/base64"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
)

const minimal = `business:
  name: "Crumb & Co. Bakery"
  postal_address: "12 Mill Lane, Bristol BS1 4DJ, UK"
  from: "Crumb & Co. <hello@crumb.example>"
  base_url: "https://crumb.example/"
  timezone: Europe/London
purposes:
  birthday:  { title: "Birthday treats" }
  reminders: { description: "One reminder." }
`

func mustParse(tb testing.TB, name, text string) *Config {
	tb.Helper()
	c, err := Parse(name, []byte(text))
	if err != nil {
		tb.Fatalf("Parse: %v", err)
	}
	return c
}

func TestDefaults(t *testing.T) {
	c := mustParse(t, "/etc/courtesy/courtesy.yaml", minimal)
	type view struct {
		BaseURL, Locale, QuietHours, SMTPURL, RedisURL, DatabaseURL, Listen string
		PerCustomer                                                         []string
		Purposes                                                            []Purpose
		MaxPerSecond                                                        float64
		MaxConnections, MinSample, SoftLimit                                int
		OptOut, Complaint                                                   float64
		SoftWindow                                                          time.Duration
		Dirs                                                                []string
	}
	got := view{
		BaseURL: c.Business.BaseURL, Locale: c.Business.Locale, QuietHours: c.Limits.QuietHours.String(),
		SMTPURL: c.SMTP.URL, RedisURL: c.Redis.URL, DatabaseURL: c.Database.URL, Listen: c.Web.Listen,
		Purposes: c.Purposes, MaxPerSecond: c.SMTP.MaxPerSecond, MaxConnections: c.SMTP.MaxConnections,
		MinSample: c.Guardrails.MinSample, SoftLimit: c.Bounces.SoftLimit, OptOut: c.Guardrails.MaxOptoutRate,
		Complaint: c.Guardrails.MaxComplaintRate, SoftWindow: time.Duration(c.Bounces.SoftWindow),
		Dirs: []string{c.Path(c.CampaignsDir), c.Path(c.TemplatesDir), c.Path(c.DataDir)},
	}
	for _, l := range c.Limits.PerCustomer {
		got.PerCustomer = append(got.PerCustomer, l.String())
	}
	want := view{
		BaseURL: "https://crumb.example", Locale: "en", QuietHours: "20:00-09:00",
		SMTPURL: "file:///etc/courtesy/data/outbox", RedisURL: "redis://127.0.0.1:6379/0",
		DatabaseURL: "sqlite:///etc/courtesy/data/courtesy.db", Listen: "127.0.0.1:8080",
		PerCustomer: []string{"1/1d", "3/7d"},
		Purposes: []Purpose{
			{Name: "birthday", Title: "Birthday treats"},
			{Name: "reminders", Title: "reminders", Description: "One reminder."},
		},
		MaxPerSecond: 10, MaxConnections: 4, MinSample: 200, SoftLimit: 3, OptOut: 0.02, Complaint: 0.003,
		SoftWindow: 14 * 24 * time.Hour,
		Dirs:       []string{"/etc/courtesy/campaigns", "/etc/courtesy/templates", "/etc/courtesy/data"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	if c.Location().String() != "Europe/London" {
		t.Errorf("Location = %v", c.Location())
	}
	if len(c.Warnings()) != 0 {
		t.Errorf("warnings: %v", c.Warnings())
	}
}

func TestExplicitEmptyLimitsMeanNoCap(t *testing.T) {
	c := mustParse(t, "courtesy.yaml", minimal+"limits:\n  per_customer: []\n")
	if c.Limits.PerCustomer == nil || len(c.Limits.PerCustomer) != 0 {
		t.Errorf("PerCustomer = %#v, want an empty, non-nil list", c.Limits.PerCustomer)
	}
}

func TestValidationErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{
			name: "bad quiet hours",
			yaml: minimal + "limits:\n  quiet_hours: \"25:00-09:00\"\n",
			want: []string{`courtesy.yaml:11: limits.quiet_hours: "25:00-09:00" is not a span of hours (write it like 20:00-09:00)`},
		},
		{
			name: "bad limit",
			yaml: minimal + "limits:\n  per_customer: [\"1/24h\", \"3/7x\"]\n",
			want: []string{`courtesy.yaml:11: limits.per_customer[1]: "3/7x" is not a limit: "7x" is not a duration: unit "x" is not one of w, d, h, m, s`},
		},
		{
			name: "unknown key with suggestion",
			yaml: minimal + "smtp:\n  max_per_secnd: 5\n",
			want: []string{`courtesy.yaml:11: smtp.max_per_secnd: unknown key (did you mean "max_per_second"?)`},
		},
		{
			name: "unknown top-level key",
			yaml: minimal + "templates_directory: t\n",
			want: []string{`courtesy.yaml:10: templates_directory: unknown key (did you mean "templates_dir"?)`},
		},
		{
			name: "required fields missing",
			yaml: "business:\n  from: nobody\n  base_url: http://crumb.example\n  timezone: Mars/Olympus\n",
			want: []string{
				`courtesy.yaml:1: business.name: is required: it signs every message`,
				`courtesy.yaml:1: business.postal_address: is required: the law asks for it in every marketing message`,
				`courtesy.yaml:2: business.from: "nobody" is not an email address`,
				`courtesy.yaml:3: business.base_url: "http://crumb.example" must be https: unsubscribe links carry personal tokens`,
				`courtesy.yaml:4: business.timezone: "Mars/Olympus" is not a time zone (write an IANA name such as Europe/London)`,
				`courtesy.yaml:1: purposes: none are configured: no campaign can be sent`,
			},
		},
		{
			name: "link keys in the file",
			yaml: minimal + "links:\n  keys: [\"k1:abc\"]\n",
			want: []string{`courtesy.yaml:10: links: link keys are secrets: set COURTESY_LINK_KEYS in the environment, not the file`},
		},
		{
			name: "wrong types",
			yaml: minimal + "smtp:\n  max_connections: many\nguardrails:\n  max_optout_rate: 2\n",
			want: []string{
				`courtesy.yaml:11: smtp.max_connections: "many" is not a whole number`,
				`courtesy.yaml:13: guardrails.max_optout_rate: 2 is not a rate between 0 and 1`,
			},
		},
		{
			name: "bad duration and url",
			yaml: minimal + "bounces:\n  soft_window: 2 weeks\ndatabase:\n  url: mysql://x\n",
			want: []string{
				`courtesy.yaml:11: bounces.soft_window: "2 weeks" is not a duration: unit " " is not one of w, d, h, m, s`,
				`courtesy.yaml:13: database.url: the scheme must be sqlite or postgres`,
			},
		},
		{
			name: "not yaml",
			yaml: "business: [\n",
			want: []string{`courtesy.yaml:1: did not find expected node content`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("courtesy.yaml", []byte(tt.yaml))
			var ds courtesy.Diagnostics
			if !errors.As(err, &ds) {
				t.Fatalf("Parse error = %v, want Diagnostics", err)
			}
			got := ds.Strings()
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLocalhostHTTPIsAWarning(t *testing.T) {
	c := mustParse(t, "courtesy.yaml", strings.Replace(minimal, "https://crumb.example/", "http://127.0.0.1:8080", 1))
	got := c.Warnings().Strings()
	want := []string{`courtesy.yaml:5: business.base_url: "http://127.0.0.1:8080" is plain http: fine on this machine, never for real customers`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

func TestPos(t *testing.T) {
	c := mustParse(t, "courtesy.yaml", minimal+"smtp:\n  max_connections: 2\n")
	for field, wantLine := range map[string]int{"business.timezone": 6, "smtp.max_connections": 11, "purposes.reminders": 9, "dkim.domain": 1} {
		if line, _ := c.Pos(field); line != wantLine {
			t.Errorf("Pos(%q) line = %d, want %d", field, line, wantLine)
		}
	}
}

func TestApplyEnv(t *testing.T) {
	c := mustParse(t, "courtesy.yaml", minimal)
	key := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("k", 32)))
	env := map[string]string{
		"REDIS_URL":               "redis://10.0.0.5:6379/2",
		"DATABASE_URL":            "postgres://db/courtesy",
		"SMTP_URL":                "smtps://u:p@mail.example:465",
		"COURTESY_LISTEN":         ":9000",
		"COURTESY_ADMIN_PASSWORD": "s3cret-but-long-enough",
		"COURTESY_API_KEYS":       "a1-0123456789abcdef, b2-0123456789abcdef ,",
		"COURTESY_LINK_KEYS":      "k2:" + key + ",k1:" + strings.TrimRight(key, "="),
	}
	if err := c.ApplyEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	got := []any{c.Redis.URL, c.Database.URL, c.SMTP.URL, c.Web.Listen, c.Secrets.AdminPassword, c.Secrets.APIKeys,
		c.Secrets.LinkKeys[0].ID, c.Secrets.LinkKeys[1].ID, string(c.Secrets.LinkKeys[1].Secret)}
	want := []any{"redis://10.0.0.5:6379/2", "postgres://db/courtesy", "smtps://u:p@mail.example:465", ":9000", "s3cret-but-long-enough",
		[]string{"a1-0123456789abcdef", "b2-0123456789abcdef"}, "k2", "k1", strings.Repeat("k", 32)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	unset := mustParse(t, "courtesy.yaml", minimal)
	if err := unset.ApplyEnv(func(string) string { return "" }); err != nil || unset.Redis.URL != "redis://127.0.0.1:6379/0" {
		t.Errorf("empty environment changed the config: %v %q", err, unset.Redis.URL)
	}
}

// The link keys are parsed by consent.ParseKeys; what ApplyEnv adds is the
// variable's name, and no secret in the message.
func TestApplyEnvNamesBadLinkKeys(t *testing.T) {
	short := base64.StdEncoding.EncodeToString([]byte("short"))
	long := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("x", 40)))
	for _, in := range []string{long, "k1:" + short, "k1:!!!", "k1:" + long + ",k1:" + long, ","} {
		c := mustParse(t, "courtesy.yaml", minimal)
		err := c.ApplyEnv(func(k string) string { return map[string]string{"COURTESY_LINK_KEYS": in}[k] })
		if err == nil || !strings.HasPrefix(err.Error(), "COURTESY_LINK_KEYS: ") {
			t.Errorf("ApplyEnv(%q) error = %v, want one naming COURTESY_LINK_KEYS", in, err)
			continue
		}
		if strings.Contains(err.Error(), long) || strings.Contains(err.Error(), short) {
			t.Errorf("ApplyEnv(%q) error quotes the secret: %v", in, err)
		}
	}
}

func TestPathKeepsAbsolute(t *testing.T) {
	c := mustParse(t, "conf/courtesy.yaml", minimal)
	abs, _ := filepath.Abs("conf/data")
	if got := c.Path("data"); got != abs {
		t.Errorf("Path(data) = %q, want %q", got, abs)
	}
	if got := c.Path("/var/lib/courtesy"); got != "/var/lib/courtesy" {
		t.Errorf("Path(abs) = %q", got)
	}
}

func TestLoadBakeryExample(t *testing.T) {
	c, err := Load("../examples/bakery/courtesy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Warnings()) != 0 {
		t.Errorf("warnings: %v", c.Warnings())
	}
	if diff := cmp.Diff([]string{"birthday", "reminders", "surveys"}, c.PurposeNames()); diff != "" {
		t.Errorf("purposes (-want +got):\n%s", diff)
	}
}

// TestDataDirFromTheEnvironment: a read-only config directory (a container
// mounts it so) keeps working when COURTESY_DATA_DIR moves the data
// directory elsewhere; the defaults that live in the data directory follow
// it, and URLs given explicitly stay where they were put.
func TestDataDirFromTheEnvironment(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "var", "courtesy")
	c := mustParse(t, filepath.Join(dir, "etc", "courtesy.yaml"), minimal)
	if err := c.ApplyEnv(func(k string) string { return map[string]string{"COURTESY_DATA_DIR": data}[k] }); err != nil {
		t.Fatal(err)
	}
	got := []string{c.Path(c.DataDir), c.Database.URL, c.SMTP.URL}
	want := []string{data, "sqlite://" + filepath.Join(data, "courtesy.db"), "file://" + filepath.Join(data, "outbox")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	explicit := mustParse(t, filepath.Join(dir, "etc", "courtesy.yaml"), minimal+"database:\n  url: postgres://db/courtesy\nsmtp:\n  url: smtp://mail:25\n")
	if err := explicit.ApplyEnv(func(k string) string { return map[string]string{"COURTESY_DATA_DIR": data}[k] }); err != nil {
		t.Fatal(err)
	}
	if explicit.Database.URL != "postgres://db/courtesy" || explicit.SMTP.URL != "smtp://mail:25" {
		t.Errorf("COURTESY_DATA_DIR moved URLs written in the file: %q %q", explicit.Database.URL, explicit.SMTP.URL)
	}
}
