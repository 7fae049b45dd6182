package main

import (
	"context"
	crand "crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/store"
	"github.com/courtesyhq/courtesy/worker"
)

// optOut is one one-click unsubscribe the harness issued.
type optOut struct {
	customer string
	code     int
	acked    time.Time // when the 200 arrived
	err      error
}

// kill is one SIGKILL and what the store showed right after it.
type kill struct {
	at      time.Time
	worker  int
	claimed int // messages claimed and not decided, across all workers
}

func run(ctx context.Context, o options) (*summary, error) {
	if o.Seed == 0 {
		o.Seed = time.Now().UnixNano()
	}
	if o.Log == nil {
		o.Log = os.Stderr
	}
	logf := func(format string, args ...any) {
		fmt.Fprintf(o.Log, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
	}
	dir, err := os.MkdirTemp("", "courtesy-chaos-")
	if err != nil {
		return nil, err
	}
	if o.Keep {
		logf("working directory %s", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	bin := o.Bin
	if bin == "" {
		bin = filepath.Join(dir, "courtesy")
		logf("building courtesy")
		if err := build(bin); err != nil {
			return nil, err
		}
	}
	now := time.Now()
	zone, loc := middayZone(now)
	if err := writeShop(dir, o.Messages, zone, loc, now); err != nil {
		return nil, err
	}

	dbURL := "sqlite://" + filepath.Join(dir, "data", "courtesy.db")
	if o.DB == "postgres" {
		u, drop, err := freshSchema(ctx, o.PostgresURL)
		if err != nil {
			return nil, err
		}
		defer drop()
		dbURL = u
	} else if o.DB != "sqlite" {
		return nil, fmt.Errorf("--db %q: sqlite or postgres", o.DB)
	}
	ropt, err := redis.ParseURL(o.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("redis URL: %w", err)
	}
	rdb := redis.NewClient(ropt)
	defer rdb.Close()
	if err := rdb.FlushDB(ctx).Err(); err != nil {
		return nil, fmt.Errorf("Redis at %s: %w", o.RedisURL, err)
	}
	sk, err := startSink()
	if err != nil {
		return nil, err
	}
	defer sk.close()
	secret := make([]byte, 32)
	_, _ = crand.Read(secret)
	signer, err := consent.NewSigner([]consent.Key{{ID: "k1", Secret: secret}})
	if err != nil {
		return nil, err
	}
	webAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	ps := &procs{bin: bin, dir: dir, env: append(os.Environ(),
		"COURTESY_CONFIG="+filepath.Join(dir, "courtesy.yaml"),
		"REDIS_URL="+o.RedisURL,
		"DATABASE_URL="+dbURL,
		"SMTP_URL="+sk.url(),
		"COURTESY_LINK_KEYS=k1:"+base64.StdEncoding.EncodeToString(secret),
		"COURTESY_LISTEN="+webAddr,
		"COURTESY_LOG_LEVEL=warn",
	)}
	defer ps.stopAll(10 * time.Second)

	logf("importing %d customers (%s, %s, store %s)", o.Messages, zone, now.In(loc).Format("2 Jan 15:04"), o.DB)
	for _, kind := range []string{"customers", "consents"} {
		if out, err := ps.run("import", kind, kind+".csv"); err != nil {
			return nil, fmt.Errorf("import %s: %v\n%s", kind, err, out)
		}
	}
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	defer db.Close()

	s := &summary{opts: o, zone: zone}
	if _, err := ps.start("web", "web"); err != nil {
		return nil, err
	}
	if _, err := ps.start("scheduler", "scheduler"); err != nil {
		return nil, err
	}
	workers := make([]*proc, o.Workers)
	conc := fmt.Sprint(o.Concurrency)
	for i := range workers {
		if workers[i], err = ps.start(fmt.Sprintf("worker%d", i), "worker", "--concurrency", conc); err != nil {
			return nil, err
		}
	}
	if err := waitHTTP(ctx, "http://"+webAddr+"/healthz", 30*time.Second); err != nil {
		return nil, fmt.Errorf("the web process: %w", err)
	}

	// The chaos: kill a worker now and then, restart it at once; send the
	// opt-outs at even intervals.
	rng := rand.New(rand.NewPCG(uint64(o.Seed), 0))
	start := time.Now()
	s.start = start
	deadline := start.Add(o.Duration)
	nextKill := start.Add(jitter(rng, o.KillEvery))
	optGap := o.Duration / time.Duration(o.OptOuts+1)
	nextOpt := start.Add(optGap)
	picked := map[string]bool{}
	for time.Now().Before(deadline) && ctx.Err() == nil {
		t := time.Now()
		if !t.Before(nextKill) {
			i := rng.IntN(len(workers))
			workers[i].kill()
			k := kill{at: time.Now(), worker: i}
			k.claimed, _ = countOutcome(ctx, db, "claimed")
			s.kills = append(s.kills, k)
			if workers[i], err = ps.start(fmt.Sprintf("worker%d", i), "worker", "--concurrency", conc); err != nil {
				return s, err
			}
			nextKill = time.Now().Add(jitter(rng, o.KillEvery))
		}
		if len(s.optOuts) < o.OptOuts && !t.Before(nextOpt) {
			id := customerID(1 + rng.IntN(o.Messages))
			for picked[id] {
				id = customerID(1 + rng.IntN(o.Messages))
			}
			picked[id] = true
			s.optOuts = append(s.optOuts, postOptOut(webAddr, signer, id))
			nextOpt = nextOpt.Add(optGap)
		}
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
	s.chaosEnd, s.atChaosEnd = time.Now(), sk.counts()
	logf("chaos over: %d kills, %d messages received so far; waiting for the queue to drain", len(s.kills), s.atChaosEnd.total)

	insp := asynq.NewInspectorFromRedisClient(rdb)
	if err := waitDrained(ctx, insp, db, o.Messages, o.DrainTimeout); err != nil {
		s.drainErr = err
	}
	s.drained = time.Now()
	if info, err := insp.GetQueueInfo(worker.Queue); err == nil {
		s.queue = *info
	}
	ps.stopAll(25 * time.Second)
	return s, s.collect(ctx, db, sk)
}

// jitter is d on average, between d/2 and 3d/2.
func jitter(rng *rand.Rand, d time.Duration) time.Duration {
	return d/2 + time.Duration(rng.Int64N(int64(d)+1))
}

// build compiles the courtesy command of the module this harness is in.
func build(bin string) error {
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return fmt.Errorf("go env GOMOD: %w", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/courtesy")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	return nil
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// freshSchema makes a schema of its own on the Postgres server and returns
// a URL whose connections use it, and a function that drops it.
func freshSchema(ctx context.Context, base string) (string, func(), error) {
	db, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, err
	}
	var b [6]byte
	_, _ = crand.Read(b[:])
	schema := "chaos_" + hex.EncodeToString(b[:])
	if _, err := db.ExecContext(ctx, `CREATE SCHEMA "`+schema+`"`); err != nil {
		_ = db.Close()
		return "", nil, fmt.Errorf("PostgreSQL at %s: %w", base, err)
	}
	drop := func() {
		_, _ = db.Exec(`DROP SCHEMA "` + schema + `" CASCADE`)
		_ = db.Close()
	}
	u, err := url.Parse(base)
	if err != nil {
		drop()
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}

func waitHTTP(ctx context.Context, u string, timeout time.Duration) error {
	end := time.Now().Add(timeout)
	for {
		res, err := http.Get(u)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("%s: %s", u, res.Status)
		}
		if time.Now().After(end) || ctx.Err() != nil {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// postOptOut sends the RFC 8058 one-click POST a mail provider sends.
func postOptOut(webAddr string, signer *consent.Signer, customer string) optOut {
	links := signer.Links("http://"+webAddr, customer, "birthday", "", time.Now())
	res, err := http.Post(links.Unsubscribe, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	o := optOut{customer: customer, err: err}
	if err == nil {
		res.Body.Close()
		o.code, o.acked = res.StatusCode, time.Now()
	}
	return o
}

// countOutcome counts messages whose decision starts with outcome.
func countOutcome(ctx context.Context, db *store.DB, outcome string) (int, error) {
	counts, err := db.CountDecisions(ctx, courtesy.Filter{})
	n := 0
	for d, c := range counts {
		if d == outcome || strings.HasPrefix(d, outcome+":") {
			n += c
		}
	}
	return n, err
}

// waitDrained waits until every message is planned and decided and asynq
// has nothing pending, running, scheduled or waiting for a retry. A task a
// killed worker was running comes back only when its lease runs out and
// asynq's recoverer finds it: up to about 90 s.
func waitDrained(ctx context.Context, insp *asynq.Inspector, db *store.DB, want int, timeout time.Duration) error {
	end := time.Now().Add(timeout)
	quiet := 0
	for {
		counts, err := db.CountDecisions(ctx, courtesy.Filter{})
		total, open := 0, 0
		for d, c := range counts {
			total += c
			if !finalDecision(d) {
				open += c
			}
		}
		busy := err != nil || total < want || open > 0
		if info, err := insp.GetQueueInfo(worker.Queue); err == nil {
			busy = busy || info.Pending+info.Active+info.Scheduled+info.Retry > 0
		}
		if busy {
			quiet = 0
		} else if quiet++; quiet >= 3 {
			return nil
		}
		if time.Now().After(end) {
			return fmt.Errorf("not drained after %v: %d of %d messages, %d undecided", timeout, total, want, open)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}
