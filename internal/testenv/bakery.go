package testenv

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Bakery copies the bakery example (examples/bakery) into a directory of
// the test's own, with files added or replaced (paths relative to it), and
// returns the path of its courtesy.yaml.
func Bakery(tb testing.TB, files map[string]string) string {
	tb.Helper()
	_, here, _, ok := runtime.Caller(0)
	if !ok {
		tb.Fatal("testenv: cannot find the bakery example")
	}
	dir := tb.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(filepath.Dir(here), "..", "..", "examples", "bakery"))); err != nil {
		tb.Fatal(err)
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return filepath.Join(dir, "courtesy.yaml")
}
