package lint

import (
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
	} {
		if !strings.Contains(out, want) {
			t.Errorf("lint output lacks %q:\n%s", want, out)
		}
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
