package csvimport

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
)

func TestCustomersKeepsGoodRowsAndNamesBadLines(t *testing.T) {
	in := strings.Join([]string{
		"id,email,first_name,last_name,birthday,timezone,locale",
		"c1,ann@example.com,Ann,Lee,04-12,Europe/London,en-GB",
		"c2,not-an-email,Bob,Ray,,,",
		"c3,zoe@example.com,Zoë,Ørsted,1992-02-29,,da",
		"c4,li@example.com,Li,Wei,12-01,Mars/Olympus,zh",
		"c5,OMAR@Example.COM,Omar,,,America/New_York,",
		"c6,sam@example.com,Sam,,02-30,,",
		"c7,xx@example.com,Xu,,,,xx-!!",
		"c8,pt@example.com,Inês,,,,pt_BR",
		"",
	}, "\n")
	var got []string
	diags, err := Customers("customers.csv", strings.NewReader(in), 2, func(rows []Row[courtesy.Customer]) error {
		for _, r := range rows {
			got = append(got, strings.TrimSpace(r.Value.ID+" "+r.Value.Email+" "+r.Value.Birthday.String()+" "+r.Value.Locale))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"c1 ann@example.com 04-12 en-GB", "c3 zoe@example.com 02-29 da", "c5 OMAR@example.com", "c8 pt@example.com  pt-BR"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("imported rows (-want +got):\n%s", d)
	}
	var lines []string
	for _, d := range diags {
		lines = append(lines, d.String())
	}
	wantDiags := []string{
		`customers.csv:3: email: "not-an-email" is not an email address`,
		`customers.csv:5: timezone: "Mars/Olympus" is not an IANA time zone (such as Europe/London)`,
		`customers.csv:7: birthday: "02-30" is not a day of the calendar`,
		`customers.csv:8: locale: "xx-!!" is not a BCP 47 locale such as de or pt-BR`,
	}
	if d := cmp.Diff(wantDiags, lines); d != "" {
		t.Errorf("diagnostics (-want +got):\n%s", d)
	}
}

func TestHeaderProblems(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "c.csv:1: the file is empty; the first line must name the columns"},
		{"unknown column", "id,email,shoe_size\n", "c.csv:1: shoe_size: unknown column; the columns are id,email,first_name,last_name,birthday,timezone,locale"},
		{"missing email", "id,first_name\n", "c.csv:1: email: required column is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diags, err := Customers("c.csv", strings.NewReader(tt.in), 10, func([]Row[courtesy.Customer]) error {
				t.Error("no rows expected")
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(diags) != 1 || diags[0].String() != tt.want {
				t.Errorf("got %v, want %q", diags, tt.want)
			}
		})
	}
}

func TestConsentsAndEvents(t *testing.T) {
	consents := "customer_id,purpose,status,source,notice,recorded_at\n" +
		"c1,birthday,granted,form,signup-v2,2026-01-05T10:00:00Z\n" +
		"c1,birthday,maybe,form,,2026-01-05\n" +
		"c2,surveys,withdrawn,,,yesterday\n"
	var n int
	diags, err := Consents("consents.csv", strings.NewReader(consents), 10, func(rows []Row[courtesy.ConsentRecord]) error {
		n += len(rows)
		if rows[0].Value.Notice != "signup-v2" || rows[0].Line != 2 {
			t.Errorf("row = %+v", rows[0])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 || len(diags) != 2 || diags[0].Line != 3 || diags[0].Field != "status" || diags[1].Field != "recorded_at" {
		t.Errorf("n=%d diags=%v", n, diags)
	}

	events := "customer_id,type,item_id,item_name,item_url,order_id,amount,occurred_at\n" +
		"c1,interest,sourdough,Sourdough loaf,https://crumb.example/sourdough,,,2026-11-25T09:00:00Z\n" +
		"c1,purchase,sourdough,Sourdough loaf,,o-1,4.5,2026-11-26T09:00:00Z\n" +
		"c2,refund,x,,,,,2026-11-26T09:00:00Z\n" +
		"c3,purchase,,,,o-2,12.345,2026-11-26T09:00:00Z\n"
	var got []courtesy.Event
	diags, err = Events("events.csv", strings.NewReader(events), 10, func(rows []Row[courtesy.Event]) error {
		for _, r := range rows {
			got = append(got, r.Value)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1].AmountCents != 450 || got[0].Type != courtesy.Interest {
		t.Errorf("events = %+v", got)
	}
	if len(diags) != 2 || diags[0].Line != 4 || diags[0].Field != "type" || diags[1].Line != 5 || diags[1].Field != "amount" {
		t.Errorf("diags = %v", diags)
	}
}

// A locale is kept in one spelling, and one that is not a locale is named
// by its line and column.
func TestCustomerLocales(t *testing.T) {
	in := "id,email,locale\nc1,a@example.com,pt_br\nc2,b@example.com,English please\nc3,c@example.com,de-AT\n"
	var got []string
	diags, err := Customers("customers.csv", strings.NewReader(in), 10, func(rows []Row[courtesy.Customer]) error {
		for _, r := range rows {
			got = append(got, r.Value.ID+" "+r.Value.Locale)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"c1 pt-BR", "c3 de-AT"}, got); d != "" {
		t.Errorf("imported (-want +got):\n%s", d)
	}
	if len(diags) != 1 || diags[0].String() != `customers.csv:3: locale: "English please" is not a BCP 47 locale such as de or pt-BR` {
		t.Errorf("diagnostics: %v", diags)
	}
}
