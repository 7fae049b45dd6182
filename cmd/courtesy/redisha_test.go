package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/courtesyhq/courtesy/internal/testenv"
	"github.com/courtesyhq/courtesy/mailer/mailtest"
	"github.com/courtesyhq/courtesy/worker"
)

// appRedis readies topology top for the app as a shop owner configures it:
// REDIS_URL for one node, a redis: section of courtesy.yaml for Sentinel
// and Cluster. The app's keys there have no test prefix and its Sentinel
// database is 0, so only this package's sequential tests use them, each
// emptying them first.
func appRedis(t *testing.T, top testenv.Topology) (env testenv.RedisEnv, redisURL, yaml string) {
	t.Helper()
	quote := func(addrs []string) string { return `["` + strings.Join(addrs, `", "`) + `"]` }
	switch top {
	case testenv.Sentinel:
		env = testenv.RedisOn(t, top, testenv.RedisDBApp)
		yaml = fmt.Sprintf("redis:\n  sentinel: { master: %q, addrs: %s }\n", testenv.SentinelMaster, quote(testenv.SentinelAddrs()))
	case testenv.Cluster:
		env = testenv.RedisOn(t, top, testenv.RedisDBApp)
		for _, prefix := range []string{"courtesy:", "asynq:"} {
			if err := testenv.Flush(context.Background(), env.Client, prefix); err != nil {
				t.Fatal(err)
			}
		}
		yaml = fmt.Sprintf("redis:\n  cluster: { addrs: %s }\n", quote(testenv.ClusterAddrs()))
	default:
		env = testenv.RedisOn(t, top, testenv.RedisDBCommand)
	}
	// For one node REDIS_URL decides; for the others it must not matter.
	return env, fmt.Sprintf("redis://%s/%d", testenv.RedisAddr(), testenv.RedisDBCommand), yaml
}

// The whole send path — planning, asynq's enqueue and processing in the
// real worker wiring, the limiter, the provider rate — runs on a single
// node, under Sentinel and on a Cluster, configured as the README says.
func TestRunOnceOnEveryRedisTopology(t *testing.T) {
	for _, top := range testenv.Topologies {
		t.Run(string(top), func(t *testing.T) {
			env, redisURL, yaml := appRedis(t, top)
			sink := mailtest.NewSink(t)
			cfg, shopEnv := bakeryShop(t, sink.URL())
			shopEnv["REDIS_URL"] = redisURL
			appendFile(t, cfg, yaml)
			dir := filepath.Dir(cfg)
			for _, kind := range []string{"customers", "consents"} {
				mustRun(t, shopEnv, "import", kind, filepath.Join(dir, kind+".csv"), "--config", cfg)
			}
			mustRun(t, shopEnv, "run-once", "--config", cfg, "--at", "2026-12-01T10:00:00Z")

			want := expectedBirthdayRecipients(t, cfg)
			got := map[string]int{}
			for _, m := range sink.Messages() {
				for _, to := range m.To {
					got[to]++
				}
			}
			for addr := range want {
				if got[addr] != 1 {
					t.Errorf("%s was due and received %d messages, want 1", addr, got[addr])
				}
			}
			for addr := range got {
				if !want[addr] {
					t.Errorf("%s received a message but was not due", addr)
				}
			}
			// The tasks went through the topology asked for: asynq's own
			// connection option for it finds them processed there (the
			// messages due at once travel in batches, so fewer tasks than
			// messages).
			info, err := asynq.NewInspector(env.Asynq).GetQueueInfo(worker.Queue)
			if err != nil {
				t.Fatalf("the queue on %s: %v", top, err)
			}
			if info.Processed == 0 || info.Pending+info.Active+info.Retry != 0 {
				t.Errorf("queue on %s: %d processed, %d pending, %d active, %d retrying; want some processed and none left",
					top, info.Processed, info.Pending, info.Active, info.Retry)
			}
		})
	}
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("\n" + text); err != nil {
		t.Fatal(err)
	}
}

// asynq keeps a queue's keys under one hash tag, {<queue>}, so its scripts
// never cross a Cluster's slots: enqueueing now and for later, processing,
// a retry and the forwarding of due tasks, checked with CLUSTER KEYSLOT.
func TestAsynqScriptsKeepToOneSlot(t *testing.T) {
	env, _, _ := appRedis(t, testenv.Cluster)
	rec := testenv.RecordScripts(env.Client)
	c := asynq.NewClientFromRedisClient(env.Client)
	for i := range 3 {
		opts := []asynq.Option{asynq.Queue(worker.Queue), asynq.TaskID(fmt.Sprint("slots-", i))}
		if i == 2 {
			opts = append(opts, asynq.ProcessIn(time.Second))
		}
		if _, err := c.Enqueue(asynq.NewTask(worker.TypeSend, []byte(`{}`)), opts...); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan string, 10)
	failed := false
	srv := asynq.NewServerFromRedisClient(env.Client, asynq.Config{
		Concurrency: 1, Queues: map[string]int{worker.Queue: 1},
		RetryDelayFunc:           func(int, error, *asynq.Task) time.Duration { return 0 },
		DelayedTaskCheckInterval: 200 * time.Millisecond,
		LogLevel:                 asynq.FatalLevel,
	})
	mux := asynq.NewServeMux()
	mux.HandleFunc(worker.TypeSend, func(ctx context.Context, task *asynq.Task) error {
		id, _ := asynq.GetTaskID(ctx)
		if id == "slots-0" && !failed {
			failed = true
			return fmt.Errorf("fail once, to be retried")
		}
		done <- id
		return nil
	})
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	got := map[string]bool{}
	timeout := time.After(20 * time.Second)
	for len(got) < 3 {
		select {
		case id := <-done:
			got[id] = true
		case <-timeout:
			t.Fatalf("processed %v of 3 tasks", got)
		}
	}
	srv.Shutdown()
	calls := rec.Calls()
	most := 0
	for _, c := range calls {
		most = max(most, len(c.Keys))
	}
	t.Logf("%d script calls, up to %d keys each", len(calls), most)
	if n := testenv.AssertOneSlotEach(t, env.Client, calls); n < 6 || most < 2 {
		t.Errorf("%d script calls recorded, up to %d keys each: asynq's multi-key scripts did not run", n, most)
	}
}

// A Sentinel or Cluster that does not answer is named in the error, with
// the part of the config that points at it, not the REDIS_URL it ignores.
func TestUnreachableRedisIsNamedAsConfigured(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"sentinel", "redis:\n  sentinel: { master: shop, addrs: [\"127.0.0.1:1\"] }\n",
			`the Redis primary "shop" of the Sentinels at 127.0.0.1:1 is not reachable`},
		{"cluster", "redis:\n  cluster: { addrs: [\"127.0.0.1:1\"] }\n",
			"the Redis Cluster at 127.0.0.1:1 is not reachable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, env := bakeryShop(t, "smtp://127.0.0.1:1")
			appendFile(t, cfg, tt.yaml)
			r := runCmd(t, env, "run-once", "--config", cfg)
			if r.code == 0 || !strings.Contains(r.err, tt.want) || !strings.Contains(r.err, "redis."+tt.name) {
				t.Errorf("exit %d, stderr:\n%s\nwant an error saying %q and naming redis.%s", r.code, r.err, tt.want, tt.name)
			}
		})
	}
}
