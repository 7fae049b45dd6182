package config_test

import (
	"os"
	"strings"
	"testing"

	"github.com/courtesyhq/courtesy/config"
)

// FuzzParse checks that no courtesy.yaml panics the parser, and that a
// config it accepts has what every message needs: a postal address, a From
// address and a base URL the links can point at.
func FuzzParse(f *testing.F) {
	if b, err := os.ReadFile("../examples/bakery/courtesy.yaml"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`business:
  name: "Crumb & Co. Bakery"
  postal_address: "12 Mill Lane, Bristol BS1 4DJ, UK"
  from: "Crumb & Co. <hello@crumb.example>"
  base_url: "https://crumb.example/"
  timezone: Europe/London
purposes:
  birthday:  { title: "Birthday treats" }
limits:
  per_customer: ["1/24h", "3/7d"]
  quiet_hours: "20:00-09:00"
smtp: { max_per_second: 10, max_connections: 4 }
guardrails: { max_optout_rate: 0.02, min_sample: 200 }
`))
	f.Add([]byte("limits: {per_customer: [\"0/0s\", \"-1/24h\", \"1/99999999999d\"]}\n"))
	f.Add([]byte("limits: {quiet_hours: \"25:00-09:00\"}\n"))
	f.Add([]byte("business: {timezone: \"../../etc/passwd\", base_url: \"javascript:alert(1)\"}\n"))
	f.Add([]byte("smtp: {max_per_second: .inf, max_connections: -3}\n"))
	f.Add([]byte("a: &a [*a, *a, *a]\n"))
	f.Add([]byte("\x00\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := config.Parse("/etc/courtesy/courtesy.yaml", data)
		if err != nil {
			return
		}
		if c == nil {
			t.Fatal("nil config and no error")
		}
		b := c.Business
		if strings.TrimSpace(b.PostalAddress) == "" || strings.TrimSpace(b.From) == "" {
			t.Errorf("accepted a business without postal address or From: %+v", b)
		}
		if !strings.HasPrefix(b.BaseURL, "https://") && !strings.HasPrefix(b.BaseURL, "http://") {
			t.Errorf("accepted base_url %q", b.BaseURL)
		}
		if c.SMTP.MaxConnections < 0 {
			t.Errorf("accepted max_connections %d", c.SMTP.MaxConnections)
		}
	})
}
