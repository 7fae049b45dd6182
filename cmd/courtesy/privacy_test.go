package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/courtesyhq/courtesy/mailer/mailtest"
	"github.com/courtesyhq/courtesy/worker"
)

// TestExportAndEraseTakeAnAddress names customers by their address, in any
// case and with spaces around it, as a person asking about their data
// would give it; an address nobody has is a plain failure.
func TestExportAndEraseTakeAnAddress(t *testing.T) {
	cfg, env := bakeryShop(t, "file://"+t.TempDir())
	mustRun(t, env, "import", "customers", filepath.Join(filepath.Dir(cfg), "customers.csv"), "--config", cfg)

	r := mustRun(t, env, "export", "  Olivia.Bennett@EXAMPLE.com ", "--config", cfg)
	var rec struct {
		Profile struct{ ID, Email string } `json:"profile"`
	}
	if err := json.Unmarshal([]byte(r.out), &rec); err != nil || rec.Profile.ID != "c001" {
		t.Errorf("export by address: %v, profile %+v; want c001", err, rec.Profile)
	}
	if r := runCmd(t, env, "export", "nobody@example.com", "--config", cfg); r.code != 1 ||
		!strings.Contains(r.err, `no customer with the address "nobody@example.com"`) {
		t.Errorf("export of an unknown address: exit %d\n%s", r.code, r.err)
	}
	if r := runCmd(t, env, "erase", "OLIVIA.bennett@example.com", "--config", cfg); r.code != 0 || !strings.Contains(r.out, "customer c001 erased") {
		t.Fatalf("erase by address: exit %d\n%s%s", r.code, r.out, r.err)
	}
	if r := runCmd(t, env, "erase", "olivia.bennett@example.com", "--config", cfg); r.code != 1 ||
		!strings.Contains(r.err, "no customer with the address") {
		t.Errorf("erase of an erased address: exit %d\n%s", r.code, r.err)
	}
}

// TestEraseForgetsTheCustomerInRedis erases a customer who was just sent a
// message and has more queued: their frequency windows and every task of
// their messages, archived ones with their errors included, leave Redis;
// another customer's stay.
func TestEraseForgetsTheCustomerInRedis(t *testing.T) {
	sink := mailtest.NewSink(t)
	cfg, env := bakeryShop(t, sink.URL())
	dir := filepath.Dir(cfg)
	for _, kind := range []string{"customers", "consents"} {
		mustRun(t, env, "import", kind, filepath.Join(dir, kind+".csv"), "--config", cfg)
	}
	mustRun(t, env, "run-once", "--config", cfg, "--at", "2026-12-01T10:00:00Z")

	opt, err := redis.ParseURL(env["REDIS_URL"])
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { _ = rdb.Close() })
	ctx := context.Background()
	// Queue, and archive, tasks for both customers' messages.
	enq := worker.Enqueuer{Client: asynq.NewClientFromRedisClient(rdb), Delayed: true}
	insp := asynq.NewInspectorFromRedisClient(rdb)
	later := time.Now().Add(time.Hour)
	for _, key := range []string{"birthday-treat:c003:2026", "birthday-treat:c001:2026"} {
		if err := enq.Enqueue(ctx, key, later, time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := enq.Enqueue(ctx, key, later.Add(time.Hour), time.Now()); err != nil {
			t.Fatal(err)
		}
		id := key + "@" + strconv.FormatInt(later.Add(time.Hour).Unix(), 10)
		if err := insp.ArchiveTask(worker.Queue, id); err != nil {
			t.Fatal(err)
		}
	}
	if n := rdb.Exists(ctx, "courtesy:limits:c:c003").Val(); n != 1 {
		t.Fatalf("c003 has no frequency windows in Redis before the erasure; the test proves nothing")
	}

	mustRun(t, env, "erase", "c003", "--config", cfg)

	held := redisText(t, rdb)
	for _, gone := range []string{"c003", "jose.martinez"} {
		for _, line := range held {
			if strings.Contains(strings.ToLower(line), gone) {
				t.Errorf("Redis still holds %q after the erasure: %s", gone, line)
			}
		}
	}
	var others int
	for _, line := range held {
		if strings.Contains(line, "c001") {
			others++
		}
	}
	if others == 0 {
		t.Error("the other customer's tasks and windows went too")
	}
}

// redisText is every key in the database with what it holds, as text.
func redisText(t *testing.T, rdb *redis.Client) []string {
	t.Helper()
	ctx := context.Background()
	keys, err := rdb.Keys(ctx, "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, k := range keys {
		var v any
		switch rdb.Type(ctx, k).Val() {
		case "string":
			v = rdb.Get(ctx, k).Val()
		case "hash":
			v = rdb.HGetAll(ctx, k).Val()
		case "list":
			v = rdb.LRange(ctx, k, 0, -1).Val()
		case "set":
			v = rdb.SMembers(ctx, k).Val()
		case "zset":
			v = rdb.ZRange(ctx, k, 0, -1).Val()
		}
		out = append(out, fmt.Sprintf("%s: %v", k, v))
	}
	return out
}
