// Command chaos runs courtesy as it runs in production — one scheduler,
// several workers, the web pages, each its own process — against a
// discarding SMTP sink, SIGKILLs a worker at random moments and restarts it,
// and then proves that nothing was lost or doubled: every message has exactly
// one final decision, the sink received none twice, the queue is empty, and
// every acknowledged opt-out is in the store.
//
//	go run ./bench/chaos --duration 2m --messages 10000 --workers 3
//	go run ./bench/chaos --db postgres --messages 5000
//
// It needs Redis (REDIS_URL, default database 7 of 127.0.0.1:6379, which it
// flushes) and, with --db postgres, PostgreSQL (COURTESY_TEST_POSTGRES_URL).
// The exit status is 1 when a check fails.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/courtesyhq/courtesy/internal/testenv"
)

// options say how hard to shake.
type options struct {
	Duration     time.Duration // how long workers are killed
	Messages     int           // customers, all due today
	Workers      int           // worker processes
	Concurrency  int           // tasks per worker process
	KillEvery    time.Duration // mean time between two kills
	DB           string        // "sqlite" or "postgres"
	RedisURL     string        // flushed before the run
	PostgresURL  string        // the server a fresh schema is made in
	OptOuts      int           // one-click POSTs issued during the run
	DrainTimeout time.Duration // how long to wait for the queue after the chaos
	Seed         int64         // for the kill schedule; 0 picks one
	Bin          string        // a courtesy binary; empty builds one
	Keep         bool          // keep the working directory and logs
	Log          io.Writer     // progress lines
}

func defaultRedisURL() string {
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u
	}
	return fmt.Sprintf("redis://%s/%d", testenv.RedisAddr(), testenv.RedisDBChaos)
}

func main() {
	o := options{Log: os.Stderr}
	flag.DurationVar(&o.Duration, "duration", 2*time.Minute, "how long to keep killing workers")
	flag.IntVar(&o.Messages, "messages", 10000, "messages due (one customer each)")
	flag.IntVar(&o.Workers, "workers", 3, "worker processes")
	flag.IntVar(&o.Concurrency, "concurrency", 10, "tasks each worker runs at once")
	flag.DurationVar(&o.KillEvery, "kill-every", 4*time.Second, "mean time between SIGKILLs")
	flag.StringVar(&o.DB, "db", "sqlite", "store: sqlite or postgres")
	flag.StringVar(&o.RedisURL, "redis", defaultRedisURL(), "Redis database to use (it is flushed)")
	flag.StringVar(&o.PostgresURL, "postgres", testenv.PostgresBaseURL(), "PostgreSQL server for --db postgres")
	flag.IntVar(&o.OptOuts, "optouts", 5, "one-click unsubscribes issued during the run")
	flag.DurationVar(&o.DrainTimeout, "drain-timeout", 5*time.Minute, "how long to wait for the queue to drain")
	flag.Int64Var(&o.Seed, "seed", 0, "random seed of the kill schedule (0: from the clock)")
	flag.StringVar(&o.Bin, "bin", "", "courtesy binary to run (default: build ./cmd/courtesy)")
	flag.BoolVar(&o.Keep, "keep", false, "keep the working directory and process logs")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, err := run(ctx, o)
	if s != nil {
		s.print(os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		os.Exit(1)
	}
	if fails := s.failures(); len(fails) > 0 {
		os.Exit(1)
	}
}
