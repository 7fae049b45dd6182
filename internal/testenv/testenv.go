// Package testenv gives tests the real services courtesy runs on — Redis and
// PostgreSQL — each in a namespace of its own, so test packages cannot see
// each other's data. Outside CI a missing service skips the test with a
// message saying how to run it; in CI (CI=true) it fails the test.
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"github.com/redis/go-redis/v9"
)

// Redis DB numbers, one per test package, so packages that run in parallel
// (go test runs packages concurrently) never flush each other's keys.
const (
	RedisDBThrottle  = 1
	RedisDBWorker    = 2
	RedisDBWeb       = 3
	RedisDBCommand   = 4
	RedisDBScheduler = 5
	RedisDBBench     = 6
	RedisDBChaos     = 7
	RedisDBReport    = 8
	RedisDBProcess   = 9  // cmd/courtesy tests that run the binary
	RedisDBWorkers   = 10 // cmd/courtesy tests of several worker processes
	RedisDBSignup    = 13 // signup/signupredis
)

// InCI reports whether the tests run in continuous integration, where every
// service must be there.
func InCI() bool { return os.Getenv("CI") == "true" }

func unavailable(tb testing.TB, what string, err error) {
	tb.Helper()
	if InCI() {
		tb.Fatalf("%s is not reachable in CI: %v", what, err)
	}
	tb.Skipf("%s is not reachable (%v); run the tests with ./scripts/test, which starts it", what, err)
}

// RedisAddr is the Redis server tests use: $COURTESY_TEST_REDIS_ADDR or 127.0.0.1:6379.
func RedisAddr() string {
	if a := os.Getenv("COURTESY_TEST_REDIS_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:6379"
}

// RedisURL returns the URL of Redis database db, flushed before the test.
func RedisURL(tb testing.TB, db int) string {
	tb.Helper()
	c := Redis(tb, db)
	_ = c.Close()
	return fmt.Sprintf("redis://%s/%d", RedisAddr(), db)
}

// Redis returns a client on database db, flushed before the test and closed
// after it.
func Redis(tb testing.TB, db int) *redis.Client {
	tb.Helper()
	c := redis.NewClient(&redis.Options{Addr: RedisAddr(), DB: db})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		_ = c.Close()
		unavailable(tb, "Redis at "+RedisAddr(), err)
	}
	if err := c.FlushDB(ctx).Err(); err != nil {
		tb.Fatalf("flush Redis db %d: %v", db, err)
	}
	tb.Cleanup(func() { _ = c.Close() })
	return c
}

// PostgresBaseURL is the server tests use: $COURTESY_TEST_POSTGRES_URL or
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
func PostgresBaseURL() string {
	if u := os.Getenv("COURTESY_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// PostgresURL creates a fresh schema for the test and returns a URL whose
// connections use it (search_path). The schema is dropped after the test.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	base := PostgresBaseURL()
	db, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("open postgres: %v", err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		unavailable(tb, "PostgreSQL at "+base, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + strings.ToLower(sanitize(tb.Name())) + "_" + hex.EncodeToString(b[:])
	if len(schema) > 60 {
		schema = "t_" + hex.EncodeToString(b[:])
	}
	if _, err := db.ExecContext(ctx, `CREATE SCHEMA "`+schema+`"`); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer db.Close()
		_, _ = db.Exec(`DROP SCHEMA "` + schema + `" CASCADE`)
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("parse %s: %v", base, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func sanitize(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}
