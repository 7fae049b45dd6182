// Package storetest opens fresh stores for tests in one line: a SQLite file
// in the test's temporary directory, or a PostgreSQL schema of the test's
// own. Each is closed (and the schema dropped) when the test ends.
package storetest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy/internal/testenv"
	"github.com/courtesyhq/courtesy/store"
)

// OpenSQLite returns an empty store in a SQLite file of its own.
func OpenSQLite(tb testing.TB) *store.DB {
	tb.Helper()
	return Open(tb, "sqlite://"+filepath.Join(tb.TempDir(), "courtesy.db"))
}

// OpenPostgres returns an empty store in a fresh PostgreSQL schema. It skips
// the test when PostgreSQL is not reachable, and fails it in CI.
func OpenPostgres(tb testing.TB) *store.DB {
	tb.Helper()
	return Open(tb, testenv.PostgresURL(tb))
}

// Open opens the store at url, closed when the test ends.
func Open(tb testing.TB, url string, opts ...store.Option) *store.DB {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := store.Open(ctx, url, opts...)
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("close store: %v", err)
		}
	})
	return db
}
