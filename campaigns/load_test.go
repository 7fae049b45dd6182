package campaigns

import (
	"os"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/config"
	"github.com/courtesyhq/courtesy/internal/duration"
	"github.com/courtesyhq/courtesy/throttle"
)

var testEnv = Env{Purposes: []string{"birthday", "reminders", "surveys"}, TemplatesDir: "templates", Location: time.UTC}

const birthdayYAML = `id: birthday-treat
name: Birthday treat
kind: birthday
purpose: birthday
enabled: true
send:
  at: "09:30"
  window: 3h
template:
  subject: "Happy birthday, {{.Customer.FirstName}}"
  text: birthday.txt
tone: warm
holdout: 10
variants:
  - { id: personal, weight: 50 }
  - { id: generic,  weight: 50, template: { subject: "A treat from Crumb & Co." } }
`

func files(extra map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{
		"templates/birthday.txt": {Data: []byte("Dear {{.Customer.FirstName | default \"friend\"}},\nHappy birthday.\n")},
		"templates/survey.txt":   {Data: []byte("{{range $s, $u := .Links.Survey}}{{$s}} {{$u}}\n{{end}}")},
	}
	for name, text := range extra {
		if text == "" {
			delete(fsys, name)
			continue
		}
		fsys[name] = &fstest.MapFile{Data: []byte(text)}
	}
	return fsys
}

func mustLoad(tb testing.TB, fsys fstest.MapFS) []*Campaign {
	tb.Helper()
	cs, diags := LoadDir(fsys, "campaigns", testEnv)
	if len(diags) > 0 {
		tb.Fatalf("LoadDir: %v", diags)
	}
	return cs
}

func strs(ds courtesy.Diagnostics) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.String())
	}
	return out
}

func TestLoadDirReportsEveryProblem(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{
			name:  "bad time of day",
			files: map[string]string{"campaigns/birthday.yaml": replace(birthdayYAML, `"09:30"`, `"25:00"`)},
			want:  []string{`campaigns/birthday.yaml:7: send.at: "25:00" is not a time of day`},
		},
		{
			name:  "a welcome triggered by anything but a sign-up",
			files: map[string]string{"campaigns/birthday.yaml": replace(replace(birthdayYAML, "kind: birthday", "kind: welcome"), "send:", "trigger: { event: purchase }\nsend:")},
			want:  []string{`campaigns/birthday.yaml:6: trigger.event: a welcome is triggered by a confirmed sign-up (event: signup)`},
		},
		{
			name:  "unknown purpose",
			files: map[string]string{"campaigns/birthday.yaml": replace(birthdayYAML, "purpose: birthday", "purpose: birthdays")},
			want:  []string{`campaigns/birthday.yaml:4: purpose: "birthdays" is not a purpose in the config (did you mean "birthday"?)`},
		},
		{
			name:  "unknown key",
			files: map[string]string{"campaigns/birthday.yaml": replace(birthdayYAML, "tone: warm", "tone: warm\nhold_out: 5")},
			want:  []string{`campaigns/birthday.yaml:13: hold_out: unknown key (did you mean "holdout"?)`},
		},
		{
			name:  "unknown key in a variant's template",
			files: map[string]string{"campaigns/birthday.yaml": replace(birthdayYAML, "template: { subject:", "template: { subjet:")},
			want:  []string{`campaigns/birthday.yaml:16: variants[1].template.subjet: unknown key (did you mean "subject"?)`},
		},
		{
			name: "unknown template field in a file",
			files: map[string]string{
				"campaigns/birthday.yaml": birthdayYAML,
				"templates/birthday.txt":  "Dear {{.Customer.FirstName}},\nYou were born on {{.Customer.Birthday}}.\n",
			},
			want: []string{`templates/birthday.txt:2:29: error: template: unknown field .Customer.Birthday: Customer has FirstName, ID, LastName, Locale`},
		},
		{
			name:  "unknown template field in the inline subject",
			files: map[string]string{"campaigns/birthday.yaml": replace(birthdayYAML, "{{.Customer.FirstName}}", "{{.Customer.Firstname}}")},
			want:  []string{`campaigns/birthday.yaml:10:40: error: template: unknown field .Customer.Firstname: did you mean "FirstName"? Customer has FirstName, ID, LastName, Locale`},
		},
		{
			name:  "missing template file",
			files: map[string]string{"campaigns/birthday.yaml": replace(birthdayYAML, "text: birthday.txt", "text: bday.txt")},
			want:  []string{`campaigns/birthday.yaml:11: template.text: templates/bday.txt does not exist`},
		},
		{
			name: "duplicate id across files",
			files: map[string]string{
				"campaigns/a-birthday.yaml": birthdayYAML,
				"campaigns/b-birthday.yaml": replace(birthdayYAML, "name: Birthday treat", "name: Copy"),
			},
			want: []string{`campaigns/b-birthday.yaml:1: id: "birthday-treat" is already the id of campaigns/a-birthday.yaml:1: ids must be unique`},
		},
		{
			name: "two bad files both reported",
			files: map[string]string{
				"campaigns/birthday.yaml": replace(birthdayYAML, "holdout: 10", "holdout: 60"),
				"campaigns/survey.yaml": "id: survey\nkind: nps_survey\npurpose: surveys\ntrigger:\n  event: interest\n  after: 2 days\n" +
					"template:\n  subject: How did we do?\n  text: survey.txt\n",
			},
			want: []string{
				`campaigns/birthday.yaml:13: holdout: 60 is not a percent from 0 to 50`,
				`campaigns/survey.yaml:6: trigger.after: "2 days" is not a duration: unit " " is not one of w, d, h, m, s`,
			},
		},
		{
			name: "kind rules",
			files: map[string]string{
				"campaigns/birthday.yaml": replace(birthdayYAML, "tone: warm", "tone: warm\ntrigger: { event: purchase }"),
				"campaigns/reminder.yaml": "id: reminder\nkind: interest_reminder\npurpose: reminders\n" +
					"template:\n  subject: Still here\n  text: survey.txt\n",
				"campaigns/survey.yaml": "id: survey\nkind: nps_survey\npurpose: surveys\ntrigger: { event: interest }\n" +
					"template:\n  subject: How did we do?\n  text: survey.txt\n",
			},
			want: []string{
				`campaigns/birthday.yaml:13: trigger: a birthday campaign has no trigger: it is due on the customer's birthday`,
				`campaigns/reminder.yaml:1: trigger.event: an interest_reminder is triggered by event: interest`,
				`campaigns/survey.yaml:4: trigger.event: an nps_survey is triggered by event: purchase`,
			},
		},
		{
			name: "bad words and values",
			files: map[string]string{"campaigns/birthday.yaml": replace(replace(replace(birthdayYAML,
				"kind: birthday", "kind: birthdy"), "tone: warm", "tone: pushy"), "weight: 50 }", "weight: 0 }")},
			want: []string{
				`campaigns/birthday.yaml:3: kind: "birthdy" is not a kind (did you mean "birthday"?)`,
				`campaigns/birthday.yaml:12: tone: "pushy" is not a tone (one of warm, neutral, informative)`,
			},
		},
		{
			name: "a tone switch-off needs a rule and a reason",
			files: map[string]string{"campaigns/birthday.yaml": replace(birthdayYAML, "tone: warm",
				"tone: warm\ntone_allow:\n  - { rule: scarcity }\n  - { reason: \"we count\" }\n  - { rule: x, reson: y }")},
			want: []string{
				`campaigns/birthday.yaml:14: tone_allow[0].reason: is required: say why the campaign may use this wording, for whoever reads it next`,
				`campaigns/birthday.yaml:15: tone_allow[1].rule: is required: a tone rule id (courteous.fake-scarcity) or a family (scarcity)`,
				`campaigns/birthday.yaml:16: tone_allow[2].reson: unknown key (did you mean "reason"?)`,
				`campaigns/birthday.yaml:16: tone_allow[2].reason: is required: say why the campaign may use this wording, for whoever reads it next`,
			},
		},
		{
			name:  "empty file",
			files: map[string]string{"campaigns/empty.yaml": "# nothing yet\n"},
			want:  []string{`campaigns/empty.yaml:1: the file is empty: a campaign needs at least id, kind, purpose and template`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := LoadDir(files(tt.files), "campaigns", testEnv)
			if diff := cmp.Diff(tt.want, strs(diags)); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}

func replace(s, old, new string) string {
	out := ""
	for i := 0; i+len(old) <= len(s); i++ {
		if s[i:i+len(old)] == old {
			return out + s[:i] + new + s[i+len(old):]
		}
	}
	panic("replace: " + old + " not found")
}

func TestLoadDirDecodesAndDefaults(t *testing.T) {
	cs := mustLoad(t, files(map[string]string{
		"campaigns/birthday.yaml": birthdayYAML,
		"campaigns/survey.yaml": "id: survey\nkind: nps_survey\npurpose: surveys\nstock_data: true\ntrigger: { event: purchase, after: 2d }\n" +
			"limits: 1/30d\ntemplate:\n  subject: How did we do?\n  text: survey.txt\n" +
			"tone_allow:\n  - rule: courteous.guilt\n    reason: the survey quotes a customer's own words\n",
		"campaigns/README.md": "not a campaign",
	}))
	if diff := cmp.Diff([]ToneAllow{{Rule: "courteous.guilt", Reason: "the survey quotes a customer's own words"}}, cs[1].ToneAllow); diff != "" {
		t.Errorf("tone_allow (-want +got):\n%s", diff)
	}
	type view struct {
		ID, Name, Purpose, At string
		Kind                  Kind
		Tone                  Tone
		Enabled, StockData    bool
		Window, After         time.Duration
		Expires, Fatigue      time.Duration
		Holdout               int
		Limits                []throttle.Limit
		Variants              []Variant
		HasTemplates          []bool
	}
	var got []view
	for _, c := range cs {
		v := view{ID: c.ID, Name: c.Name, Purpose: c.Purpose, At: c.Send.At.String(), Kind: c.Kind, Tone: c.Tone,
			Enabled: c.Enabled, StockData: c.StockData, Window: c.Send.Window, After: c.Trigger.After,
			Expires: c.Expires, Fatigue: c.Fatigue, Holdout: c.Holdout, Limits: c.Limits, Variants: c.Variants}
		for _, id := range append([]string{""}, c.VariantIDs()...) {
			v.HasTemplates = append(v.HasTemplates, c.Template(id) != nil)
		}
		got = append(got, v)
	}
	want := []view{
		{ID: "birthday-treat", Name: "Birthday treat", Purpose: "birthday", At: "09:30", Kind: Birthday, Tone: Warm,
			Enabled: true, Window: 3 * time.Hour, Expires: 14 * duration.Day, Holdout: 10,
			Variants:     []Variant{{ID: "personal", Weight: 50}, {ID: "generic", Weight: 50, Files: TemplateFiles{Subject: "A treat from Crumb & Co."}}},
			HasTemplates: []bool{true, true, true}},
		{ID: "survey", Name: "survey", Purpose: "surveys", At: "00:00", Kind: NPSSurvey, Tone: Neutral,
			Enabled: true, StockData: true, After: 2 * duration.Day, Expires: 14 * duration.Day, Fatigue: 90 * duration.Day,
			Limits: []throttle.Limit{{Count: 1, Window: 30 * duration.Day}}, HasTemplates: []bool{true}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("campaigns (-want +got):\n%s", diff)
	}
	if line, col := cs[0].Pos("variants[1].template.subject"); line != 16 || col != 45 {
		t.Errorf("Pos = %d:%d, want 16:45", line, col)
	}
	if cs[0].File != "campaigns/birthday.yaml" {
		t.Errorf("File = %q", cs[0].File)
	}
}

func TestVariantTemplates(t *testing.T) {
	cs := mustLoad(t, files(map[string]string{"campaigns/birthday.yaml": birthdayYAML}))
	d := sampleData()
	var got []string
	for _, id := range []string{"", "personal", "generic"} {
		r, err := cs[0].Template(id).Render(d)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r.Subject)
	}
	want := []string{"Happy birthday, Alex", "Happy birthday, Alex", "A treat from Crumb & Co."}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("subjects (-want +got):\n%s", diff)
	}
	if cs[0].Template("nope") != nil {
		t.Error("Template of an unknown variant is not nil")
	}
}

func TestVersion(t *testing.T) {
	load := func(extra map[string]string) string {
		t.Helper()
		return mustLoad(t, files(extra))[0].Version
	}
	base := map[string]string{"campaigns/birthday.yaml": birthdayYAML}
	v1 := load(base)
	if len(v1) != 12 || load(base) != v1 {
		t.Fatalf("version %q is not a stable short hash", v1)
	}
	changedYAML := load(map[string]string{"campaigns/birthday.yaml": replace(birthdayYAML, "holdout: 10", "holdout: 20")})
	changedText := load(map[string]string{"campaigns/birthday.yaml": birthdayYAML, "templates/birthday.txt": "Happy birthday!\n"})
	unrelated := load(map[string]string{"campaigns/birthday.yaml": birthdayYAML, "templates/survey.txt": "Other\n"})
	if changedYAML == v1 || changedText == v1 || unrelated != v1 {
		t.Errorf("versions: base %s, yaml changed %s, template changed %s, unrelated template changed %s",
			v1, changedYAML, changedText, unrelated)
	}
}

func TestBakeryExampleLoadsClean(t *testing.T) {
	cfg, err := config.Load("../examples/bakery/courtesy.yaml")
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	if len(cfg.Warnings()) > 0 {
		t.Errorf("config warnings: %v", cfg.Warnings())
	}
	fsys := os.DirFS(cfg.Dir())
	cs, diags := LoadDir(fsys, cfg.CampaignsDir, Env{
		Purposes: cfg.PurposeNames(), TemplatesDir: cfg.TemplatesDir, Location: cfg.Location(),
	})
	if len(diags) > 0 {
		t.Fatalf("diagnostics:\n%v", diags)
	}
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.ID+"/"+string(c.Kind))
		for _, v := range append([]string{""}, c.VariantIDs()...) {
			if _, err := c.Template(v).Render(sampleData()); err != nil {
				t.Errorf("%s variant %q: %v", c.ID, v, err)
			}
		}
	}
	want := []string{"after-purchase-survey/nps_survey", "birthday-treat/birthday", "saved-reminder/interest_reminder", "welcome/welcome"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("campaigns (-want +got):\n%s", diff)
	}
}
