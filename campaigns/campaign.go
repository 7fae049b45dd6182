package campaigns

import (
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/internal/duration"
	"github.com/courtesyhq/courtesy/internal/yamlnode"
	"github.com/courtesyhq/courtesy/locale"
	"github.com/courtesyhq/courtesy/templates"
	"github.com/courtesyhq/courtesy/throttle"
)

// Kind is what starts a campaign's messages.
type Kind string

const (
	Birthday         Kind = "birthday"          // the customer's birthday, once a year
	InterestReminder Kind = "interest_reminder" // an item the customer saved
	NPSSurvey        Kind = "nps_survey"        // a purchase the customer made
	Welcome          Kind = "welcome"           // a sign-up the customer confirmed, once per customer
)

// Tone is the voice a campaign's messages are checked against.
type Tone string

const (
	Warm        Tone = "warm"
	Neutral     Tone = "neutral"
	Informative Tone = "informative"
)

// ToneAllow is one tone rule (by id) or family the campaign allows, and why.
type ToneAllow struct {
	Rule   string
	Reason string
}

// DefaultExpires is how long after its due time an occurrence may still be
// sent when the campaign does not say.
const DefaultExpires = 14 * duration.Day

// Campaign is one campaign file, validated, with its templates parsed.
type Campaign struct {
	// ID is stable and unique: [a-z0-9-]+.
	ID string
	// Name is shown to customers on the "why" and preference pages.
	// Defaults to the id, or, when it is written per locale, to the
	// business locale's.
	Name string
	// Names are the name per BCP 47 locale, when the file writes it so
	// ("name: {en: …, es: …}"). Defaults to none.
	Names map[string]string
	Kind  Kind
	// Purpose is the consent purpose the campaign needs.
	Purpose string
	// Enabled defaults to true: a campaign file that is there is meant to run.
	Enabled bool
	// Priority orders campaigns when limits allow only one. Defaults to 0.
	Priority int
	Send     Send
	Trigger  Trigger
	// Expires drops an occurrence not sent this long after its due time.
	// Defaults to 14d.
	Expires time.Duration
	// Limits cap this campaign per customer. Defaults to none.
	Limits []throttle.Limit
	// Fatigue is, for surveys, the least time between two surveys to the
	// same customer across every survey campaign. Defaults to 90d for
	// nps_survey, 0 otherwise.
	Fatigue time.Duration
	Files   TemplateFiles
	// Tone defaults to neutral.
	Tone Tone
	// Holdout is the percent (0–50) of eligible customers kept as a control
	// group. Defaults to 0.
	Holdout int
	// Variants split the rest by weight; none means one message for all.
	Variants []Variant
	// StockData declares that numbers of items in stock in the templates are
	// real, so the tone rules let "only 3 left" through. Defaults to false.
	StockData bool
	// ToneAllow switches tone rules or whole families off for this
	// campaign, each with the shop's reason, which lint shows beside every
	// finding it spares. Defaults to none.
	ToneAllow []ToneAllow

	// File is the campaign file, as named to LoadDir.
	File string
	// Version is a short hash of the YAML and the template files it uses:
	// every decision records it.
	Version string

	loc       *time.Location // the business's time zone
	lang      string         // the business's locale
	pos       map[string]yamlnode.Position
	templates map[string]*templates.Set // by variant id; "" is the base
}

// Send is when, in the recipient's local time, a message goes.
type Send struct {
	// At is the local time of day. Birthday defaults to 09:00; for the other
	// kinds, unset means as soon as the trigger's delay has passed.
	At    throttle.ClockTime
	HasAt bool
	// Window is how long after At the message may still go; 0 means until the
	// end of the day for birthdays, and no window for the others.
	Window time.Duration
}

// Trigger is the event that starts a reminder or a survey.
type Trigger struct {
	Event courtesy.EventType
	// After is the delay from the event. Defaults to 0.
	After time.Duration
}

// TemplateFiles names a message's content: Subject is an inline template,
// Text and HTML are files relative to templates_dir.
type TemplateFiles struct {
	Subject string
	Text    string
	HTML    string
	// Subjects are the subject in other languages, by BCP 47 locale
	// ("de", "pt-BR"); each goes with the text (and HTML) file of the same
	// locale beside the default one: birthday.de.txt beside birthday.txt.
	Subjects map[string]string
}

// Variant is a version of the message shown to a stable share of customers.
type Variant struct {
	ID     string
	Weight int
	// Files overrides the campaign's template fields that are set.
	Files TemplateFiles
}

// NameIn is the campaign's name in the language of lang, or its default.
func (c *Campaign) NameIn(lang string) string {
	return locale.ChooseOr(c.Names, lang, c.Name)
}

// Pos returns where field (such as "send.at" or "variants[1].weight") was
// written, or its nearest written parent.
func (c *Campaign) Pos(field string) (line, col int) {
	d := yamlnode.Doc{Pos: c.pos}
	p := d.Lookup(field)
	return p.Line, p.Col
}

// Template returns the parsed message of a variant, in the default
// language; "" is the campaign's own. It is nil for a variant the campaign
// does not have.
func (c *Campaign) Template(variantID string) *templates.Template {
	if s := c.templates[variantID]; s != nil {
		return s.Default()
	}
	return nil
}

// Message returns the message of a variant in the language that best
// matches a customer's locale, or in the default language, whole, when
// none does. It is nil for a variant the campaign does not have.
func (c *Campaign) Message(variantID, customerLocale string) *templates.Template {
	if s := c.templates[variantID]; s != nil {
		return s.For(customerLocale)
	}
	return nil
}

// Translations returns the message of a variant in every language it is
// written in, the default first.
func (c *Campaign) Translations(variantID string) []*templates.Template {
	if s := c.templates[variantID]; s != nil {
		return s.All()
	}
	return nil
}

// VariantIDs lists the variants in file order; none when there are no
// variants.
func (c *Campaign) VariantIDs() []string {
	out := make([]string, len(c.Variants))
	for i, v := range c.Variants {
		out[i] = v.ID
	}
	return out
}
