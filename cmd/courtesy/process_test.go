package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/internal/testenv"
	"github.com/courtesyhq/courtesy/mailer/mailtest"
	"github.com/courtesyhq/courtesy/store"
	"github.com/courtesyhq/courtesy/worker"
)

// These tests run the real courtesy binary as separate processes — the
// scheduler, workers, the web pages — and break what they stand on: a
// process SIGKILLed, Redis stopped or flushed. They check that nothing is
// planned twice, sent twice or lost.

var (
	procBinOnce sync.Once
	procBinPath string
	procBinErr  error
)

// procBinary builds the courtesy command once per test binary.
func procBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("multi-process tests build and run the courtesy binary")
	}
	procBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "courtesy-proc-bin-")
		if err != nil {
			procBinErr = err
			return
		}
		procBinPath = filepath.Join(dir, "courtesy")
		out, err := exec.Command("go", "build", "-o", procBinPath, ".").CombinedOutput()
		if err != nil {
			procBinErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if procBinErr != nil {
		t.Fatal(procBinErr)
	}
	return procBinPath
}

// procShop is a shop directory, its environment and the processes started
// on it.
type procShop struct {
	t     *testing.T
	bin   string
	dir   string
	env   []string
	sink  *mailtest.Sink
	store *store.DB
	zone  string
	loc   *time.Location
	next  int // the next customer number
}

type procShopOptions struct {
	redisURL     string
	redisYAML    string // a redis: section for courtesy.yaml, for Sentinel or Cluster
	campaigns    int    // birthday campaigns, all due today; defaults to 1
	perCustomer  string // limits.per_customer; defaults to "100/24h"
	maxPerSecond int    // smtp.max_per_second; defaults to 10000
	samePriority bool   // every campaign at one priority, so none waits for another
}

// procMiddayZone is a fixed-offset zone in which it is about noon now, far
// from quiet hours and from the end of the day.
func procMiddayZone(now time.Time) (string, *time.Location) {
	off := max(-12, min(14, 12-now.UTC().Hour()))
	name := "UTC"
	if off > 0 {
		name = fmt.Sprintf("Etc/GMT-%d", off)
	} else if off < 0 {
		name = fmt.Sprintf("Etc/GMT+%d", -off)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return "UTC", time.UTC
	}
	return name, loc
}

func newProcShop(t *testing.T, o procShopOptions) *procShop {
	t.Helper()
	bin := procBinary(t)
	if o.campaigns == 0 {
		o.campaigns = 1
	}
	if o.perCustomer == "" {
		o.perCustomer = "100/24h"
	}
	if o.maxPerSecond == 0 {
		o.maxPerSecond = 10000
	}
	s := &procShop{t: t, bin: bin, dir: t.TempDir(), sink: mailtest.NewSink(t)}
	s.zone, s.loc = procMiddayZone(time.Now())
	files := map[string]string{
		"courtesy.yaml": fmt.Sprintf(`business:
  name: "Chaos Bakery"
  postal_address: "1 Test Street, Testville TV1 1AA"
  from: "Chaos Bakery <hello@chaos.example>"
  base_url: "https://chaos.example"
  timezone: %q
purposes:
  birthday: { title: "Birthday treats", description: "A greeting on your birthday." }
limits:
  per_customer: [%q]
  quiet_hours: none
smtp:
  max_per_second: %d
  max_connections: 4
%s`, s.zone, o.perCustomer, o.maxPerSecond, o.redisYAML),
		"templates/birthday.txt": "Dear {{.Customer.FirstName}},\n\nHappy birthday from all of us at {{.Business.Name}}.\n",
	}
	for i := 1; i <= o.campaigns; i++ {
		files[fmt.Sprintf("campaigns/birthday-%d.yaml", i)] = fmt.Sprintf(`id: birthday-%d
name: Birthday %d
kind: birthday
purpose: birthday
priority: %d
send: { at: "00:00", window: 24h }
expires: 1d
template: { subject: "Happy birthday, {{.Customer.FirstName}}", text: birthday.txt }
tone: warm
`, i, i, priority(o.samePriority, i))
	}
	for name, body := range files {
		p := filepath.Join(s.dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	dbURL := "sqlite://" + filepath.Join(s.dir, "data", "courtesy.db")
	s.env = append(os.Environ(),
		"COURTESY_CONFIG="+filepath.Join(s.dir, "courtesy.yaml"),
		"REDIS_URL="+o.redisURL,
		"DATABASE_URL="+dbURL,
		"SMTP_URL="+s.sink.URL(),
		"COURTESY_LINK_KEYS=k1:"+base64.StdEncoding.EncodeToString(secret),
		"COURTESY_LOG_LEVEL=info",
	)
	// The database exists once something opened it; the test reads it.
	s.mustRun("import", "customers", s.writeCSV("customers", 0))
	db, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	s.store = db
	return s
}

// addCustomers imports n more consenting customers born today, and returns
// how many the shop has.
func (s *procShop) addCustomers(n int) int {
	s.t.Helper()
	s.mustRun("import", "customers", s.writeCSV("customers", n))
	s.mustRun("import", "consents", s.writeCSV("consents", n))
	s.next += n
	return s.next
}

func (s *procShop) writeCSV(kind string, n int) string {
	s.t.Helper()
	var b strings.Builder
	now := time.Now()
	if kind == "customers" {
		b.WriteString("id,email,first_name,last_name,birthday,timezone,locale\n")
	} else {
		b.WriteString("customer_id,purpose,status,source,notice,recorded_at\n")
	}
	for i := s.next + 1; i <= s.next+n; i++ {
		id := fmt.Sprintf("c%05d", i)
		if kind == "customers" {
			fmt.Fprintf(&b, "%s,%s@chaos.example,Ana,Lee,%s,%s,en\n", id, id, now.In(s.loc).Format("01-02"), s.zone)
		} else {
			fmt.Fprintf(&b, "%s,birthday,granted,form,chaos-v1,%s\n", id, now.Add(-time.Hour).UTC().Format(time.RFC3339))
		}
	}
	p := filepath.Join(s.dir, fmt.Sprintf("%s-%d.csv", kind, s.next))
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		s.t.Fatal(err)
	}
	return p
}

func (s *procShop) mustRun(args ...string) string {
	s.t.Helper()
	cmd := exec.Command(s.bin, args...)
	cmd.Dir, cmd.Env = s.dir, s.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		s.t.Fatalf("courtesy %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// procHandle is a running courtesy process.
type procHandle struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	log  string
}

// start runs a long-lived command; it is killed when the test ends.
func (s *procShop) start(name string, args ...string) *procHandle {
	s.t.Helper()
	logPath := filepath.Join(s.dir, name+".log")
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		s.t.Fatal(err)
	}
	cmd := exec.Command(s.bin, args...)
	cmd.Dir, cmd.Env = s.dir, s.env
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	p := &procHandle{name: name, cmd: cmd, done: make(chan struct{}), log: logPath}
	go func() { _ = cmd.Wait(); _ = f.Close(); close(p.done) }()
	s.t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-p.done
		if s.t.Failed() {
			b, _ := os.ReadFile(logPath)
			s.t.Logf("%s log:\n%s", name, procTail(string(b), 3000))
		}
	})
	return p
}

func priority(same bool, i int) int {
	if same {
		return 1
	}
	return 100 - i
}

func procTail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

func (p *procHandle) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// decisions counts the store's messages by decision; open counts those
// without a final one.
func (s *procShop) decisions() (counts map[string]int, total, open int) {
	s.t.Helper()
	counts, err := s.store.CountDecisions(context.Background(), courtesy.Filter{})
	if err != nil {
		s.t.Fatal(err)
	}
	for d, n := range counts {
		total += n
		o, _, _ := strings.Cut(d, ":")
		if !courtesy.Outcome(o).Final() {
			open += n
		}
	}
	return counts, total, open
}

// waitUntil polls cond and fails the test after timeout; it returns how long
// it took.
func procWaitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > timeout {
			t.Fatalf("%s: not after %v", what, timeout)
		}
		time.Sleep(200 * time.Millisecond)
	}
	return time.Since(start)
}

// checkDeliveredOnce fails the test when the sink received a Message-ID
// twice or one recipient more than max messages.
func (s *procShop) checkDeliveredOnce(maxPerRecipient int) {
	s.t.Helper()
	ids, rcpts := map[string]int{}, map[string]int{}
	for _, m := range s.sink.Messages() {
		ids[m.Header.Get("Message-Id")]++
		for _, to := range m.To {
			rcpts[to]++
		}
	}
	for id, n := range ids {
		if n > 1 {
			s.t.Errorf("Message-ID %s received %d times", id, n)
		}
	}
	for to, n := range rcpts {
		if n > maxPerRecipient {
			s.t.Errorf("%s received %d messages, limits allow %d", to, n, maxPerRecipient)
		}
	}
}

const procLeaseKey = "courtesy:scheduler:lease"

// TestProcessSchedulerLeaseTakeover runs two schedulers: the one holding the
// lease plans, and when it is SIGKILLed the other takes over once the lease
// runs out, without planning anything twice. The lease lasts 90 s in
// production (cmd/courtesy/roles.go); the test expires it by hand instead of
// waiting, then measures how long the survivor takes: at most one planning
// round (30 s).
func TestProcessSchedulerLeaseTakeover(t *testing.T) {
	t.Parallel()
	redisURL := testenv.RedisURL(t, testenv.RedisDBProcess)
	rdb := testenv.Redis(t, testenv.RedisDBProcess)
	s := newProcShop(t, procShopOptions{redisURL: redisURL})
	n := s.addCustomers(100)
	ctx := context.Background()

	a := s.start("scheduler-a", "scheduler")
	procWaitUntil(t, 30*time.Second, "the first scheduler plans", func() bool { _, total, _ := s.decisions(); return total == n })
	holderA, err := rdb.Get(ctx, procLeaseKey).Result()
	if err != nil {
		t.Fatalf("no lease held after planning: %v", err)
	}
	s.start("scheduler-b", "scheduler")
	time.Sleep(2 * time.Second) // b's first round finds the lease taken
	if got, _ := rdb.Get(ctx, procLeaseKey).Result(); got != holderA {
		t.Fatalf("the lease moved to %q while its holder was alive", got)
	}

	a.kill()
	ttl, err := rdb.PTTL(ctx, procLeaseKey).Result()
	if err != nil || ttl <= 0 || ttl > 90*time.Second {
		t.Errorf("after the holder died the lease has %v left (%v), want (0, 90s]", ttl, err)
	}
	t.Logf("lease left when the holder died: %v (production takeover ≤ that + one 30 s round)", ttl.Round(time.Second))
	n = s.addCustomers(50) // due now: only a planning scheduler will see them
	if err := rdb.PExpire(ctx, procLeaseKey, time.Millisecond).Err(); err != nil {
		t.Fatal(err)
	}
	took := procWaitUntil(t, 45*time.Second, "the second scheduler takes over", func() bool { _, total, _ := s.decisions(); return total == n })
	t.Logf("the second scheduler planned %d new messages %v after the lease ran out", 50, took.Round(100*time.Millisecond))
	if got, _ := rdb.Get(ctx, procLeaseKey).Result(); got == "" || got == holderA {
		t.Errorf("lease holder after takeover = %q, want the second scheduler", got)
	}

	// Nothing planned twice: one row per key, one task per message.
	counts, total, _ := s.decisions()
	if total != n || counts["planned"] != n {
		t.Errorf("store holds %v (%d rows), want %d planned", counts, total, n)
	}
	// A round writes its rows before it queues their tasks: give the last
	// round the moment it needs, then count exactly. The messages due now
	// travel in batches: count the messages the pending tasks name.
	inspector := asynq.NewInspectorFromRedisClient(rdb)
	pending := func() map[string]int {
		tasks, err := inspector.ListPendingTasks(worker.Queue, asynq.PageSize(1000))
		if err != nil {
			t.Fatal(err)
		}
		named := map[string]int{}
		for _, task := range tasks {
			var pl worker.BatchPayload
			if err := json.Unmarshal(task.Payload, &pl); err != nil || len(pl.Keys) == 0 {
				var one worker.Payload
				if err := json.Unmarshal(task.Payload, &one); err != nil {
					t.Fatal(err)
				}
				pl.Keys = []string{one.Key}
			}
			for _, k := range pl.Keys {
				named[k]++
			}
		}
		return named
	}
	procWaitUntil(t, 15*time.Second, "every planned message is queued", func() bool { return len(pending()) >= n })
	named := pending()
	if len(named) != n {
		t.Errorf("the pending tasks name %d messages, want %d", len(named), n)
	}
	for k, times := range named {
		if times != 1 {
			t.Errorf("%s is in %d pending tasks, want one", k, times)
		}
	}
}

// privateRedis is a redis-server of the test's own, which it can stop and
// start: the shared one is never stopped.
type privateRedis struct {
	t    *testing.T
	port string
	cmd  *exec.Cmd
	done chan struct{}
}

func startPrivateRedis(t *testing.T) *privateRedis {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not installed: Redis fault tests need a private instance to stop")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	_ = ln.Close()
	r := &privateRedis{t: t, port: port}
	r.start()
	t.Cleanup(r.stop)
	return r
}

func (r *privateRedis) url() string { return "redis://127.0.0.1:" + r.port + "/0" }

func (r *privateRedis) start() {
	r.t.Helper()
	if err := r.spawn(); err != nil {
		r.t.Fatal(err)
	}
	r.waitUp(r.t)
}

// spawn starts the server without waiting for it to answer, and without
// touching the test, so that a goroutine of the test may call it.
func (r *privateRedis) spawn() error {
	cmd := exec.Command("redis-server", "--port", r.port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no")
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	r.cmd, r.done = cmd, done
	return nil
}

// waitUp fails t unless the server answers within 10 s.
func (r *privateRedis) waitUp(t *testing.T) {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + r.port})
	defer c.Close()
	procWaitUntil(t, 10*time.Second, "redis-server starts", func() bool { return c.Ping(context.Background()).Err() == nil })
}

// stop shuts the server down; with --save "" it comes back empty.
func (r *privateRedis) stop() {
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.done:
	case <-time.After(5 * time.Second):
		_ = r.cmd.Process.Kill()
		<-r.done
	}
	r.cmd = nil
}

func (r *privateRedis) flushAll() {
	r.t.Helper()
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + r.port})
	defer c.Close()
	if err := c.FlushAll(context.Background()).Err(); err != nil {
		r.t.Fatal(err)
	}
}

// redisFault runs a scheduler and a worker on a private Redis over 300
// customers and two campaigns that a limit of one message a day lets only
// one of through, breaks Redis once a good part has been sent, and checks
// that the run recovers: every message decided, none received twice, and no
// customer over the limit — the limiter rebuilt its windows from the store.
func redisFault(t *testing.T, fault func(r *privateRedis)) {
	t.Helper()
	r := startPrivateRedis(t)
	s := newProcShop(t, procShopOptions{redisURL: r.url(), campaigns: 2, perCustomer: "1/24h", maxPerSecond: 20})
	const customers = 300
	s.addCustomers(customers)
	s.start("scheduler", "scheduler")
	s.start("worker", "worker", "--concurrency", "5")
	s.sink.WaitFor(t, 60, 60*time.Second)

	fault(r)
	before := s.sink.Count()
	t.Logf("fault done with %d messages received", before)

	s.checkRecovered(2*customers, customers, 4*time.Minute)
}

// checkRecovered waits until each of the shop's messages has its one final
// decision, then checks that none was received twice and that the sink got
// what the store says was sent: delivered messages sent or of unknown
// outcome, each received at most once.
func (s *procShop) checkRecovered(messages, delivered int, timeout time.Duration) {
	t := s.t
	t.Helper()
	var last map[string]int
	took := procWaitUntil(t, timeout, "every message decided after the fault", func() bool {
		counts, total, open := s.decisions()
		if total == messages && open == 0 {
			return true
		}
		if !maps.Equal(counts, last) {
			t.Logf("after the fault: %v", counts)
			last = counts
		}
		return false
	})
	counts, _, _ := s.decisions()
	t.Logf("recovered %v after the fault: %v, sink %d", took.Round(time.Second), counts, s.sink.Count())
	s.checkDeliveredOnce(1)
	sent, unknown := counts["sent"], counts["failed:"+courtesy.ReasonUnknownOutcome]
	if got := s.sink.Count(); got < sent || got > sent+unknown {
		t.Errorf("sink received %d, store says %d sent and %d of unknown outcome", got, sent, unknown)
	}
	if sent+unknown != delivered {
		t.Errorf("%d sent + %d unknown outcome, want one message for each of %d customers", sent, unknown, delivered)
	}
}

func TestProcessRedisStopped10s(t *testing.T) {
	t.Parallel()
	redisFault(t, func(r *privateRedis) {
		r.stop()
		time.Sleep(10 * time.Second)
		r.start()
	})
}

// TestProcessRedisStopped60s is the long outage; it runs when
// COURTESY_CHAOS_LONG=1.
func TestProcessRedisStopped60s(t *testing.T) {
	if os.Getenv("COURTESY_CHAOS_LONG") != "1" {
		t.Skip("set COURTESY_CHAOS_LONG=1 to stop Redis for 60 s")
	}
	t.Parallel()
	redisFault(t, func(r *privateRedis) {
		r.stop()
		time.Sleep(60 * time.Second)
		r.start()
	})
}

func TestProcessRedisFlushAll(t *testing.T) {
	t.Parallel()
	redisFault(t, func(r *privateRedis) { r.flushAll() })
}
