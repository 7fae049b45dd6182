package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/courtesyhq/courtesy/internal/testenv"
)

// TestMain lets the web phase start this test binary as its load
// generator, as it starts the bench command.
func TestMain(m *testing.M) {
	if os.Getenv(loadgenEnv) != "" && len(os.Args) > 1 && os.Args[1] == loadgenCommand {
		if err := loadgen(os.Args[2:], os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestQuick runs the whole harness on a few hundred messages: every phase
// completes, every planned message reaches exactly one final decision, every
// message of the raw SMTP and queue+smtp phases reaches the sink, and every
// one-click POST answered 200 left an opt-out in the store. The figures
// themselves are not checked: they depend on the machine.
func TestQuick(t *testing.T) {
	if testing.Short() {
		t.Skip("the bench harness takes a while")
	}
	testenv.Redis(t, testenv.RedisDBBench) // skips, or fails in CI, without Redis
	stores := "sqlite"
	if testenv.InCI() || os.Getenv("COURTESY_TEST_POSTGRES_URL") != "" {
		stores = "both"
	}
	const messages = 200
	rep, err := runReport(context.Background(), []string{"--quick", "--messages", fmt.Sprint(messages),
		"--store", stores, "--scale", "2000", "--web-requests", "150"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	pipelines := 0
	for name, counts := range rep.decisions {
		pipelines++
		decided := 0
		for d, n := range counts {
			if outcome, _, _ := strings.Cut(d, ":"); outcome == "planned" || outcome == "claimed" || outcome == "deferred" {
				t.Errorf("%s: %d messages left %s", name, n, d)
				continue
			}
			decided += n
		}
		if decided != messages || rep.planned[name] != messages {
			t.Errorf("%s: %d messages planned, %d with a final decision (%v), want %d each", name, rep.planned[name], decided, counts, messages)
		}
		if counts["sent"] == 0 {
			t.Errorf("%s: nothing was sent: %v", name, counts)
		}
	}
	if pipelines < 2 {
		t.Errorf("%d pipeline runs reported, want DKIM off and on at least", pipelines)
	}
	for name, accepted := range rep.sunk {
		if accepted != messages {
			t.Errorf("%s: the sink accepted %d messages, want %d", name, accepted, messages)
		}
	}
	together := 0
	for name := range rep.sunk {
		if strings.HasPrefix(name, "queue+smtp ") {
			together++
		}
	}
	if together == 0 {
		t.Errorf("no queue+smtp run counted at the sink: %v", rep.sunk)
	}
	phases := map[string]bool{}
	for _, r := range rep.results {
		phase, _, _ := strings.Cut(r.Name, " ")
		phases[phase] = true
		if r.Messages <= 0 && !strings.HasPrefix(r.Name, "plan ") {
			t.Errorf("%s: %d messages", r.Name, r.Messages)
		}
	}
	for _, want := range []string{"raw", "queue+smtp", "pipeline", "insert", "plan", "one-click"} {
		if !phases[want] {
			t.Errorf("no %q phase in the report", want)
		}
	}
}

// A second run against the same Redis database is refused at once, with a
// reason, rather than flushing the first one's queue.
func TestSecondRunIsRefused(t *testing.T) {
	unlock, err := lockDatabase("127.0.0.1:0", 99)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lockDatabase("127.0.0.1:0", 99); err == nil || !strings.Contains(err.Error(), "another bench is running") {
		t.Errorf("second lock: %v, want refused", err)
	}
	unlock()
	again, err := lockDatabase("127.0.0.1:0", 99)
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	again()
}
