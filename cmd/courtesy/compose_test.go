package main

import (
	"maps"
	"net/url"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/courtesyhq/courtesy/config"
	"github.com/courtesyhq/courtesy/store"
)

// composeService is the part of a compose service the checks below read.
type composeService struct {
	Image       string            `yaml:"image"`
	Build       any               `yaml:"build"`
	Command     []string          `yaml:"command"`
	Environment map[string]string `yaml:"environment"`
	Volumes     []string          `yaml:"volumes"`
	Profiles    []string          `yaml:"profiles"`
	DependsOn   map[string]any    `yaml:"depends_on"`
}

type composeFile struct {
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]any            `yaml:"volumes"`
}

// loadCompose reads compose files and merges them as `docker compose -f a
// -f b` does for the fields read here: maps merge key by key, volumes by
// their target, and a later command or profile list replaces the earlier.
func loadCompose(t *testing.T, files ...string) composeFile {
	t.Helper()
	out := composeFile{Services: map[string]composeService{}, Volumes: map[string]any{}}
	for _, f := range files {
		raw, err := os.ReadFile("../../" + f)
		if err != nil {
			t.Fatal(err)
		}
		var c composeFile
		if err := yaml.Unmarshal(raw, &c); err != nil {
			t.Fatalf("%s does not parse: %v", f, err)
		}
		maps.Copy(out.Volumes, c.Volumes)
		for name, s := range c.Services {
			m, ok := out.Services[name]
			if !ok {
				m = composeService{Environment: map[string]string{}, DependsOn: map[string]any{}}
			}
			if s.Image != "" {
				m.Image = s.Image
			}
			if s.Build != nil {
				m.Build = s.Build
			}
			if s.Command != nil {
				m.Command = s.Command
			}
			if s.Profiles != nil {
				m.Profiles = s.Profiles
			}
			maps.Copy(m.Environment, s.Environment)
			maps.Copy(m.DependsOn, s.DependsOn)
			for _, v := range s.Volumes {
				m.Volumes = slices.DeleteFunc(m.Volumes, func(o string) bool { return mountOf(o).dst == mountOf(v).dst })
				m.Volumes = append(m.Volumes, v)
			}
			out.Services[name] = m
		}
	}
	return out
}

type mount struct {
	src, dst string
	ro       bool
}

func mountOf(v string) mount {
	parts := strings.Split(v, ":")
	m := mount{src: parts[0], dst: parts[len(parts)-1]}
	if len(parts) == 3 {
		m.dst, m.ro = parts[1], parts[2] == "ro"
	}
	return m
}

// under reports whether p is dir or inside it.
func under(p, dir string) bool {
	p, dir = path.Clean(p), path.Clean(dir)
	return p == dir || strings.HasPrefix(p, dir+"/")
}

var interpolation = regexp.MustCompile(`\$\{([A-Z_]+)(:?[-?])([^}]*)\}`)

// supplied are the values a user must give a required ${VAR:?…}.
var supplied = map[string]string{"COURTESY_LINK_KEYS": "k1:" + strings.Repeat("QUJD", 11)}

// interpolate fills ${VAR:-default} with its default, as compose does with
// the variable unset, and a required ${VAR:?…} with what the user supplies.
func interpolate(t *testing.T, s string) string {
	return interpolation.ReplaceAllStringFunc(s, func(m string) string {
		g := interpolation.FindStringSubmatch(m)
		if strings.HasSuffix(g[2], "?") {
			v, ok := supplied[g[1]]
			if !ok {
				t.Errorf("%s is required and no test value is known for it", g[1])
			}
			return v
		}
		return g[3]
	})
}

// enabled lists the services a profile starts: those without profiles and
// those that name it.
func (c composeFile) enabled(profile string) map[string]composeService {
	out := map[string]composeService{}
	for name, s := range c.Services {
		if len(s.Profiles) == 0 || slices.Contains(s.Profiles, profile) {
			out[name] = s
		}
	}
	return out
}

func (c composeFile) profiles() []string {
	ps := []string{""}
	for _, s := range c.Services {
		for _, p := range s.Profiles {
			if !slices.Contains(ps, p) {
				ps = append(ps, p)
			}
		}
	}
	return ps
}

// TestComposeFileMatchesTheProgram checks what can be checked of the
// compose stacks without a Docker engine. In every stack and profile:
// Redis keeps an append-only file and Mailpit catches the mail; every
// courtesy process runs a real command with variables courtesy reads and
// a mounted configuration that loads; and, read as courtesy reads them
// (config file, then environment), all processes share one database and
// one Redis, both services of the stack, with the SQLite file (when there
// is one) on a writable volume and never under the read-only config mount.
func TestComposeFileMatchesTheProgram(t *testing.T) {
	read := map[string]bool{"COURTESY_CONFIG": true, "COURTESY_LOG_LEVEL": true}
	var probe config.Config
	_ = probe.ApplyEnv(func(k string) string { read[k] = true; return "" })

	stacks := [][]string{{"compose.yaml"}, {"compose.yaml", "compose.postgres.yaml"}}
	databases := map[string]bool{}
	for _, files := range stacks {
		c := loadCompose(t, files...)
		for _, profile := range c.profiles() {
			stack := strings.Join(files, " + ")
			if profile != "" {
				stack += " --profile " + profile
			}
			t.Run(stack, func(t *testing.T) {
				services := c.enabled(profile)
				redis, ok := services["redis"]
				if !ok || !slices.Contains(redis.Command, "--appendonly") || redis.Command[slices.Index(redis.Command, "--appendonly")+1] != "yes" {
					t.Errorf("no Redis with an append-only file: %v", redis.Command)
				}
				if _, ok := services["mailpit"]; !ok {
					t.Error("no Mailpit to catch the mail")
				}
				shared := map[string]map[string]bool{}
				processes := 0
				for name, s := range services {
					if s.Build == nil {
						continue
					}
					processes++
					got := checkCourtesyService(t, name, s, services, c, read)
					for k, v := range got {
						if shared[k] == nil {
							shared[k] = map[string]bool{}
						}
						shared[k][v] = true
					}
				}
				if processes == 0 {
					t.Fatal("no courtesy process")
				}
				for what, values := range shared {
					if len(values) != 1 {
						t.Errorf("the courtesy processes do not share one %s: %v", what, slices.Sorted(maps.Keys(values)))
					}
				}
				for db := range shared["database"] {
					databases[db] = true
				}
			})
		}
	}
	if len(databases) < 2 {
		t.Errorf("the stacks offer one database only, %v: PostgreSQL should be an option beside SQLite", slices.Sorted(maps.Keys(databases)))
	}
}

// checkCourtesyService checks one courtesy process of a stack and returns
// what it must share with the others.
func checkCourtesyService(t *testing.T, name string, s composeService, services map[string]composeService, c composeFile, read map[string]bool) map[string]string {
	t.Helper()
	if len(s.Command) == 0 {
		t.Errorf("%s: no command", name)
		return nil
	}
	if _, ok := commands[s.Command[0]]; !ok {
		t.Errorf("%s: %q is not a courtesy command", name, s.Command[0])
	}
	env := map[string]string{}
	for k, v := range s.Environment {
		if !read[k] {
			t.Errorf("%s: %s is not a variable courtesy reads", name, k)
		}
		env[k] = interpolate(t, v)
	}
	if u := env["SMTP_URL"]; !strings.Contains(u, "mailpit:1025") {
		t.Errorf("%s: SMTP_URL %q does not point at Mailpit", name, u)
	}
	for dep := range s.DependsOn {
		if _, ok := services[dep]; !ok {
			t.Errorf("%s: depends on %s, which this stack does not start", name, dep)
		}
	}

	// The configuration as the process sees it: the mounted file read at
	// its path in the container, then the environment.
	cfgPath := env["COURTESY_CONFIG"]
	var cfgMount mount
	for _, v := range s.Volumes {
		if m := mountOf(v); strings.HasPrefix(m.src, "./") && under(cfgPath, m.dst) {
			cfgMount = m
		}
	}
	if cfgMount.dst == "" {
		t.Errorf("%s: COURTESY_CONFIG %q is not in a mounted directory", name, cfgPath)
		return nil
	}
	hostPath := "../../" + path.Join(cfgMount.src, strings.TrimPrefix(cfgPath, cfgMount.dst))
	if _, err := config.Load(hostPath); err != nil {
		t.Errorf("%s: the mounted config %s does not load: %v", name, hostPath, err)
		return nil
	}
	raw, _ := os.ReadFile(hostPath)
	cfg, err := config.Parse(cfgPath, raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.ApplyEnv(func(k string) string { return env[k] }); err != nil {
		t.Errorf("%s: %v", name, err)
	}

	ru, err := url.Parse(cfg.Redis.URL)
	if err != nil || !isService(services, ru.Hostname(), "redis") {
		t.Errorf("%s: Redis %q is not the stack's Redis", name, cfg.Redis.URL)
	}
	if _, ok := s.DependsOn["redis"]; !ok {
		t.Errorf("%s: does not wait for Redis", name)
	}

	if file, ok := store.SQLiteFile(cfg.Database.URL); ok {
		if under(file, cfgMount.dst) && cfgMount.ro {
			t.Errorf("%s: the SQLite database %s is under the read-only config mount", name, file)
		}
		onVolume := false
		for _, v := range s.Volumes {
			if m := mountOf(v); !m.ro && under(file, m.dst) {
				_, named := c.Volumes[m.src]
				onVolume = named
			}
		}
		if !onVolume {
			t.Errorf("%s: the SQLite database %s is not on a writable named volume", name, file)
		}
	} else {
		u, err := url.Parse(cfg.Database.URL)
		if err != nil || !isService(services, u.Hostname(), "postgres") {
			t.Fatalf("%s: DATABASE_URL %q is not the stack's PostgreSQL", name, cfg.Database.URL)
		}
		pg := services[u.Hostname()].Environment
		pass, _ := u.User.Password()
		if u.User.Username() != pg["POSTGRES_USER"] || pass != pg["POSTGRES_PASSWORD"] || strings.TrimPrefix(u.Path, "/") != pg["POSTGRES_DB"] {
			t.Errorf("%s: DATABASE_URL %q does not match the postgres service %v", name, cfg.Database.URL, pg)
		}
		if _, ok := s.DependsOn[u.Hostname()]; !ok {
			t.Errorf("%s: does not wait for %s", name, u.Hostname())
		}
	}
	// A volume that holds no SQLite file still needs the image's data
	// directory, since courtesy writes there when it writes at all.
	if d := cfg.Path(cfg.DataDir); cfgMount.ro && under(d, cfgMount.dst) {
		t.Errorf("%s: data_dir %s is under the read-only config mount", name, d)
	}
	return map[string]string{"database": cfg.Database.URL, "Redis": cfg.Redis.URL}
}

// isService reports whether host is a service of the stack running image.
func isService(services map[string]composeService, host, image string) bool {
	s, ok := services[host]
	return ok && strings.HasPrefix(s.Image, image+":")
}

// TestDockerfileDataDirectory: the image declares its data directory as a
// volume and tells courtesy to use it, and compose mounts that volume there.
func TestDockerfileDataDirectory(t *testing.T) {
	raw, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(raw)
	env := regexp.MustCompile(`(?m)^ENV COURTESY_DATA_DIR=(\S+)$`).FindStringSubmatch(df)
	vol := regexp.MustCompile(`(?m)^VOLUME (\S+)$`).FindStringSubmatch(df)
	if env == nil || vol == nil || env[1] != vol[1] {
		t.Fatalf("the Dockerfile's COURTESY_DATA_DIR %v and VOLUME %v differ", env, vol)
	}
	if !regexp.MustCompile(`(?m)^COPY --from=build --chown=65532:65532 \S+ ` + regexp.QuoteMeta(vol[1]) + `$`).MatchString(df) {
		t.Errorf("the image's %s is not owned by the non-root user: a fresh volume there would not be writable", vol[1])
	}
	c := loadCompose(t, "compose.yaml")
	s := c.Services["courtesy"]
	if s.Environment["COURTESY_DATA_DIR"] != vol[1] || !slices.ContainsFunc(s.Volumes, func(v string) bool { return mountOf(v).dst == vol[1] && !mountOf(v).ro }) {
		t.Errorf("compose's courtesy service does not keep its data on a volume at %s: %v %v", vol[1], s.Environment, s.Volumes)
	}
}
