package campaigns_test

import (
	"regexp"
	"testing"
	"testing/fstest"
	"time"

	"github.com/courtesyhq/courtesy/campaigns"
)

var fuzzTemplates = fstest.MapFS{
	"templates/birthday.txt":  {Data: []byte("Dear {{.Customer.FirstName}},\nHappy birthday.\n")},
	"templates/birthday.html": {Data: []byte("<p>Dear {{.Customer.FirstName}}</p>")},
}

var validID = regexp.MustCompile(`^[a-z0-9-]+$`)

// FuzzParse checks that no campaign file, however broken, panics the
// parser; that a campaign it returns carries no error; and that what it
// accepts keeps the rules the worker relies on.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`id: birthday-treat
name: Birthday treat
kind: birthday
purpose: birthday
enabled: true
priority: 10
send: { at: "09:30", window: 3h }
expires: 14d
limits: ["1/365d"]
template: { subject: "Happy birthday, {{.Customer.FirstName}}", text: birthday.txt, html: birthday.html }
tone: warm
holdout: 10
variants:
  - { id: personal, weight: 50 }
  - { id: generic,  weight: 50, template: { subject: "A treat" } }
`))
	f.Add([]byte(`id: saved
name: Saved
kind: interest_reminder
purpose: reminders
send: { at: "10:00", window: 2h }
trigger: { event: interest, after: 3d }
template: { subject: "{{.Item.Name}}", text: birthday.txt }
`))
	f.Add([]byte(`id: nps
kind: nps_survey
purpose: surveys
fatigue: 90d
trigger: { event: purchase, after: 1d }
template: { subject: "How did we do?", text: birthday.txt }
`))
	f.Add([]byte("id: x\nsend: {at: \"25:00\"}\n"))
	f.Add([]byte("&a [*a, *a]\n"))
	f.Add([]byte("template: {subject: \"{{.Customer.Nope}}\"}\n"))
	f.Add([]byte("id: a\nholdout: 101\nvariants: [{id: a, weight: -1}]\n"))
	f.Add([]byte("\xff\xfe"))
	env := campaigns.Env{
		Purposes:     []string{"birthday", "reminders", "surveys"},
		Templates:    fuzzTemplates,
		TemplatesDir: "templates",
		Location:     time.UTC,
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, diags := campaigns.Parse("campaigns/fuzz.yaml", data, env)
		if c == nil {
			if !diags.HasErrors() {
				t.Fatalf("no campaign and no error for %q", data)
			}
			return
		}
		if diags.HasErrors() {
			t.Fatalf("a campaign with errors %v was returned", diags)
		}
		if !validID.MatchString(c.ID) {
			t.Errorf("accepted id %q", c.ID)
		}
		if c.Holdout < 0 || c.Holdout > 50 {
			t.Errorf("accepted holdout %d", c.Holdout)
		}
		// Every accepted campaign names a purpose that exists, so the
		// consent check at send time always has something to look at.
		known := false
		for _, p := range env.Purposes {
			known = known || p == c.Purpose
		}
		if !known {
			t.Errorf("accepted purpose %q", c.Purpose)
		}
	})
}
