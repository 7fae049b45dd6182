package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/courtesyhq/courtesy/mailer/mailtest"
	"github.com/courtesyhq/courtesy/throttle/throttleredis"
	"github.com/courtesyhq/courtesy/web"
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
	cfg, env := importedBakery(t, sink.URL())
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
	// The web pages count each customer's link POSTs and fresh links.
	counter := throttleredis.NewCounter(rdb, "courtesy")
	for _, id := range []string{"c003", "c001"} {
		for _, k := range web.CustomerCounterKeys(id) {
			if _, err := counter.Take(ctx, k, 10, time.Hour, time.Now()); err != nil {
				t.Fatal(err)
			}
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

// TestKeyedDatabaseNeedsItsKey: once the database keeps keyed
// fingerprints, a command run without any key would miss every erasure in
// its lookups; it refuses to start, and erase refuses to run without one.
func TestKeyedDatabaseNeedsItsKey(t *testing.T) {
	cfg, env := bakeryShop(t, "file://"+t.TempDir())
	mustRun(t, env, "import", "customers", filepath.Join(filepath.Dir(cfg), "customers.csv"), "--config", cfg)
	bare := map[string]string{}
	for k, v := range env {
		if k != "COURTESY_LINK_KEYS" {
			bare[k] = v
		}
	}
	for _, args := range [][]string{{"export", "c001"}, {"erase", "c001"}, {"import", "customers", filepath.Join(filepath.Dir(cfg), "customers.csv")}} {
		r := runCmd(t, bare, append(args, "--config", cfg)...)
		if r.code != 2 || !strings.Contains(r.err, "COURTESY_LINK_KEYS") {
			t.Errorf("courtesy %s without a key: exit %d\n%s", args[0], r.code, r.err)
		}
	}
	mustRun(t, env, "export", "c001", "--config", cfg)
}

// TestEraseOfABouncedComplainerLeavesNoTrace runs the story end to end: a
// customer's server rejects their birthday message, quoting the address,
// and a complaint about them comes in; then they ask to be erased, by
// address. The database file holds the address in no spelling.
func TestEraseOfABouncedComplainerLeavesNoTrace(t *testing.T) {
	sink := mailtest.NewSink(t)
	cfg, env := importedBakery(t, sink.URL())
	dir := filepath.Dir(cfg)
	const addr = "jose.martinez@example.com"
	sink.RejectRecipient(addr, 550, "5.1.1")
	runCmd(t, env, "run-once", "--config", cfg, "--at", "2026-12-01T10:00:00Z")
	complaint := filepath.Join(t.TempDir(), "complaint.eml")
	if err := os.WriteFile(complaint, []byte("From: <fbl@mailbox.example>\r\nTo: <abuse@crumb.example>\r\n"+
		"Subject: complaint about "+addr+"\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: multipart/report; report-type=feedback-report; boundary=\"b\"\r\n\r\n"+
		"--b\r\nContent-Type: text/plain\r\n\r\nA complaint from "+addr+".\r\n"+
		"--b\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\nVersion: 1\r\n"+
		"Original-Rcpt-To: <"+addr+">\r\n\r\n--b--\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, env, "feedback", complaint, "--config", cfg)
	db := filepath.Join(dir, "data", "courtesy.db")
	before, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(before, []byte(addr)) {
		t.Fatal("the address is not in the database before the erasure; the test proves nothing")
	}
	if !bytes.Contains(before, []byte("Recipient address rejected")) {
		t.Fatal("the server's rejection is not kept before the erasure; the test proves nothing")
	}

	mustRun(t, env, "erase", " Jose.Martinez@EXAMPLE.com ", "--config", cfg)

	files, _ := filepath.Glob(db + "*")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{addr, strings.ToUpper(addr), "Jose.Martinez@", "Martínez"} {
			if bytes.Contains(bytes.ToLower(b), bytes.ToLower([]byte(s))) {
				t.Errorf("%s holds %q after the erasure", filepath.Base(f), s)
			}
		}
	}
}
