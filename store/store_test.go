package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy/internal/testenv"
	"github.com/courtesyhq/courtesy/store"
	"github.com/courtesyhq/courtesy/store/storetest"
)

func TestSQLite(t *testing.T) {
	runConformance(t, func(t *testing.T) *store.DB { return storetest.OpenSQLite(t) })
}

func TestPostgres(t *testing.T) {
	runConformance(t, func(t *testing.T) *store.DB { return storetest.OpenPostgres(t) })
}

func TestOpenURLs(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	tests := []struct {
		name string
		url  string
		file string // the file the store must create
	}{
		{"absolute", "sqlite://" + filepath.Join(dir, "abs.db"), filepath.Join(dir, "abs.db")},
		{"relative, directory created", "sqlite://data/rel.db", filepath.Join(dir, "data", "rel.db")},
		{"bare path", filepath.Join(dir, "bare.db"), filepath.Join(dir, "bare.db")},
		{"bare relative path", "plain.db", filepath.Join(dir, "plain.db")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := store.Open(context.Background(), tt.url)
			if err != nil {
				t.Fatalf("Open(%q): %v", tt.url, err)
			}
			defer db.Close()
			if err := db.Ping(context.Background()); err != nil {
				t.Fatalf("Ping: %v", err)
			}
			if _, err := os.Stat(tt.file); err != nil {
				t.Errorf("Open(%q) did not create %s: %v", tt.url, tt.file, err)
			}
			if got := db.Dialect(); got != "sqlite" {
				t.Errorf("Dialect() = %q, want sqlite", got)
			}
		})
	}
	for _, bad := range []string{"mysql://localhost/x", "sqlite://"} {
		if db, err := store.Open(context.Background(), bad); err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded, want an error", bad)
		}
	}
}

func TestRebind(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"none", "SELECT 1", "SELECT 1"},
		{"several", "SELECT a FROM t WHERE b = ? AND c IN (?, ?)", "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)"},
		{"quoted marks stay", "SELECT '?' || ? FROM \"t?\" WHERE x = ?", "SELECT '?' || $1 FROM \"t?\" WHERE x = $2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, store.Rebind(tt.in)); diff != "" {
				t.Errorf("Rebind(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestEmailHash(t *testing.T) {
	// sha256("abc"), the FIPS 180-2 test vector.
	const abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	tests := []struct {
		name, in, want string
	}{
		{"plain", "abc", abc},
		{"case and spaces", "  ABC\t", abc},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := store.EmailHash(tt.in); got != tt.want {
				t.Errorf("EmailHash(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
	if store.EmailHash("a@example.org") == store.EmailHash("b@example.org") {
		t.Error("different addresses hash alike")
	}
}

// Two processes starting together on one database must both come up, with
// the migrations applied once.
func TestConcurrentOpen(t *testing.T) {
	backends := []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return "sqlite://" + filepath.Join(t.TempDir(), "c.db") }},
		{"postgres", func(t *testing.T) string { return testenv.PostgresURL(t) }},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			url := b.url(t)
			const n = 4
			dbs := make([]*store.DB, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
					defer cancel()
					dbs[i], errs[i] = store.Open(ctx, url)
				})
			}
			wg.Wait()
			for i := range n {
				if errs[i] != nil {
					t.Fatalf("Open %d: %v", i, errs[i])
				}
				defer dbs[i].Close()
			}
			got, err := dbs[0].CountRows(context.Background(), "schema_migrations")
			if err != nil {
				t.Fatal(err)
			}
			if want := migrationCount(t); got != want {
				t.Errorf("schema_migrations has %d rows, want %d", got, want)
			}
		})
	}
}

func migrationCount(t *testing.T) int {
	t.Helper()
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations found: %v", err)
	}
	return len(files)
}

func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error = %v, want %v", err, target)
	}
}
