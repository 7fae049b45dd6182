// Package shop loads what a shop's owner wrote — the config file, the
// campaigns and templates it names, and the tone rules — into the values
// the commands run on. Every problem is a Diagnostic naming its file, line
// and field; lint goes on to render and judge every message.
package shop

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/campaigns"
	"github.com/courtesyhq/courtesy/config"
	"github.com/courtesyhq/courtesy/tone"
)

// Shop is a loaded configuration and what it names.
type Shop struct {
	// Diagnostics are the problems found while loading; errors among them
	// mean the shop must not run.
	Diagnostics courtesy.Diagnostics
	// Config is nil when the config file was too broken to go on from.
	Config    *config.Config
	Campaigns []*campaigns.Campaign
	Tone      map[string]*tone.Checker // by profile name
}

// Load reads the configuration at configPath and the campaigns, templates
// and tone rules it names. Diagnostics carry every problem found; a config
// too broken to go on from stops there, and a campaign with errors is left
// out of Campaigns.
func Load(configPath string) Shop { return load(configPath, false) }

// LoadFaulty is Load that keeps the campaigns with errors too, as far as
// they could be read, so that lint can report every problem of a file
// together. Such a Shop is for reporting, never for running.
func LoadFaulty(configPath string) Shop { return load(configPath, true) }

func load(configPath string, keepFaulty bool) Shop {
	var s Shop
	cfg, err := config.Load(configPath)
	if err != nil {
		var ds courtesy.Diagnostics
		if !errors.As(err, &ds) {
			ds = courtesy.Diagnostics{{File: configPath, Severity: courtesy.SeverityError, Message: err.Error()}}
		}
		s.Diagnostics = append(s.Diagnostics, ds...)
		return s
	}
	s.Config = cfg
	s.Diagnostics = append(s.Diagnostics, cfg.Warnings()...)

	var rules []tone.Rule
	for _, f := range cfg.Tone.Rules {
		p := cfg.Path(f)
		rs, ds := tone.LoadRules(os.DirFS(filepath.Dir(p)), filepath.Base(p))
		s.Diagnostics = append(s.Diagnostics, relabel(ds, f)...)
		rules = append(rules, rs...)
	}
	s.Tone = map[string]*tone.Checker{}
	for _, profile := range tone.Profiles() {
		c, err := tone.New(profile, rules...)
		if err != nil {
			s.Diagnostics = append(s.Diagnostics, courtesy.Diagnostic{File: cfg.File(), Field: "tone.rules", Severity: courtesy.SeverityError, Message: err.Error()})
			continue
		}
		s.Tone[profile] = c
	}

	tfs, tdir := dirFS(cfg, cfg.TemplatesDir)
	env := campaigns.Env{
		Purposes:     cfg.PurposeNames(),
		Templates:    tfs,
		TemplatesDir: tdir,
		Location:     cfg.Location(),
		Locale:       cfg.Business.Locale,
		KeepFaulty:   keepFaulty,
	}
	cfs, cdir := dirFS(cfg, cfg.CampaignsDir)
	cs, ds := campaigns.LoadDir(cfs, cdir, env)
	s.Diagnostics = append(s.Diagnostics, ds...)
	s.Campaigns = cs
	return s
}

// relabel rewrites the file names of diagnostics found in a sub-FS so they
// read as the config names the file.
func relabel(ds courtesy.Diagnostics, name string) courtesy.Diagnostics {
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
