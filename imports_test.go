package courtesy_test

import (
	"bufio"
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/courtesyhq/courtesy"

// The import graph says what the README's Development section says: the
// rules do no I/O and do not read the file format, the analysis packages
// read the store through interfaces of their own, and the worker takes its
// configuration as values.
func TestImportGraphKeepsRulesApartFromIO(t *testing.T) {
	rules := []string{"campaigns", "templates", "tone", "consent", "throttle"}
	tests := []struct {
		name     string
		pkgs     []string
		mustNot  []string // import paths, each with everything under it
		whyNotOK string
	}{
		{
			name: "rule packages",
			pkgs: rules,
			mustNot: []string{
				"database/sql", "github.com/jackc/pgx", "modernc.org/sqlite", // a database
				"github.com/redis/go-redis", "github.com/hibiken/asynq", // Redis
				"net/http", "net/smtp", "github.com/wneessen/go-mail", // HTTP, SMTP
				module + "/config", module + "/store", // the config file format, the store
			},
			whyNotOK: "rules are plain functions over values: I/O belongs in a package named for what it talks to",
		},
		{
			name:     "analysis packages",
			pkgs:     []string{"report", "guardrail", "privacy", "feedback"},
			mustNot:  []string{module + "/store"},
			whyNotOK: "they read the root package's entities through interfaces they declare",
		},
		{
			name:     "worker",
			pkgs:     []string{"worker"},
			mustNot:  []string{module + "/config"},
			whyNotOK: "cmd/courtesy reads the config file and hands the worker values",
		},
	}

	var all []string
	for _, tt := range tests {
		for _, p := range tt.pkgs {
			all = append(all, module+"/"+p)
		}
	}
	graph := importGraph(t, all...)

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, p := range tt.pkgs {
				root := module + "/" + p
				if _, ok := graph[root]; !ok {
					t.Fatalf("%s is not in the import graph: was it renamed?", root)
				}
				for _, bad := range tt.mustNot {
					if path := pathTo(graph, root, bad); path != nil {
						t.Errorf("%s imports %s: %s\n(%s)", p, bad, shorten(path), tt.whyNotOK)
					}
				}
			}
		})
	}
}

// The graph is read for real: a forbidden import anywhere below a package
// is found, and named with the chain that brings it in.
func TestImportGraphFindsTransitiveImports(t *testing.T) {
	graph := importGraph(t, module+"/store")
	path := pathTo(graph, module+"/store", "database/sql")
	if path == nil {
		t.Fatal("store does not import database/sql, as far as the graph knows")
	}
	if got := shorten(path); !strings.HasPrefix(got, "store → ") || !strings.HasSuffix(got, "database/sql") {
		t.Errorf("path = %q", got)
	}
	if pathTo(graph, module+"/store", "net/smtp") != nil {
		t.Errorf("store imports net/smtp")
	}
}

// importGraph returns, for each package the given ones depend on (and
// themselves), the packages it imports, as `go list -deps` reports them
// for this platform. Test files are not part of it.
func importGraph(tb testing.TB, pkgs ...string) map[string][]string {
	tb.Helper()
	args := append([]string{"list", "-deps", "-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}"}, pkgs...)
	cmd := exec.Command("go", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	graph := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) > 0 {
			graph[f[0]] = f[1:]
		}
	}
	return graph
}

// pathTo returns the shortest chain of imports from `from` to a package
// that is `to` or under it, or nil when there is none.
func pathTo(graph map[string][]string, from, to string) []string {
	prev := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if p == to || strings.HasPrefix(p, to+"/") {
			var path []string
			for ; p != ""; p = prev[p] {
				path = append([]string{p}, path...)
			}
			return path
		}
		for _, q := range graph[p] {
			if _, seen := prev[q]; !seen {
				prev[q] = p
				queue = append(queue, q)
			}
		}
	}
	return nil
}

func shorten(path []string) string {
	s := make([]string, len(path))
	for i, p := range path {
		s[i] = strings.TrimPrefix(p, module+"/")
	}
	return strings.Join(s, " → ")
}
