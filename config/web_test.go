package config

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy/throttle"
)

func TestWebSection(t *testing.T) {
	c := mustParse(t, "courtesy.yaml", minimal+`web:
  listen: 0.0.0.0:8080
  metrics_listen: 127.0.0.1:9090
  client_ip_header: X-Forwarded-For
  trusted_proxies: [10.0.0.0/8, 192.0.2.7, "fd00::/8"]
  rate_limit: { per_second: 5, burst: 20 }
  customer_limit: 10/1h
  fresh_link_limit: 2/1d
  login: { per_address: 3, per_account: 50, max_backoff: 1h }
`)
	want := Web{
		Listen: "0.0.0.0:8080", MetricsListen: "127.0.0.1:9090", ClientIPHeader: "X-Forwarded-For",
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32"), netip.MustParsePrefix("fd00::/8")},
		RateLimit:      WebRate{PerSecond: 5, Burst: 20},
		CustomerLimit:  throttle.Limit{Count: 10, Window: time.Hour}, FreshLinkLimit: throttle.Limit{Count: 2, Window: 24 * time.Hour},
		Login: LoginLimits{PerAddress: 3, PerAccount: 50, MaxBackoff: Duration(time.Hour)},
	}
	if diff := cmp.Diff(want, c.Web, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Errorf("web (-want +got):\n%s", diff)
	}

	d := mustParse(t, "courtesy.yaml", minimal).Web
	wantDefaults := Web{Listen: "127.0.0.1:8080", RateLimit: WebRate{PerSecond: 2, Burst: 40},
		CustomerLimit: throttle.Limit{Count: 30, Window: time.Hour}, FreshLinkLimit: throttle.Limit{Count: 3, Window: 24 * time.Hour},
		Login: LoginLimits{PerAddress: 5, PerAccount: 20, MaxBackoff: Duration(15 * time.Minute)}}
	if diff := cmp.Diff(wantDefaults, d, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
}

// TestWebSectionErrorsNameFileLineAndField: each mistake is reported at its
// line, with the field and what is wrong.
func TestWebSectionErrorsNameFileLineAndField(t *testing.T) {
	web := strings.Count(minimal, "\n") + 1 // the line "web:" is on
	tests := []struct {
		name, yaml string
		line       int // after web:
		want       string
	}{
		{"header without proxies", "client_ip_header: X-Forwarded-For\n", 1, "web.client_ip_header: is set without web.trusted_proxies"},
		{"proxies without header", "trusted_proxies: [10.0.0.0/8]\n", 1, "web.trusted_proxies: is set without web.client_ip_header"},
		{"not a range", "client_ip_header: X-Real-IP\n  trusted_proxies: [10.0.0.0/33]\n", 2, `web.trusted_proxies[0]: "10.0.0.0/33" is not a CIDR range`},
		{"host bits", "client_ip_header: X-Real-IP\n  trusted_proxies:\n    - 10.1.2.3/8\n", 3, `web.trusted_proxies[0]: "10.1.2.3/8" has host bits set: write 10.0.0.0/8`},
		{"bad header", "client_ip_header: \"X Real IP\"\n", 1, `web.client_ip_header: "X Real IP" is not a header name`},
		{"bad limit", "customer_limit: lots\n", 1, `web.customer_limit: "lots" is not a limit`},
		{"zero limit", "fresh_link_limit: 0/1d\n", 1, `web.fresh_link_limit: "0/1d" is not a limit`},
		{"bad rate", "rate_limit: { per_second: fast }\n", 1, `web.rate_limit.per_second: "fast" is not a number`},
		{"same metrics address", "listen: 127.0.0.1:8080\n  metrics_listen: 127.0.0.1:8080\n", 2, `web.metrics_listen: "127.0.0.1:8080" is web.listen too`},
		{"unknown key", "rate_limits: { burst: 3 }\n", 1, `web.rate_limits: unknown key (did you mean "rate_limit"?)`},
		{"negative rate", "rate_limit: { per_second: -1 }\n", 1, "web.rate_limit.per_second: must be more than 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("courtesy.yaml", []byte(minimal+"web:\n  "+tt.yaml))
			want := fmt.Sprintf("courtesy.yaml:%d: %s", web+tt.line, tt.want)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, want)
			}
		})
	}
}

// TestShortSecretsAreRefused: a secret under 16 characters stops the start,
// and the error names the variable without quoting the value.
func TestShortSecretsAreRefused(t *testing.T) {
	for _, v := range []struct{ name, value, want string }{
		{"COURTESY_ADMIN_PASSWORD", "hunter2", "COURTESY_ADMIN_PASSWORD: 7 characters is too short; use at least 16"},
		{"COURTESY_WEBHOOK_SECRET", "0123456789abcde", "COURTESY_WEBHOOK_SECRET: 15 characters"},
		{"COURTESY_API_KEYS", "0123456789abcdef0123,shortkey", "COURTESY_API_KEYS (key 2): 8 characters"},
	} {
		c := mustParse(t, "courtesy.yaml", minimal)
		err := c.ApplyEnv(func(k string) string { return map[string]string{v.name: v.value}[k] })
		if err == nil || !strings.Contains(err.Error(), v.want) {
			t.Errorf("%s=%q: error %v, want %q", v.name, v.value, err, v.want)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "shortkey") {
			t.Errorf("the error quotes the secret: %v", err)
		}
	}
	c := mustParse(t, "courtesy.yaml", minimal)
	if err := c.ApplyEnv(func(k string) string {
		return map[string]string{"COURTESY_ADMIN_PASSWORD": "sixteen-chars-ok"}[k]
	}); err != nil {
		t.Errorf("a 16-character password: %v", err)
	}
}
