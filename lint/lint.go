// Package lint checks everything a marketer writes before it can reach a
// customer: the config, every campaign, every template (rendered with sample
// and edge-case customers for each variant) and the voice of each message
// against its tone profile. Every problem names its file, line and column.
package lint

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/campaigns"
	"github.com/courtesyhq/courtesy/shop"
	"github.com/courtesyhq/courtesy/templates"
	"github.com/courtesyhq/courtesy/tone"
)

// Result is what a lint run found, and what it loaded on the way, so a
// command can go on to use a configuration that linted clean.
type Result = shop.Shop

// Path finds the config file for a lint target: a file is itself; a
// directory holds courtesy.yaml.
func Path(target string) string {
	if fi, err := os.Stat(target); err == nil && fi.IsDir() {
		return filepath.Join(target, "courtesy.yaml")
	}
	return target
}

// Run loads and then checks every campaign's message: a campaign with
// errors too, as far as it could be read, so that one run reports every
// problem of a file together, its tone findings beside its other errors.
// The Result is for reporting: its Campaigns may have errors.
func Run(configPath string) Result {
	r := shop.LoadFaulty(configPath)
	if r.Config == nil {
		return r
	}
	for _, c := range r.Campaigns {
		r.Diagnostics = append(r.Diagnostics, checkCampaign(r, c)...)
	}
	Sort(r.Diagnostics)
	return r
}

// checkCampaign renders each variant, in every language it is written in,
// with sample and edge-case customers and checks each translation's own
// words against the campaign's tone profile.
func checkCampaign(r Result, c *campaigns.Campaign) courtesy.Diagnostics {
	cfg := r.Config
	var out courtesy.Diagnostics
	campaignFile := fileOf(r, c)
	biz := templates.Business{Name: cfg.Business.Name, PostalAddress: cfg.Business.PostalAddress}
	variants := c.VariantIDs()
	if len(variants) == 0 {
		variants = []string{""}
	}
	for _, v := range variants {
		for _, tpl := range c.Translations(v) {
			lang := tpl.Lang().String()
			data := templates.SampleData(cfg.Business.BaseURL, biz, templates.Campaign{ID: c.ID, Name: c.Name})
			customers := append([]templates.Customer{data.Customer}, templates.EdgeCaseCustomers()...)
			for _, cu := range customers {
				data.Customer = cu
				if _, err := tpl.Render(data); err != nil {
					out = append(out, courtesy.Diagnostic{File: campaignFile, Severity: courtesy.SeverityError, Rule: "render",
						Message: "variant " + v + " in " + lang + " does not render for customer " + cu.FirstName + ": " + err.Error()})
				}
			}
			out = append(out, checkTone(r, c, v, tpl)...)
		}
	}
	if checker := r.Tone[string(c.Tone)]; checker != nil {
		out = append(out, unknownAllows(campaignFile, c, checker)...)
	}
	return dedupe(out)
}

// fileOf names a campaign's file as the config does. LoadDir names
// files relative to the config's directory; only a campaigns_dir given as
// an absolute path is left out of the name.
func fileOf(r Result, c *campaigns.Campaign) string {
	if filepath.IsAbs(r.Config.CampaignsDir) {
		return filepath.Join(r.Config.CampaignsDir, c.File)
	}
	return c.File
}

// checkTone checks the words of one message as written, each part in its
// own file, against the campaign's tone profile for the message's language.
func checkTone(r Result, c *campaigns.Campaign, variant string, tpl *templates.Template) courtesy.Diagnostics {
	cfg := r.Config
	checker := r.Tone[string(c.Tone)]
	if checker == nil {
		return nil
	}
	var out courtesy.Diagnostics
	campaignFile := fileOf(r, c)
	tc := tone.Context{Kind: string(c.Kind), StockData: c.StockData, BusinessName: cfg.Business.Name,
		Lang: tpl.Lang().String(), Allow: tone.Allows(c.ToneAllow)}
	src := tpl.Source()
	prefix := "template"
	for i, v := range c.Variants {
		if v.ID == variant && (v.Files.Subject != "" || len(v.Files.Subjects) > 0) {
			prefix = fmt.Sprintf("variants[%d].template", i)
		}
	}
	subjectField := prefix + ".subject"
	if tpl != c.Template(variant) {
		subjectField = prefix + ".subjects." + tpl.Lang().String()
	}
	line, col := c.Pos(subjectField)
	for _, f := range checker.CheckTemplate(tc, src.Subject) {
		if f.Rule == requiredRule(f) {
			continue // the subject alone need not name the sender
		}
		out = append(out, finding(campaignFile, line, col+f.Col-1, f))
	}
	for _, part := range []struct{ name, text string }{{src.TextName, src.Text}, {src.HTMLName, src.HTML}} {
		if part.text == "" {
			continue
		}
		text := part.text
		if strings.HasSuffix(part.name, ".html") || strings.HasSuffix(part.name, ".htm") {
			text = maskTags(text)
		}
		for _, f := range checker.CheckTemplate(tc, text) {
			if f.Rule == requiredRule(f) {
				continue // checked once over the whole message below
			}
			out = append(out, finding(filepath.FromSlash(part.name), f.Line, f.Col, f))
		}
	}
	return out
}

// requiredRule returns the finding's rule when it is a "required element"
// finding: those speak of the whole message, not of one file.
func requiredRule(f tone.Finding) string {
	if f.Family == "required" {
		return f.Rule
	}
	return ""
}

func finding(file string, line, col int, f tone.Finding) courtesy.Diagnostic {
	msg := f.Message
	if f.Suggestion != "" {
		msg += " (suggestion: " + f.Suggestion + ")"
	}
	if f.Allowed != "" {
		msg = "allowed by the campaign's tone_allow (" + f.Allowed + "): " + msg
	}
	return courtesy.Diagnostic{File: file, Line: line, Col: col, Severity: f.Severity, Rule: f.Rule, Message: msg}
}

// unknownAllows reports a tone_allow entry that names no rule or family of
// the checker: a misspelt switch-off would otherwise switch nothing off.
func unknownAllows(file string, c *campaigns.Campaign, checker *tone.Checker) courtesy.Diagnostics {
	var out courtesy.Diagnostics
	for i, a := range c.ToneAllow {
		if checker.Knows(a.Rule) {
			continue
		}
		field := fmt.Sprintf("tone_allow[%d].rule", i)
		line, col := c.Pos(field)
		out = append(out, courtesy.Diagnostic{File: file, Line: line, Col: col, Field: field, Severity: courtesy.SeverityError, Rule: "tone-allow",
			Message: fmt.Sprintf("%q is neither a tone rule id nor a tone family, so it allows nothing", a.Rule)})
	}
	return out
}

// maskTags blanks out HTML tags and entities' markup with spaces, keeping
// every other byte where it was, so findings keep their line and column.
func maskTags(s string) string {
	b := []byte(s)
	in := false
	for i, c := range b {
		switch {
		case c == '<':
			in = true
			b[i] = ' '
		case c == '>' && in:
			in = false
			b[i] = ' '
		case in && c != '\n':
			b[i] = ' '
		}
	}
	return string(b)
}

func dedupe(ds courtesy.Diagnostics) courtesy.Diagnostics {
	seen := map[string]bool{}
	out := ds[:0]
	for _, d := range ds {
		k := d.String()
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, d)
	}
	return out
}

// Sort orders diagnostics as a person reads them: by file, line and
// column, and at one place errors first, then by rule and message, so
// that every run lists the same problems in the same order.
func Sort(ds courtesy.Diagnostics) {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Col, b.Col),
			cmp.Compare(severityRank(a.Severity), severityRank(b.Severity)),
			cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.Field, b.Field),
			cmp.Compare(a.Message, b.Message),
		) < 0
	})
}

func severityRank(s courtesy.Severity) int {
	switch s {
	case courtesy.SeverityError:
		return 0
	case courtesy.SeverityWarning:
		return 1
	}
	return 2
}
