package config

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/courtesyhq/courtesy/internal/yamlnode"
	"github.com/courtesyhq/courtesy/throttle"
)

// Web is the HTTP server.
type Web struct {
	// Listen is host:port. Defaults to 127.0.0.1:8080; COURTESY_LISTEN overrides it.
	Listen string
	// MetricsListen is a host:port of its own for /metrics, which the main
	// listener then no longer serves. Defaults to "": /metrics is served on
	// Listen.
	MetricsListen string
	// ClientIPHeader names the header a reverse proxy puts the client's
	// address in, such as X-Forwarded-For or X-Real-IP. It is believed only
	// from a connection out of TrustedProxies. Defaults to "": the
	// connection's own address is the client's.
	ClientIPHeader string
	// TrustedProxies are the address ranges of the proxies in front of
	// courtesy, in CIDR form. Required with ClientIPHeader. Defaults to none.
	TrustedProxies []netip.Prefix
	// RateLimit applies per client address to the customer pages. Defaults
	// to 2 per second with bursts of 40.
	RateLimit WebRate
	// CustomerLimit caps the POSTs one customer's links may make, across
	// every web process. Defaults to 30/1h.
	CustomerLimit throttle.Limit
	// FreshLinkLimit caps the emails with a fresh link one customer can be
	// sent from expired pages. Defaults to 3/24h.
	FreshLinkLimit throttle.Limit
	// Login limits sign-in attempts to the dashboard.
	Login LoginLimits
}

// WebRate is a token bucket.
type WebRate struct {
	// PerSecond is the sustained rate. Defaults to 2.
	PerSecond float64
	// Burst is how many requests may come at once. Defaults to 40.
	Burst int
}

// LoginLimits slow down password guessing at /admin/login with a backoff
// that doubles with every failure past the free ones.
type LoginLimits struct {
	// PerAddress is the failures one client address may make before it
	// backs off. Defaults to 5.
	PerAddress int
	// PerAccount is the failures, from every browser that has never signed
	// in, before those browsers back off. A browser that has signed in
	// before is not held back by the others' failures. Defaults to 20.
	PerAccount int
	// MaxBackoff caps the wait. Defaults to 15m.
	MaxBackoff Duration
}

func (c *Config) decodeWeb(w *yamlnode.Map) {
	w.String("listen", &c.Web.Listen)
	w.String("metrics_listen", &c.Web.MetricsListen)
	w.Scalar("client_ip_header", func(s string) error {
		s = strings.TrimSpace(s)
		if s != "" && !headerName(s) {
			return fmt.Errorf("%q is not a header name", s)
		}
		c.Web.ClientIPHeader = s
		return nil
	})
	w.Strings("trusted_proxies", func(_ int, s string) error {
		p, err := parsePrefix(s)
		if err == nil {
			c.Web.TrustedProxies = append(c.Web.TrustedProxies, p)
		}
		return err
	})
	rl := w.Sub("rate_limit")
	rl.Float("per_second", &c.Web.RateLimit.PerSecond)
	rl.Int("burst", &c.Web.RateLimit.Burst)
	rl.Close()
	for key, dst := range map[string]*throttle.Limit{"customer_limit": &c.Web.CustomerLimit, "fresh_link_limit": &c.Web.FreshLinkLimit} {
		w.Scalar(key, func(s string) (err error) {
			*dst, err = throttle.ParseLimit(s)
			return err
		})
	}
	lg := w.Sub("login")
	lg.Int("per_address", &c.Web.Login.PerAddress)
	lg.Int("per_account", &c.Web.Login.PerAccount)
	lg.Scalar("max_backoff", func(s string) error { return c.Web.Login.MaxBackoff.UnmarshalText([]byte(s)) })
	lg.Close()
	w.Close()
}

// headerName reports whether s is made only of the characters a header
// name may hold.
func headerName(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// parsePrefix reads a CIDR range; a bare address is a range of one.
func parsePrefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%q is not an address or a CIDR range such as 10.0.0.0/8", s)
		}
		return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not a CIDR range such as 10.0.0.0/8", s)
	}
	if p.Masked() != p {
		return netip.Prefix{}, fmt.Errorf("%q has host bits set: write %s", s, p.Masked())
	}
	return p, nil
}

func (c *Config) setWebDefaults() {
	w := &c.Web
	if w.Listen == "" {
		w.Listen = "127.0.0.1:8080"
	}
	if w.RateLimit.PerSecond == 0 {
		w.RateLimit.PerSecond = 2
	}
	if w.RateLimit.Burst == 0 {
		w.RateLimit.Burst = 40
	}
	if w.CustomerLimit == (throttle.Limit{}) {
		w.CustomerLimit = throttle.Limit{Count: 30, Window: time.Hour}
	}
	if w.FreshLinkLimit == (throttle.Limit{}) {
		w.FreshLinkLimit = throttle.Limit{Count: 3, Window: 24 * time.Hour}
	}
	if w.Login.PerAddress == 0 {
		w.Login.PerAddress = 5
	}
	if w.Login.PerAccount == 0 {
		w.Login.PerAccount = 20
	}
	if w.Login.MaxBackoff == 0 {
		w.Login.MaxBackoff = Duration(15 * time.Minute)
	}
}

func (c *Config) validateWeb(bad func(field, format string, args ...any)) {
	w := c.Web
	if _, _, err := net.SplitHostPort(w.Listen); err != nil {
		bad("web.listen", "%q is not host:port", w.Listen)
	}
	if w.MetricsListen != "" {
		if _, _, err := net.SplitHostPort(w.MetricsListen); err != nil {
			bad("web.metrics_listen", "%q is not host:port", w.MetricsListen)
		} else if w.MetricsListen == w.Listen {
			bad("web.metrics_listen", "%q is web.listen too: give /metrics an address of its own, or leave it out", w.MetricsListen)
		}
	}
	if w.ClientIPHeader != "" && len(w.TrustedProxies) == 0 {
		bad("web.client_ip_header", "is set without web.trusted_proxies: list the address ranges of the proxies in front of courtesy, or anyone could claim any address")
	}
	if w.ClientIPHeader == "" && len(w.TrustedProxies) > 0 {
		bad("web.trusted_proxies", "is set without web.client_ip_header: name the header the proxies write the client's address in")
	}
	if w.RateLimit.PerSecond < 0 {
		bad("web.rate_limit.per_second", "must be more than 0")
	}
	if w.RateLimit.Burst < 0 {
		bad("web.rate_limit.burst", "must be 1 or more")
	}
	for field, l := range map[string]throttle.Limit{"web.customer_limit": w.CustomerLimit, "web.fresh_link_limit": w.FreshLinkLimit} {
		if l.Count < 1 {
			bad(field, "%s: allow at least 1", l)
		}
	}
	if w.Login.PerAddress < 0 {
		bad("web.login.per_address", "must be 1 or more")
	}
	if w.Login.PerAccount < 0 {
		bad("web.login.per_account", "must be 1 or more")
	}
	if w.Login.MaxBackoff < 0 {
		bad("web.login.max_backoff", "must be more than 0")
	}
}
