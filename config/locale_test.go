package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
)

// A purpose's title and description may be written once or per language;
// the plain form works as before.
func TestPurposesPerLocale(t *testing.T) {
	yaml := strings.Replace(minimal, `  birthday:  { title: "Birthday treats" }`,
		"  birthday:\n    title: { en: \"Birthday treats\", es: \"Regalos de cumpleaños\", pt_br: \"Presentes de aniversário\" }\n"+
			"    description: { es: \"Un saludo en tu cumpleaños.\" }", 1)
	c := mustParse(t, "courtesy.yaml", yaml+"  surveys: { title: Surveys }\n")
	p := c.Purposes[0]
	got := []string{p.Title, p.TitleIn("es-ES"), p.TitleIn("pt-BR"), p.TitleIn("de"), p.Description, p.DescriptionIn("es"),
		c.Purposes[2].Title, c.Purposes[2].TitleIn("es")}
	want := []string{"Birthday treats", "Regalos de cumpleaños", "Presentes de aniversário", "Birthday treats", "Un saludo en tu cumpleaños.", "Un saludo en tu cumpleaños.",
		"Surveys", "Surveys"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	c = mustParse(t, "courtesy.yaml", strings.Replace(yaml, "  timezone: Europe/London", "  timezone: Europe/London\n  locale: es", 1))
	if got := c.Purposes[0].Title; got != "Regalos de cumpleaños" {
		t.Errorf("a Spanish business's default title = %q", got)
	}

	_, err := Parse("courtesy.yaml", []byte(strings.Replace(yaml, "es: \"Regalos", "not a locale!: \"Regalos", 1)))
	var ds courtesy.Diagnostics
	if !errors.As(err, &ds) || len(ds) != 1 || !strings.HasPrefix(ds[0].String(), `courtesy.yaml:9: purposes.birthday.title.not a locale!: "not a locale!" is not a BCP 47 locale`) {
		t.Errorf("a bad locale key: %v", err)
	}
}
