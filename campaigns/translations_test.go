package campaigns

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy/templates"
)

const localeYAML = `id: birthday-treat
kind: birthday
purpose: birthday
template:
  subject: "Happy birthday, {{.Customer.FirstName}}"
  subjects:
    de: "Alles Gute zum Geburtstag, {{.Customer.FirstName}}"
    pt_BR: "Feliz aniversário, {{.Customer.FirstName}}"
  text: birthday.txt
  html: birthday.html
variants:
  - { id: personal, weight: 50 }
  - id: generic
    weight: 50
    template:
      subject: "A treat from us"
      subjects: { de: "Ein Geschenk von uns", pt-BR: "Um presente nosso" }
`

func localeFiles(extra map[string]string) map[string]string {
	m := map[string]string{
		"campaigns/birthday.yaml":       localeYAML,
		"templates/birthday.html":       "<p>Dear {{.Customer.FirstName}}</p>",
		"templates/birthday.de.txt":     "Liebe(r) {{.Customer.FirstName | default \"Freund\"}},\nalles Gute.\n",
		"templates/birthday.de.html":    "<p>Liebe(r) {{.Customer.FirstName}}</p>",
		"templates/birthday.pt-BR.txt":  "Querido(a) {{.Customer.FirstName | default \"amigo\"}},\nfeliz aniversário.\n",
		"templates/birthday.pt-BR.html": "<p>Querido(a) {{.Customer.FirstName}}</p>",
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

func renderFor(t *testing.T, c *Campaign, variant, customerLocale string) templates.Rendered {
	t.Helper()
	d := templates.SampleData("https://crumb.example", templates.Business{Name: "Crumb", PostalAddress: "1 Mill Lane"}, templates.Campaign{ID: c.ID})
	d.Customer.FirstName, d.Customer.Locale = "Ana", customerLocale
	r, err := c.Message(variant, customerLocale).Render(d)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestTheCustomersLocalePicksTheWholeMessage(t *testing.T) {
	c := mustLoad(t, files(localeFiles(nil)))[0]
	tests := []struct {
		name, variant, locale       string
		lang, subject, text, footer string
	}{
		{"German", "", "de-DE", "de", "Alles Gute zum Geburtstag, Ana", "Liebe(r) Ana,", "Abmelden: "},
		{"Brazilian", "personal", "pt-BR", "pt-BR", "Feliz aniversário, Ana", "Querido(a) Ana,", "Cancelar inscrição: "},
		{"Portuguese from Portugal gets the only Portuguese there is", "", "pt-PT", "pt-BR", "Feliz aniversário, Ana", "Querido(a) Ana,", "Cancelar inscrição: "},
		{"a variant's own subject in German", "generic", "de", "de", "Ein Geschenk von uns", "Liebe(r) Ana,", "Abmelden: "},
		{"no Spanish: all of it in the default language", "", "es", "en", "Happy birthday, Ana", "Dear Ana,", "Unsubscribe: "},
		{"no locale: the default", "", "", "en", "Happy birthday, Ana", "Dear Ana,", "Unsubscribe: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := renderFor(t, c, tt.variant, tt.locale)
			got := []string{r.Lang, r.Subject, strings.SplitN(r.Text, "\n", 2)[0], footerLine(r.Text, tt.footer)}
			if diff := cmp.Diff([]string{tt.lang, tt.subject, tt.text, tt.footer}, got); diff != "" {
				t.Errorf("(-want +got):\n%s\n%s", diff, r.Text)
			}
		})
	}
}

// footerLine returns prefix when a line of text starts with it.
func footerLine(text, prefix string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			return prefix
		}
	}
	return "(no line starting " + prefix + ")"
}

func TestTranslationsAreInTheVersion(t *testing.T) {
	a := mustLoad(t, files(localeFiles(nil)))[0]
	b := mustLoad(t, files(localeFiles(map[string]string{"templates/birthday.de.txt": "Hallo {{.Customer.FirstName | default \"Freund\"}}\n"})))[0]
	if a.Version == b.Version {
		t.Errorf("a changed German text kept version %s", a.Version)
	}
}

func TestTranslationProblems(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{
			name:  "a translation that reads other data",
			files: map[string]string{"templates/birthday.de.txt": "Hallo {{.Customer.LastName}}\n"},
			want: []string{
				`templates/birthday.de.txt:1:9: error: translation: the de translation reads .Customer.LastName, which the default message (templates/birthday.txt) does not: a translation shows the same data as the default`,
				`templates/birthday.de.txt:1:1: error: translation: the de translation does not read .Customer.FirstName, which the default message reads at templates/birthday.txt:1:8: a translation shows the same data as the default`,
			},
		},
		{
			name:  "a subject without its text",
			files: map[string]string{"campaigns/birthday.yaml": strings.Replace(localeYAML, "    de: \"Alles", "    fr: \"Joyeux\"\n    de: \"Alles", 1)},
			want:  []string{`campaigns/birthday.yaml:7:5: error: translation: a subject in fr needs its text beside the default one: templates/birthday.fr.txt does not exist`},
		},
		{
			name:  "a text without its subject",
			files: map[string]string{"templates/birthday.it.txt": "Ciao {{.Customer.FirstName | default \"amico\"}}\n", "templates/birthday.it.html": "<p>{{.Customer.FirstName}}</p>"},
			want:  []string{`templates/birthday.it.txt:1:1: error: translation: is written in it, but template.subjects has no it: a message is in one language from subject to footer`},
		},
		{
			name:  "a translation without the HTML part the default has",
			files: map[string]string{"templates/birthday.de.html": ""},
			want:  []string{`templates/birthday.de.txt:1:1: error: translation: the default message has an HTML part, but templates/birthday.de.html does not exist: a message is in one language from subject to footer`},
		},
		{
			name:  "a locale that is not one",
			files: map[string]string{"campaigns/birthday.yaml": strings.Replace(localeYAML, "    de: \"Alles", "    not a locale!: x\n    de: \"Alles", 1)},
			want:  []string{`campaigns/birthday.yaml:7: template.subjects.not a locale!: "not a locale!" is not a BCP 47 locale such as de or pt-BR`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := LoadDir(files(localeFiles(tt.files)), "campaigns", testEnv)
			if diff := cmp.Diff(tt.want, strs(diags)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestTheDefaultLanguageIsTheBusinesss(t *testing.T) {
	env := testEnv
	env.Locale = "de"
	fsys := files(map[string]string{
		"campaigns/birthday.yaml": "id: b\nkind: birthday\npurpose: birthday\ntemplate: {subject: \"Hallo\", text: birthday.txt}\n",
	})
	cs, diags := LoadDir(fsys, "campaigns", env)
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	if r := renderFor(t, cs[0], "", "ja"); r.Lang != "de" || !strings.Contains(r.Text, "Abmelden: ") {
		t.Errorf("a business in German speaks German when nothing matches: lang %s\n%s", r.Lang, r.Text)
	}
}

func TestCampaignNamePerLocale(t *testing.T) {
	y := strings.Replace(localeYAML, "id: birthday-treat\n", "id: birthday-treat\nname: { en: Birthday treat, es: Regalo de cumpleaños }\n", 1)
	c := mustLoad(t, files(localeFiles(map[string]string{"campaigns/birthday.yaml": y})))[0]
	got := []string{c.Name, c.NameIn("es-ES"), c.NameIn("de")}
	if diff := cmp.Diff([]string{"Birthday treat", "Regalo de cumpleaños", "Birthday treat"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	c = mustLoad(t, files(localeFiles(map[string]string{"campaigns/birthday.yaml": strings.Replace(localeYAML, "id: birthday-treat\n", "id: birthday-treat\nname: Birthday treat\n", 1)})))[0]
	if c.Name != "Birthday treat" || c.NameIn("es") != "Birthday treat" {
		t.Errorf("a plain name: %q, in Spanish %q", c.Name, c.NameIn("es"))
	}
}
