package csvimport

import (
	"strings"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy"
)

// The import fuzzers feed arbitrary files to each reader: nothing may
// panic, every row handed on must be one the store and the mailer can take
// as it is, and rows come in file order.

func checkLines[T any](t *testing.T, rows []Row[T], last *int) {
	t.Helper()
	for _, r := range rows {
		if r.Line <= *last || r.Line < 2 {
			t.Fatalf("row line %d after %d: rows out of order or the header taken as a row", r.Line, *last)
		}
		*last = r.Line
	}
}

func FuzzCustomers(f *testing.F) {
	f.Add("id,email,first_name,last_name,birthday,timezone,locale\nc1,ann@example.com,Ann,Lee,04-12,Europe/London,en-GB\n")
	f.Add("id,email\nc1,\"ann@example.com\r\nBcc: eve@evil.example\"\n")
	f.Add("email,id\nBOB@EXAMPLE.COM,c2\n,\n\"unterminated\n")
	f.Add("id,email,birthday,timezone\nc3,zoe@example.com,02-29,../../etc/passwd\nc4,li@example.com,1992-13-01,Local\n")
	f.Add("\ufeffid,email,first_name\nc5,\"Ann <ann@example.com>\",\"<script>alert(1)</script>\"\n")
	f.Add("id,email,id\nc6,a@b.example,c7\n")
	f.Fuzz(func(t *testing.T, in string) {
		last := 0
		_, _ = Customers("customers.csv", strings.NewReader(in), 3, func(rows []Row[courtesy.Customer]) error {
			checkLines(t, rows, &last)
			for _, r := range rows {
				c := r.Value
				if c.ID == "" {
					t.Errorf("line %d: a customer without an id", r.Line)
				}
				if strings.ContainsAny(c.Email, "\r\n<>,; ") || !strings.Contains(c.Email, "@") {
					t.Errorf("line %d: email %q could break a header or name several people", r.Line, c.Email)
				}
				if again, err := NormalizeEmail(c.Email); err != nil || again != c.Email {
					t.Errorf("line %d: email %q normalises again to %q, %v", r.Line, c.Email, again, err)
				}
				if c.Timezone != "" {
					if _, err := time.LoadLocation(c.Timezone); err != nil || c.Timezone == "Local" {
						t.Errorf("line %d: timezone %q", r.Line, c.Timezone)
					}
				}
			}
			return nil
		})
	})
}

func FuzzConsents(f *testing.F) {
	f.Add("customer_id,purpose,status,source,notice,recorded_at\nc1,birthday,granted,form,signup v3,2026-01-02T10:00:00Z\n")
	f.Add("customer_id,purpose,status\nc1,birthday,WITHDRAWN\nc2,,granted\nc3,x,maybe\n")
	f.Add("customer_id,purpose,status,recorded_at\nc1,birthday,granted,2026-02-30\nc1,birthday,granted,99999-01-01T00:00:00Z\n")
	f.Fuzz(func(t *testing.T, in string) {
		last := 0
		_, _ = Consents("consents.csv", strings.NewReader(in), 3, func(rows []Row[courtesy.ConsentRecord]) error {
			checkLines(t, rows, &last)
			for _, r := range rows {
				c := r.Value
				if c.CustomerID == "" || c.Purpose == "" || c.Source == "" {
					t.Errorf("line %d: incomplete record %+v", r.Line, c)
				}
				if c.Status != courtesy.Granted && c.Status != courtesy.Withdrawn {
					t.Errorf("line %d: status %q", r.Line, c.Status)
				}
			}
			return nil
		})
	})
}

func FuzzEvents(f *testing.F) {
	f.Add("customer_id,type,item_id,item_name,item_url,order_id,amount,occurred_at\nc1,interest,sku-1,Sourdough,https://crumb.example/s,,,2026-01-02T10:00:00Z\n")
	f.Add("customer_id,type,occurred_at,amount\nc1,purchase,2026-01-02,12.50\nc1,purchase,2026-01-02,-1e308\nc1,purchase,2026-01-02,99999999999999999999\n")
	f.Add("customer_id,type,item_id,item_url,occurred_at\nc1,interest,s,javascript:alert(1),2026-01-02\nc1,interest,,,2026-01-02\n")
	f.Fuzz(func(t *testing.T, in string) {
		last := 0
		_, _ = Events("events.csv", strings.NewReader(in), 3, func(rows []Row[courtesy.Event]) error {
			checkLines(t, rows, &last)
			for _, r := range rows {
				e := r.Value
				if e.CustomerID == "" || e.OccurredAt.IsZero() {
					t.Errorf("line %d: incomplete event %+v", r.Line, e)
				}
				if e.Type != courtesy.Interest && e.Type != courtesy.Purchase {
					t.Errorf("line %d: type %q", r.Line, e.Type)
				}
				if e.Type == courtesy.Interest && e.ItemID == "" {
					t.Errorf("line %d: an interest without an item", r.Line)
				}
				if e.ItemURL != "" && !strings.HasPrefix(e.ItemURL, "https://") && !strings.HasPrefix(e.ItemURL, "http://") {
					t.Errorf("line %d: item_url %q would put a non-web link in a message", r.Line, e.ItemURL)
				}
			}
			return nil
		})
	})
}

func FuzzPlatformCustomers(f *testing.F) {
	f.Add("shopify", "Customer ID,First Name,Last Name,Email,Accepts Email Marketing\n'1,Ada,Lovelace,ada@example.org,yes\n")
	f.Add("shopify", "Customer ID,First Name,Last Name,Email,Accepts Email Marketing\n',,,\"x@y.example\r\nBcc: e@evil.example\",no\n")
	f.Add("woocommerce", "Name,Username,Email\nGrace Hopper,,grace@example.com\n,,\n")
	f.Fuzz(func(t *testing.T, platform, in string) {
		last := 0
		_, _ = PlatformCustomers(platform, "export.csv", strings.NewReader(in), 3, func(rows []Row[PlatformCustomer]) error {
			checkLines(t, rows, &last)
			for _, r := range rows {
				c := r.Value.Customer
				if !strings.HasPrefix(c.ID, platform+"-") || len(c.ID) == len(platform)+1 {
					t.Errorf("line %d: id %q is not the platform's", r.Line, c.ID)
				}
				if _, err := NormalizeEmail(c.Email); err != nil || strings.ContainsAny(c.Email, "\r\n") {
					t.Errorf("line %d: address %q handed on", r.Line, c.Email)
				}
				if r.Value.AcceptsMarketing && platform != "shopify" {
					t.Errorf("line %d: a marketing flag from an export without one", r.Line)
				}
			}
			return nil
		})
	})
}
