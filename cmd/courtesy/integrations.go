package main

import (
	"github.com/courtesyhq/courtesy/config"
	"github.com/courtesyhq/courtesy/doctor"
	"github.com/courtesyhq/courtesy/integrations"
)

// integrationSettings are the shop platforms' settings, by name, for the
// web server.
func (a *app) integrationSettings() map[string]integrations.Settings {
	out := map[string]integrations.Settings{}
	for _, e := range config.IntegrationSecrets {
		out[e.Platform] = *a.cfg.Integrations.Platform(e.Platform)
	}
	return out
}

// integrations describes the shop platforms for doctor.
func (a *app) integrations() []doctor.Integration {
	var out []doctor.Integration
	for _, e := range config.IntegrationSecrets {
		s := a.cfg.Integrations.Platform(e.Platform)
		topics := s.Topics
		if len(topics) == 0 {
			topics = integrations.Platforms[e.Platform].DefaultTopics
		}
		out = append(out, doctor.Integration{Name: e.Platform, SecretEnv: e.Env, On: s.Secret != "",
			Topics: topics, ConsentPurposes: s.ConsentPurposes})
	}
	return out
}
