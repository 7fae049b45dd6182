package main

import (
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/courtesyhq/courtesy/config"
)

// composeFile is the part of compose.yaml the checks below read.
type composeFile struct {
	Services map[string]struct {
		Image       string            `yaml:"image"`
		Build       any               `yaml:"build"`
		Command     []string          `yaml:"command"`
		Environment map[string]string `yaml:"environment"`
		Volumes     []string          `yaml:"volumes"`
		Profiles    []string          `yaml:"profiles"`
		DependsOn   map[string]any    `yaml:"depends_on"`
	} `yaml:"services"`
	Volumes map[string]any `yaml:"volumes"`
}

// TestComposeFileMatchesTheProgram checks what can be checked of
// compose.yaml without a Docker engine: it parses; Redis keeps an
// append-only file; Mailpit catches the mail; PostgreSQL is there as an
// option whose credentials the workers use; and every variable given to
// courtesy is one the program reads, with commands and config paths that
// exist.
func TestComposeFileMatchesTheProgram(t *testing.T) {
	raw, err := os.ReadFile("../../compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(raw, &c); err != nil {
		t.Fatalf("compose.yaml does not parse: %v", err)
	}
	for _, name := range []string{"redis", "mailpit", "postgres", "courtesy", "worker"} {
		if _, ok := c.Services[name]; !ok {
			t.Errorf("compose.yaml has no %s service", name)
		}
	}
	redis := c.Services["redis"]
	if !slices.Contains(redis.Command, "--appendonly") || redis.Command[slices.Index(redis.Command, "--appendonly")+1] != "yes" {
		t.Errorf("Redis runs without an append-only file: %v", redis.Command)
	}
	if len(c.Services["postgres"].Profiles) == 0 {
		t.Error("PostgreSQL should be an option (a profile), not always on")
	}

	// The variables the program reads.
	read := map[string]bool{"COURTESY_CONFIG": true, "COURTESY_LOG_LEVEL": true}
	var cfg config.Config
	_ = cfg.ApplyEnv(func(k string) string { read[k] = true; return "" })

	pg := c.Services["postgres"].Environment
	for _, name := range []string{"courtesy", "worker"} {
		s := c.Services[name]
		if s.Build == nil {
			t.Errorf("%s: not built from this repository", name)
		}
		if _, ok := commands[s.Command[0]]; !ok {
			t.Errorf("%s: %q is not a courtesy command", name, s.Command[0])
		}
		for k, v := range s.Environment {
			if !read[k] {
				t.Errorf("%s: %s is not a variable courtesy reads", name, k)
			}
			if k == "SMTP_URL" && !strings.Contains(v, "mailpit:1025") {
				t.Errorf("%s: SMTP_URL %q does not point at Mailpit", name, v)
			}
			if k == "DATABASE_URL" && strings.HasPrefix(v, "postgres://") {
				u, err := url.Parse(v)
				if err != nil {
					t.Fatal(err)
				}
				pass, _ := u.User.Password()
				if u.User.Username() != pg["POSTGRES_USER"] || pass != pg["POSTGRES_PASSWORD"] || strings.TrimPrefix(u.Path, "/") != pg["POSTGRES_DB"] {
					t.Errorf("%s: DATABASE_URL %q does not match the postgres service %v", name, v, pg)
				}
			}
		}
		// The mounted example is a valid configuration.
		for _, v := range s.Volumes {
			src, dst, _ := strings.Cut(v, ":")
			if strings.HasPrefix(src, "./") && strings.HasPrefix(s.Environment["COURTESY_CONFIG"], strings.TrimSuffix(dst, ":ro")) {
				cfgPath := filepath.Join("../..", src, filepath.Base(s.Environment["COURTESY_CONFIG"]))
				if _, err := config.Load(cfgPath); err != nil {
					t.Errorf("%s: the mounted config %s does not load: %v", name, cfgPath, err)
				}
			}
		}
	}
}
