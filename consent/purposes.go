package consent

import (
	"fmt"
	"regexp"

	"gopkg.in/yaml.v3"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/locale"
)

// Purpose is a topic a customer can agree to hear about.
type Purpose struct {
	ID          string `yaml:"-" json:"id"`
	Title       string `yaml:"title" json:"title"`
	Description string `yaml:"description" json:"description"`
	// Titles and Descriptions are the same per BCP 47 locale, when the
	// business wrote them so; Title and Description are the default.
	Titles       map[string]string `yaml:"-" json:"-"`
	Descriptions map[string]string `yaml:"-" json:"-"`
}

// TitleIn is the title in the language of lang, or the default.
func (p Purpose) TitleIn(lang string) string { return locale.ChooseOr(p.Titles, lang, p.Title) }

// DescriptionIn is the description in the language of lang, or the default.
func (p Purpose) DescriptionIn(lang string) string {
	return locale.ChooseOr(p.Descriptions, lang, p.Description)
}

// Purposes is the configured list, in the order the business wrote it: the
// preference page shows them in that order.
type Purposes []Purpose

var purposeID = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// Get returns the purpose with the given id.
func (ps Purposes) Get(id string) (Purpose, bool) {
	for _, p := range ps {
		if p.ID == id {
			return p, true
		}
	}
	return Purpose{}, false
}

// IDs returns the purpose ids in order.
func (ps Purposes) IDs() []string {
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return ids
}

// Validate reports the first problem: an empty, malformed or repeated id, or
// a missing title.
func (ps Purposes) Validate() error {
	seen := make(map[string]bool, len(ps))
	for _, p := range ps {
		switch {
		case p.ID == courtesy.AllPurposes:
			return fmt.Errorf("purposes: %q is reserved for \"stop everything\"", p.ID)
		case !purposeID.MatchString(p.ID):
			return fmt.Errorf("purposes: %q is not a purpose id (want lower-case letters, digits, - and _)", p.ID)
		case seen[p.ID]:
			return fmt.Errorf("purposes: %q is listed twice", p.ID)
		case p.Title == "":
			return fmt.Errorf("purposes.%s.title: a title is required: customers choose by it", p.ID)
		}
		seen[p.ID] = true
	}
	return nil
}

// UnmarshalYAML reads the config's mapping of id to {title, description},
// keeping the order it was written in (a Go map would lose it).
func (ps *Purposes) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: purposes: want a mapping of id to {title, description}", n.Line)
	}
	out := make(Purposes, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		var p Purpose
		if err := n.Content[i+1].Decode(&p); err != nil {
			return fmt.Errorf("line %d: purposes.%s: %w", n.Content[i+1].Line, n.Content[i].Value, err)
		}
		p.ID = n.Content[i].Value
		out = append(out, p)
	}
	*ps = out
	return nil
}
