package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy/internal/testenv"
)

// testLog sends the harness's progress lines to the test log.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func runShort(t *testing.T, db string) {
	t.Helper()
	if testing.Short() {
		t.Skip("the crash harness runs real processes for a few minutes")
	}
	o := options{
		Duration: 15 * time.Second, Messages: 500, Workers: 3, Concurrency: 10,
		KillEvery: 4 * time.Second, DB: db, RedisURL: testenv.RedisURL(t, testenv.RedisDBChaos),
		OptOuts: 5, DrainTimeout: 4 * time.Minute, Log: testLog{t},
	}
	if db == "postgres" {
		o.PostgresURL = testenv.PostgresBaseURL()
		testenv.PostgresURL(t) // skips, or fails in CI, when it is not there
	}
	s, err := run(context.Background(), o)
	if s != nil {
		var b strings.Builder
		s.print(&b)
		t.Log("\n" + b.String())
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range s.failures() {
		t.Error(f)
	}
	if len(s.kills) == 0 {
		t.Error("no worker was killed: the run proved nothing")
	}
	if s.sent == 0 || s.sink.total == 0 {
		t.Errorf("nothing was sent (%d) or received (%d)", s.sent, s.sink.total)
	}
}

// TestChaosKilledWorkersLoseAndDoubleNothing is the short crash run CI
// makes: 500 messages, three workers SIGKILLed at random for 15 s.
func TestChaosKilledWorkersLoseAndDoubleNothing(t *testing.T) {
	runShort(t, "sqlite")
}

// TestChaosPostgres is the same on PostgreSQL; it runs when
// COURTESY_CHAOS_POSTGRES=1, to keep CI short.
func TestChaosPostgres(t *testing.T) {
	if os.Getenv("COURTESY_CHAOS_POSTGRES") != "1" {
		t.Skip("set COURTESY_CHAOS_POSTGRES=1 to run the crash harness on PostgreSQL")
	}
	runShort(t, "postgres")
}
