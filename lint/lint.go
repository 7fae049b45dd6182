// Package lint checks everything a marketer writes before it can reach a
// customer: the config, every campaign, every template (rendered with sample
// and edge-case customers for each variant) and the voice of each message
// against its tone profile. Every problem names its file, line and column.
package lint

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/campaigns"
	"github.com/courtesyhq/courtesy/config"
	"github.com/courtesyhq/courtesy/templates"
	"github.com/courtesyhq/courtesy/tone"
)

// Result is what a lint run found, and what it loaded on the way, so a
// command can go on to use a configuration that linted clean.
type Result struct {
	Diagnostics courtesy.Diagnostics
	Config      *config.Config
	Campaigns   []*campaigns.Campaign
	Tone        map[string]*tone.Checker // by profile name
}

// Path finds the config file for a lint target: a file is itself; a
// directory holds courtesy.yaml.
func Path(target string) string {
	if fi, err := os.Stat(target); err == nil && fi.IsDir() {
		return filepath.Join(target, "courtesy.yaml")
	}
	return target
}

// Load reads the configuration and the campaigns it names. Diagnostics
// carry every problem found; a config too broken to go on from stops there.
func Load(configPath string) Result {
	var r Result
	cfg, err := config.Load(configPath)
	if err != nil {
		var ds courtesy.Diagnostics
		if !errors.As(err, &ds) {
			ds = courtesy.Diagnostics{{File: configPath, Severity: courtesy.SeverityError, Message: err.Error()}}
		}
		r.Diagnostics = append(r.Diagnostics, ds...)
		return r
	}
	r.Config = cfg
	r.Diagnostics = append(r.Diagnostics, cfg.Warnings()...)

	var rules []tone.Rule
	for _, f := range cfg.Tone.Rules {
		p := cfg.Path(f)
		rs, ds := tone.LoadRules(os.DirFS(filepath.Dir(p)), filepath.Base(p))
		r.Diagnostics = append(r.Diagnostics, relabel(ds, filepath.Dir(p), f)...)
		rules = append(rules, rs...)
	}
	r.Tone = map[string]*tone.Checker{}
	for _, profile := range tone.Profiles() {
		c, err := tone.New(profile, rules...)
		if err != nil {
			r.Diagnostics = append(r.Diagnostics, courtesy.Diagnostic{File: cfg.File(), Field: "tone.rules", Severity: courtesy.SeverityError, Message: err.Error()})
			continue
		}
		r.Tone[profile] = c
	}

	tfs, tdir := dirFS(cfg, cfg.TemplatesDir)
	env := campaigns.Env{
		Purposes:     cfg.PurposeNames(),
		Templates:    tfs,
		TemplatesDir: tdir,
		Location:     cfg.Location(),
	}
	cfs, cdir := dirFS(cfg, cfg.CampaignsDir)
	cs, ds := campaigns.LoadDir(cfs, cdir, env)
	r.Diagnostics = append(r.Diagnostics, ds...)
	r.Campaigns = cs
	return r
}

// Run loads and then checks every campaign's message.
func Run(configPath string) Result {
	r := Load(configPath)
	if r.Config == nil {
		return r
	}
	for _, c := range r.Campaigns {
		r.Diagnostics = append(r.Diagnostics, r.checkCampaign(c)...)
	}
	Sort(r.Diagnostics)
	return r
}

// checkCampaign renders each variant with sample and edge-case customers and
// checks the template's own words against the campaign's tone profile.
func (r Result) checkCampaign(c *campaigns.Campaign) courtesy.Diagnostics {
	cfg := r.Config
	var out courtesy.Diagnostics
	// LoadDir names files as the config does, relative to its directory;
	// only a campaigns_dir given as an absolute path is left out of the name.
	campaignFile := c.File
	if filepath.IsAbs(cfg.CampaignsDir) {
		campaignFile = filepath.Join(cfg.CampaignsDir, c.File)
	}
	biz := templates.Business{Name: cfg.Business.Name, PostalAddress: cfg.Business.PostalAddress}
	variants := c.VariantIDs()
	if len(variants) == 0 {
		variants = []string{""}
	}
	for _, v := range variants {
		tpl := c.Template(v)
		if tpl == nil {
			continue
		}
		data := templates.SampleData(cfg.Business.BaseURL, biz, templates.Campaign{ID: c.ID, Name: c.Name})
		customers := append([]templates.Customer{data.Customer}, templates.EdgeCaseCustomers()...)
		for _, cu := range customers {
			data.Customer = cu
			if _, err := tpl.Render(data); err != nil {
				out = append(out, courtesy.Diagnostic{File: campaignFile, Severity: courtesy.SeverityError, Rule: "render",
					Message: "variant " + v + " does not render for customer " + cu.FirstName + ": " + err.Error()})
			}
		}
		checker := r.Tone[string(c.Tone)]
		if checker == nil {
			continue
		}
		tc := tone.Context{Kind: string(c.Kind), StockData: c.StockData, BusinessName: cfg.Business.Name,
			Lang: cfg.Business.Locale, Allow: tone.Allows(c.ToneAllow)}
		out = append(out, unknownAllows(campaignFile, c, checker)...)
		files := c.Files
		for _, vv := range c.Variants {
			if vv.ID == v {
				files = overlay(files, vv.Files)
			}
		}
		if files.Subject != "" {
			line, col := c.Pos("template.subject")
			for _, f := range checker.CheckTemplate(tc, files.Subject) {
				if f.Rule == requiredRule(f) {
					continue // the subject alone need not name the sender
				}
				out = append(out, finding(campaignFile, line, col+f.Col-1, f))
			}
		}
		for _, name := range []string{files.Text, files.HTML} {
			if name == "" {
				continue
			}
			src, err := os.ReadFile(filepath.Join(cfg.Path(cfg.TemplatesDir), name))
			if err != nil {
				continue // LoadDir has reported the missing file
			}
			text := string(src)
			if strings.HasSuffix(name, ".html") || strings.HasSuffix(name, ".htm") {
				text = maskTags(text)
			}
			tc := tc
			tc.Lang = templateLang(name, cfg.Business.Locale)
			for _, f := range checker.CheckTemplate(tc, text) {
				if f.Rule == requiredRule(f) {
					continue // checked once over the whole message below
				}
				out = append(out, finding(filepath.Join(cfg.TemplatesDir, name), f.Line, f.Col, f))
			}
		}
	}
	return dedupe(out)
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

// templateLang is the language of a template file: the BCP 47 tag before
// its extension ("birthday.de.txt" is German), else the business's.
func templateLang(name, def string) string {
	base := filepath.Base(name)
	base = strings.TrimSuffix(base, filepath.Ext(base))
	if i := strings.LastIndexByte(base, '.'); i >= 0 && tone.BaseLanguage(base[i+1:]) != "" {
		return base[i+1:]
	}
	return def
}

func overlay(base, over campaigns.TemplateFiles) campaigns.TemplateFiles {
	if over.Subject != "" {
		base.Subject = over.Subject
	}
	if over.Text != "" {
		base.Text = over.Text
	}
	if over.HTML != "" {
		base.HTML = over.HTML
	}
	return base
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

// relabel rewrites the file names of diagnostics found in a sub-FS so they
// read relative to the config, as the person wrote them.
func relabel(ds courtesy.Diagnostics, dir, name string) courtesy.Diagnostics {
	for i := range ds {
		if ds[i].File == "" || ds[i].File == filepath.Base(name) {
			ds[i].File = name
		}
	}
	return ds
}

// dirFS opens a directory the config names so that file names in
// diagnostics read as the config wrote them: relative to the config file.
func dirFS(cfg *config.Config, dir string) (fs.FS, string) {
	if filepath.IsAbs(dir) {
		return os.DirFS(dir), "."
	}
	return os.DirFS(cfg.Dir()), filepath.ToSlash(filepath.Clean(dir))
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

func Sort(ds courtesy.Diagnostics) {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}
