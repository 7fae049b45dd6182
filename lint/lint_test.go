package lint

import (
	"os"
	"strings"
	"testing"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/internal/testenv"
)

// reminder is a campaign of the bakery's shape sending text, with extra YAML.
func reminder(id, text, extra string) string {
	return "id: " + id + "\nkind: interest_reminder\npurpose: reminders\ntrigger: { event: interest, after: 3d }\n" +
		"template:\n  subject: \"{{.Item.Name}} is back\"\n  text: " + text + "\ntone: warm\n" + extra
}

func lines(ds courtesy.Diagnostics) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.String() + "\n")
	}
	return b.String()
}

// A German template is judged by the German rules, whatever the shop's
// default language, and a template in a language without rules is flagged
// rather than silently passed.
func TestTemplatesAreJudgedInTheirLanguage(t *testing.T) {
	cfg := testenv.Bakery(t, map[string]string{
		"campaigns/angebot.yaml": reminder("angebot", "angebot.de.txt", ""),
		"templates/angebot.de.txt": "Hallo {{.Customer.FirstName}},\n\n{{.Item.Name}} ist wieder da. Die Vorräte gehen zur Neige,\n" +
			"und halb Kreuzberg hat schon bestellt.\n\nIhr Team von Crumb & Co.\n",
		"campaigns/oshirase.yaml":   reminder("oshirase", "oshirase.ja.txt", ""),
		"templates/oshirase.ja.txt": "{{.Customer.FirstName}}様\n\n{{.Item.Name}}が再入荷しました。\n\nCrumb & Co.\n",
		"campaigns/ruhig.yaml":      reminder("ruhig", "ruhig.de.txt", ""),
		"templates/ruhig.de.txt":    "Hallo {{.Customer.FirstName}},\n\n{{.Item.Name}} ist wieder da, samstags frisch gebacken.\n\nIhr Team von Crumb & Co.\n",
	})
	r := Run(cfg)
	out := lines(r.Diagnostics)
	for _, want := range []string{
		"templates/angebot.de.txt:3:", "error: courteous.fake-scarcity:", `"gehen zur Neige"`,
		"templates/oshirase.ja.txt:1:1: warning: courteous.language:", `no tone rules for language "ja"`,
		// the subject, written in the campaign file, named as the config names it
		"campaigns/oshirase.yaml:6:3: warning: courteous.language:",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("lint output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "campaigns/campaigns/") {
		t.Errorf("a campaign file named twice over:\n%s", out)
	}
	if strings.Contains(out, "ruhig.de.txt") {
		t.Errorf("a plain German reminder raised findings:\n%s", out)
	}
}

// A campaign may allow a rule or family with a reason: the finding stays in
// lint's output, as a suggestion carrying the reason, and stops holding the
// message; a switch-off that names nothing is an error.
func TestToneAllowIsShownWithItsReason(t *testing.T) {
	text := "Hello {{.Customer.FirstName}},\n\n{{.Item.Name}} is back. Only 3 left in the shop today.\n\nThe team at Crumb & Co.\n"
	cfg := testenv.Bakery(t, map[string]string{
		"campaigns/stock.yaml": reminder("stock", "stock.txt",
			"tone_allow:\n  - { rule: scarcity, reason: \"we count the loaves on the shelf each morning\" }\n"),
		"campaigns/typo.yaml": reminder("typo", "stock.txt",
			"tone_allow:\n  - { rule: scarcityy, reason: \"we count the loaves\" }\n"),
		"templates/stock.txt": text,
	})
	out := lines(Run(cfg).Diagnostics)
	for _, want := range []string{
		"templates/stock.txt:3:", "suggestion: courteous.fake-scarcity: allowed by the campaign's tone_allow (we count the loaves on the shelf each morning)",
		"campaigns/typo.yaml:10:", `error: tone-allow: "scarcityy" is neither a tone rule id nor a tone family`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("lint output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(out, "templates/stock.txt:3:25: error: courteous.fake-scarcity") {
		t.Errorf("the campaign with the misspelt switch-off should still be held for scarcity:\n%s", out)
	}
}

// A translation's problems are placed like every other diagnostic, at
// file:line:col, and listed in reading order with the tone findings of the
// same file; a translation that reads other data than the default is an
// error naming both files, and its words are still checked.
func TestTranslationProblemsArePlacedAndSorted(t *testing.T) {
	yaml, err := os.ReadFile("../examples/bakery/campaigns/birthday.yaml")
	if err != nil {
		t.Fatal(err)
	}
	birthday := strings.Replace(string(yaml), `es: "Feliz cumpleaños{{with .Customer.FirstName}}, {{.}}{{end}}"`,
		`es: "Feliz cumpleaños, {{.Customer.LastName}}"`, 1)
	esText, err := os.ReadFile("../examples/bakery/templates/birthday.es.txt")
	if err != nil {
		t.Fatal(err)
	}
	cfg := testenv.Bakery(t, map[string]string{
		"campaigns/birthday.yaml":    birthday,
		"templates/birthday.es.txt":  string(esText) + "ÚLTIMA OPORTUNIDAD, {{.Customer.LastName}}.\n",
		"templates/birthday.es.html": "<p>Hola.</p>\n<p>¡Feliz cumpleaños de parte de todo el equipo de {{.Business.Name}}!</p>\n",
	})
	var got []string
	for _, d := range Run(cfg).Diagnostics {
		if strings.Contains(d.File, "birthday") {
			got = append(got, d.String())
		}
	}
	want := []string{
		`campaigns/birthday.yaml:15:10: error: translation: the es translation does not read .Customer.FirstName, which the default message reads at campaigns/birthday.yaml:13:34: a translation shows the same data as the default`,
		`campaigns/birthday.yaml:15:30: error: translation: the es translation reads .Customer.LastName, which the default message (campaigns/birthday.yaml:13) does not: a translation shows the same data as the default`,
		`templates/birthday.es.html:1:1: error: translation: the es translation does not read .Customer.FirstName, which the default message reads at templates/birthday.html:5:11: a translation shows the same data as the default`,
		`templates/birthday.es.txt:11:1: error: courteous.caps-word: "ÚLTIMA" is written in capitals`,
		`templates/birthday.es.txt:11:1: error: courteous.false-urgency: "ÚLTIMA OPORTUNIDAD" rushes the reader`,
		`templates/birthday.es.txt:11:8: error: courteous.caps-word: "OPORTUNIDAD" is written in capitals`,
		`templates/birthday.es.txt:11:23: error: translation: the es translation reads .Customer.LastName, which the default message (templates/birthday.txt) does not: a translation shows the same data as the default`,
	}
	if len(got) != len(want) {
		t.Fatalf("got %d diagnostics of the birthday files, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("diagnostic %d:\n got %s\nwant %s…", i, got[i], want[i])
		}
	}
}
