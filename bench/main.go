// Command bench measures courtesy's send path against the speed of its
// parts, in one process on this machine: raw SMTP through the mailer's
// reused connections, raw asynq queueing, the two together (one message
// sent per task), and the full pipeline (plan, queue, consent, limits,
// render, tone, build, SMTP, record) on SQLite and PostgreSQL; then planning
// over a million customers and events, and the one-click unsubscribe under
// load from a second process. Where a phase uses Redis, the Redis server's
// CPU per message is shown beside the process's own.
//
//	go run ./bench [--quick] [--messages N] [--store sqlite|postgres|both] …
//
// It needs Redis (database testenv.RedisDBBench, flushed) and, for
// PostgreSQL, the test server; docs/PERFORMANCE.md explains the figures.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/internal/testenv"
	"github.com/courtesyhq/courtesy/mailer"
)

// options are the command's flags.
type options struct {
	messages    int
	customers   int
	concurrency []int
	conns       int
	stores      []string
	dkim        []string
	scale       []int
	webRequests int
	webConns    int
	only        map[string]bool
	cpuProfile  string
	memProfile  string
	overlap     []bool
}

func main() {
	if os.Getenv(loadgenEnv) != "" && len(os.Args) > 1 && os.Args[1] == loadgenCommand {
		if err := loadgen(os.Args[2:], os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func parseOptions(args []string) (options, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	messages := fs.Int("messages", 20000, "messages per pipeline run (customers whose birthday is today)")
	customers := fs.Int("customers", 0, "customers in the store of a pipeline run (default 5 × --messages)")
	concurrency := fs.String("concurrency", "50", "tasks processed at once; a comma list runs each")
	conns := fs.Int("connections", 4, "SMTP connections kept open")
	storeKind := fs.String("store", "both", "sqlite, postgres or both")
	dkim := fs.String("dkim", "off,ed25519,rsa2048", "DKIM keys to compare: off, ed25519, rsa2048")
	scale := fs.String("scale", "10000,100000,1000000", "customer (and event) counts for the planning runs")
	webRequests := fs.Int("web-requests", 20000, "one-click unsubscribe POSTs, each a different customer")
	webConns := fs.Int("web-connections", 32, "connections the load generator keeps busy")
	only := fs.String("only", "smtp,queue,queue+smtp,pipeline,planning,web", "phases to run")
	quick := fs.Bool("quick", false, "a few hundred messages, for CI: the harness works, the figures mean little")
	overlap := fs.String("overlap", "both", "pipeline runs: phased (plan, then process), overlapped (workers running while planning, as serve does) or both")
	cpu := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	mem := fs.String("memprofile", "", "write a profile of the whole run's allocations to this file (go tool pprof -sample_index=alloc_objects)")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *quick {
		quickDefaults := map[string]func(){
			"messages":     func() { *messages = 300 },
			"scale":        func() { *scale = "3000" },
			"web-requests": func() { *webRequests = 300 },
			"dkim":         func() { *dkim = "off,ed25519" },
		}
		for name, apply := range quickDefaults {
			if !set[name] {
				apply()
			}
		}
	}
	o := options{messages: *messages, customers: *customers, conns: *conns, webRequests: *webRequests,
		webConns: *webConns, cpuProfile: *cpu, memProfile: *mem, only: map[string]bool{}}
	if o.customers == 0 {
		o.customers = 5 * o.messages
	}
	if o.messages <= 0 || o.customers < o.messages {
		return o, fmt.Errorf("--messages must be positive and --customers at least --messages")
	}
	var err error
	if o.concurrency, err = ints(*concurrency); err != nil {
		return o, fmt.Errorf("--concurrency: %w", err)
	}
	if o.scale, err = ints(*scale); err != nil {
		return o, fmt.Errorf("--scale: %w", err)
	}
	switch *storeKind {
	case "sqlite", "postgres":
		o.stores = []string{*storeKind}
	case "both":
		o.stores = []string{"sqlite", "postgres"}
	default:
		return o, fmt.Errorf("--store %q: want sqlite, postgres or both", *storeKind)
	}
	switch *overlap {
	case "phased":
		o.overlap = []bool{false}
	case "overlapped":
		o.overlap = []bool{true}
	case "both":
		o.overlap = []bool{false, true}
	default:
		return o, fmt.Errorf("--overlap %q: want phased, overlapped or both", *overlap)
	}
	o.dkim = strings.Split(*dkim, ",")
	for _, d := range o.dkim {
		if _, err := dkimKey(d); err != nil {
			return o, err
		}
	}
	for _, p := range strings.Split(*only, ",") {
		o.only[strings.TrimSpace(p)] = true
	}
	return o, nil
}

func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%q is not a positive number", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// report is what a run measured, for the smoke test.
type report struct {
	results   []result
	decisions map[string]map[string]int // per pipeline run: decision → messages
	planned   map[string]int            // per pipeline run: messages planned
	sunk      map[string]int            // per raw SMTP and queue+smtp run: messages the sink accepted
}

func run(ctx context.Context, args []string, out io.Writer) error {
	_, err := runReport(ctx, args, out)
	return err
}

func runReport(ctx context.Context, args []string, out io.Writer) (*report, error) {
	o, err := parseOptions(args)
	if err != nil {
		return nil, err
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
		defer pprof.StopCPUProfile()
	}
	if o.memProfile != "" {
		// A sample per 64 KiB allocated rather than per 512 KiB: the per-message
		// allocations are small and many.
		runtime.MemProfileRate = 64 * 1024
		defer func() {
			if err := writeAllocs(o.memProfile); err != nil {
				fmt.Fprintln(os.Stderr, "bench: memprofile:", err)
			}
		}()
	}
	unlock, err := lockDatabase(testenv.RedisAddr(), testenv.RedisDBBench)
	if err != nil {
		return nil, err
	}
	defer unlock()
	rdb := redis.NewClient(&redis.Options{Addr: testenv.RedisAddr(), DB: testenv.RedisDBBench, PoolSize: 64})
	defer rdb.Close()
	if err := rdb.Ping(ctx).Err(); err != nil {
		return nil, fmt.Errorf("Redis at %s: %w", testenv.RedisAddr(), err)
	}
	defer rdb.FlushDB(context.Background())
	dir, err := os.MkdirTemp("", "courtesy-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	shop, err := loadShop(dir)
	if err != nil {
		return nil, err
	}
	sk, err := startSink()
	if err != nil {
		return nil, err
	}
	defer sk.Close()
	key, err := consent.GenerateKey("k1")
	if err != nil {
		return nil, err
	}
	signer, err := consent.NewSigner([]consent.Key{key})
	if err != nil {
		return nil, err
	}

	rep := &report{decisions: map[string]map[string]int{}, planned: map[string]int{}, sunk: map[string]int{}}
	fmt.Fprintf(out, "courtesy bench — %s\n", machine())
	fmt.Fprintf(out, "%d messages per run, %d customers in the store, %d SMTP connections, Redis %s db %d\n\n",
		o.messages, o.customers, o.conns, testenv.RedisAddr(), testenv.RedisDBBench)
	add := func(r result) {
		rep.results = append(rep.results, r)
		printResult(out, r)
	}

	ceilings := map[string]float64{} // "smtp/<dkim>", "queue/<concurrency>", "queue+smtp/<concurrency>"
	var msgs []*mailer.Message
	if o.only["smtp"] || o.only["queue+smtp"] {
		if msgs, err = renderMessages(shop, signer, o.messages); err != nil {
			return rep, err
		}
	}
	if o.only["smtp"] {
		for _, d := range o.dkim {
			dk, err := dkimKey(d)
			if err != nil {
				return rep, err
			}
			before := sk.accepted.Load()
			r, err := runRawSMTP(ctx, sk.URL(), msgs, o.conns, o.concurrency[0], dk)
			if err != nil {
				return rep, fmt.Errorf("raw SMTP: %w", err)
			}
			r.Name = "raw SMTP dkim=" + d
			rep.sunk[r.Name] = int(sk.accepted.Load() - before)
			ceilings["smtp/"+d] = r.Rate()
			add(r)
		}
	}
	if o.only["queue"] {
		for _, c := range o.concurrency {
			r, err := runRawQueue(ctx, rdb, o.messages, c)
			if err != nil {
				return rep, err
			}
			r.Name = fmt.Sprintf("raw queue c=%d", c)
			ceilings["queue/"+strconv.Itoa(c)] = r.Rate()
			add(r)
		}
	}
	if o.only["queue+smtp"] {
		// DKIM off only: what signing costs is the raw SMTP runs' to show.
		for _, c := range o.concurrency {
			before := sk.accepted.Load()
			r, err := runQueueSMTP(ctx, rdb, sk.URL(), msgs, o.conns, c)
			if err != nil {
				return rep, fmt.Errorf("queue+smtp: %w", err)
			}
			r.Name = fmt.Sprintf("queue+smtp dkim=off c=%d", c)
			rep.sunk[r.Name] = int(sk.accepted.Load() - before)
			ceilings["queue+smtp/"+strconv.Itoa(c)] = r.Rate()
			add(r)
		}
	}
	// The pre-rendered messages take about as much memory as a pipeline
	// run: let them go, so its resident set is its own.
	msgs = nil
	if o.only["pipeline"] {
		type variant struct {
			store, dkim string
			c           int
			overlap     bool
		}
		var vs []variant
		for _, st := range o.stores {
			for _, c := range o.concurrency {
				for _, ov := range o.overlap {
					vs = append(vs, variant{st, "off", c, ov})
				}
			}
		}
		for _, d := range o.dkim {
			if d != "off" {
				vs = append(vs, variant{"sqlite", d, o.concurrency[0], o.overlap[0]})
			}
		}
		for _, v := range vs {
			pr := pipelineRun{shop: shop, rdb: rdb, sinkURL: sk.URL(), dir: dir, storeKind: v.store, dkim: v.dkim,
				messages: o.messages, customers: o.customers, conns: o.conns, concurrency: v.c, overlap: v.overlap}
			r, counts, err := pr.run(ctx)
			if v.store == "postgres" && errors.Is(err, errNoPostgres) {
				fmt.Fprintf(out, "%-44s skipped: %v\n", "pipeline postgres", err)
				continue
			}
			if counts != nil {
				rep.decisions[r.Name] = counts
				rep.planned[r.Name] = r.Messages
			}
			if err != nil {
				return rep, fmt.Errorf("%s: %w", r.Name, err)
			}
			smtpCeil, okS := ceilings["smtp/"+v.dkim]
			queueCeil, okQ := ceilings["queue/"+strconv.Itoa(v.c)]
			switch {
			case okS && okQ:
				r.Note += fmt.Sprintf("; %.0f%% of min(raw SMTP, raw queue) = %.0f/s", 100*r.Rate()/min(smtpCeil, queueCeil), min(smtpCeil, queueCeil))
			case okS:
				r.Note += fmt.Sprintf("; %.0f%% of raw SMTP = %.0f/s", 100*r.Rate()/smtpCeil, smtpCeil)
			}
			if together, ok := ceilings["queue+smtp/"+strconv.Itoa(v.c)]; ok && v.dkim == "off" {
				r.Note += fmt.Sprintf("; %.0f%% of queue+smtp = %.0f/s", 100*r.Rate()/together, together)
			}
			r.Note += "; decisions: " + summary(counts)
			add(r)
		}
	}
	if o.only["planning"] {
		for _, st := range o.stores {
			for _, n := range o.scale {
				rs, err := runPlanning(ctx, rdb, shop, dir, st, n)
				if errors.Is(err, errNoPostgres) {
					fmt.Fprintf(out, "%-44s skipped: %v\n", "planning postgres", err)
					break
				}
				if err != nil {
					return rep, fmt.Errorf("planning %s %d: %w", st, n, err)
				}
				for _, r := range rs {
					add(r)
				}
			}
		}
	}
	if o.only["web"] {
		r, err := runWeb(ctx, dir, signer, o.webRequests, o.webConns)
		if err != nil {
			return rep, fmt.Errorf("web: %w", err)
		}
		add(r)
	}
	fmt.Fprintf(out, "\nload average at the end: %s\n", loadAvg())
	return rep, nil
}

func printResult(w io.Writer, r result) {
	cpu := fmt.Sprintf("CPU %6.0f µs/op", float64(r.CPUPerOp)/1e3)
	if r.RedisCPUPerOp > 0 {
		cpu = fmt.Sprintf("CPU %6.0f + Redis %5.0f = %6.0f µs/op", float64(r.CPUPerOp)/1e3, float64(r.RedisCPUPerOp)/1e3,
			float64(r.CPUPerOp+r.RedisCPUPerOp)/1e3)
	}
	fmt.Fprintf(w, "%-44s %7d in %8s = %7.0f/s  %-39s  %6.0f allocs/op  RSS peak %5.0f MB (HWM %5.0f)  load %s\n",
		r.Name, r.Messages, r.Elapsed.Round(time.Millisecond), r.Rate(), cpu, r.AllocsPerOp, r.PeakRSSMB, r.HWMMB, r.Load)
	if r.P99 > 0 {
		fmt.Fprintf(w, "%-44s %s p50 %s p99 %s", "", r.Latency, ms(r.P50), ms(r.P99))
		if r.S99 > 0 {
			fmt.Fprintf(w, "; one task's processing p50 %s p99 %s", ms(r.S50), ms(r.S99))
		}
		fmt.Fprintln(w)
	}
	if r.Note != "" {
		fmt.Fprintf(w, "%-44s %s\n", "", r.Note)
	}
}

// writeAllocs writes the allocations made since the run began.
func writeAllocs(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// lockDatabase keeps a second bench on this machine off the Redis database
// this one uses: every phase starts by flushing it, and asynq's keys cannot
// be given a prefix of their own, so two runs would take and lose each
// other's tasks and both would fail with a timeout that says nothing.
func lockDatabase(addr string, db int) (unlock func(), err error) {
	name := filepath.Join(os.TempDir(), fmt.Sprintf("courtesy-bench-%s-db%d.lock", strings.NewReplacer(":", "_", "/", "_").Replace(addr), db))
	f, err := os.OpenFile(name, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock Redis database %d: %w", db, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("another bench is running against Redis %s database %d (it holds %s); wait for it to end", addr, db, name)
	}
	return func() { f.Close() }, nil
}
