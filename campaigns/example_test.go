package campaigns_test

import (
	"fmt"
	"testing/fstest"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/campaigns"
	"github.com/courtesyhq/courtesy/templates"
)

// A campaign is one YAML file; its text lives in templates_dir. This is the
// birthday campaign of the contract, loaded, and asked when it is due for a
// customer in Honolulu.
func Example() {
	fsys := fstest.MapFS{
		"campaigns/birthday.yaml": {Data: []byte(`
id: birthday-treat          # stable, [a-z0-9-]+, unique
name: Birthday treat
kind: birthday              # birthday | interest_reminder | nps_survey
purpose: birthday           # the consent purpose it needs
enabled: true
priority: 10
send:
  at: "09:30"               # recipient's local time
  window: 3h                # not sent after at+window (local)
expires: 14d
limits: ["1/365d"]
template:
  subject: "Happy birthday{{with .Customer.FirstName}}, {{.}}{{end}}"
  text: birthday.txt        # relative to templates_dir
tone: warm
holdout: 10
variants:
  - { id: personal, weight: 50 }
  - { id: generic,  weight: 50, template: { subject: "A treat from Crumb & Co." } }
`)},
		"templates/birthday.txt": {Data: []byte("Happy birthday from all of us at {{.Business.Name}}.\n")},
	}
	cs, diags := campaigns.LoadDir(fsys, "campaigns", campaigns.Env{
		Purposes:     []string{"birthday", "reminders", "surveys"},
		TemplatesDir: "templates",
	})
	if len(diags) > 0 {
		fmt.Println(diags)
		return
	}
	c := cs[0]
	fmt.Println(c.ID, c.Kind, c.Purpose, c.Send.At, c.Send.Window, c.Holdout, c.VariantIDs())

	honolulu, _ := time.LoadLocation("Pacific/Honolulu")
	keoni := courtesy.Customer{ID: "c008", FirstName: "KEONI", Birthday: courtesy.MonthDay{Month: time.December, Day: 1}}
	now := time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC)
	o, ok := c.BirthdayOccurrence(keoni, now, honolulu)
	fmt.Println(o.ID, o.Due.In(honolulu).Format("2006-01-02 15:04 MST"), o.NotAfter.In(honolulu).Format("15:04"), ok)

	d := templates.SampleData("https://crumb.example", templates.Business{Name: "Crumb & Co. Bakery", PostalAddress: "12 Mill Lane, Bristol BS1 4DJ, UK"},
		templates.Campaign{ID: c.ID, Name: c.Name})
	d.Customer = templates.NewCustomer(keoni)
	r, _ := c.Template("personal").Render(d)
	fmt.Println(r.Subject)
	// Output:
	// birthday-treat birthday birthday 09:30 3h0m0s 10 [personal generic]
	// 2026 2026-12-01 09:30 HST 12:30 true
	// Happy birthday, Keoni
}
