package stmtcache

import (
	"context"
	"database/sql"
	"path/filepath"
	"strconv"
	"testing"

	_ "modernc.org/sqlite"
)

func openDB(tb testing.TB) *sql.DB {
	tb.Helper()
	db, err := sql.Open("sqlite", filepath.Join(tb.TempDir(), "t.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	return db
}

func TestAQueryIsPreparedOnce(t *testing.T) {
	ctx := context.Background()
	c := New(openDB(t))
	defer c.Close()
	if c.Peek("SELECT 1") != nil {
		t.Fatal("Peek prepared a statement")
	}
	s := c.Get(ctx, "SELECT 1")
	if s == nil {
		t.Fatal("Get did not prepare SELECT 1")
	}
	if again := c.Get(ctx, "SELECT 1"); again != s {
		t.Error("Get prepared SELECT 1 a second time")
	}
	if c.Peek("SELECT 1") != s {
		t.Error("Peek does not return the statement Get prepared")
	}
	var n int
	if err := s.QueryRowContext(ctx).Scan(&n); err != nil || n != 1 {
		t.Errorf("the statement answers %d, %v", n, err)
	}
}

func TestAQueryThatDoesNotPrepareRunsUnprepared(t *testing.T) {
	c := New(openDB(t))
	defer c.Close()
	if s := c.Get(context.Background(), "SELECT FROM nowhere"); s != nil {
		t.Error("Get returned a statement for SQL that does not parse")
	}
}

func TestAFullCacheStopsPreparing(t *testing.T) {
	ctx := context.Background()
	c := New(openDB(t))
	defer c.Close()
	for i := range maxStmts {
		if c.Get(ctx, "SELECT "+strconv.Itoa(i)) == nil {
			t.Fatalf("query %d was not prepared", i)
		}
	}
	if c.Get(ctx, "SELECT 'one more'") != nil {
		t.Error("a full cache prepared one more statement")
	}
}

func TestANilCacheKeepsNothing(t *testing.T) {
	var c *Cache
	if c.Get(context.Background(), "SELECT 1") != nil || c.Peek("SELECT 1") != nil || c.Close() != nil {
		t.Error("a nil cache answered")
	}
}
