package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

// meter measures one phase: wall time, heap allocations and the peak
// resident set of the process while it ran, and the Redis server's CPU
// time when the phase uses Redis.
type meter struct {
	start    time.Time
	cpu      time.Duration
	mallocs  uint64
	peak     atomic.Int64 // largest VmRSS sampled, in kB
	done     chan struct{}
	rdb      *redis.Client // nil when the phase does not use Redis
	redisCPU time.Duration // the server's CPU time when the phase began
	redisOK  bool          // redisCPU was read
}

// startMeter resets the kernel's peak-RSS mark (Linux: writing 5 to
// clear_refs), so the peak reported is this phase's, not an earlier one's.
// rdb, when the phase uses Redis, is asked for the server's CPU time too:
// on a small machine Redis takes its share of the same cores, and a figure
// of our own CPU alone would hide it.
func startMeter(rdb *redis.Client) *meter {
	// Hand freed memory back first, so the mark starts from what is live.
	debug.FreeOSMemory()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m := &meter{cpu: cpuTime(), mallocs: ms.Mallocs, done: make(chan struct{}), rdb: rdb}
	if rdb != nil {
		m.redisCPU, m.redisOK = redisCPU(rdb)
	}
	m.start = time.Now()
	go m.sample()
	return m
}

// sample records the resident set every few milliseconds: the kernel's
// peak mark cannot be lowered below what the process held when the phase
// began, when memory freed by the set-up may not have been returned yet.
func (m *meter) sample() {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		if kb := statusKB("VmRSS:"); kb > m.peak.Load() {
			m.peak.Store(kb)
		}
		select {
		case <-m.done:
			return
		case <-t.C:
		}
	}
}

// cpuTime is the user and system time the process has used. Per message it
// is the figure other people's work on the machine disturbs least: a busy
// machine stretches the wall time of a phase, not the work it does.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// redisCPU is the CPU time, user and system, the Redis server has used
// since it started, as INFO reports it. It is read over the connection, so
// a Redis on another machine is measured as well as a local one. It is the
// whole server's: another client's commands during a phase count too.
// It reports false when the server does not answer INFO (a managed Redis
// may rename it); the figure is then left out rather than guessed.
func redisCPU(rdb *redis.Client) (time.Duration, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	info, err := rdb.Info(ctx, "cpu").Result()
	if err != nil {
		return 0, false
	}
	var total time.Duration
	found := 0
	for _, l := range strings.Split(info, "\n") {
		name, v, ok := strings.Cut(strings.TrimSpace(l), ":")
		if !ok || (name != "used_cpu_user" && name != "used_cpu_sys") {
			continue
		}
		secs, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return 0, false
		}
		total += time.Duration(secs * float64(time.Second))
		found++
	}
	return total, found == 2
}

// result is what a phase measured.
type result struct {
	Name          string
	Messages      int
	Elapsed       time.Duration
	AllocsPerOp   float64
	CPUPerOp      time.Duration // process CPU time (all goroutines, the sink's too) per message
	RedisCPUPerOp time.Duration // the Redis server's CPU time per message; zero when not measured
	PeakRSSMB     float64       // largest resident set sampled during the phase
	HWMMB         float64       // the kernel's peak mark (VmHWM), reset when the phase began
	P50, P99      time.Duration // due → decided, or request → response; zero when not measured
	Latency       string        // what P50 and P99 measure
	S50, S99      time.Duration // one task's own processing time; zero when not measured
	Load          string        // load average when the phase ended
	Note          string
}

func (m *meter) stop(name string, n int) result {
	el := time.Since(m.start)
	close(m.done)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	r := result{Name: name, Messages: n, Elapsed: el, PeakRSSMB: float64(m.peak.Load()) / 1024,
		HWMMB: float64(statusKB("VmHWM:")) / 1024, Load: loadAvg()}
	if n > 0 {
		r.AllocsPerOp = float64(ms.Mallocs-m.mallocs) / float64(n)
		r.CPUPerOp = (cpuTime() - m.cpu) / time.Duration(n)
		if m.redisOK {
			if after, ok := redisCPU(m.rdb); ok {
				r.RedisCPUPerOp = (after - m.redisCPU) / time.Duration(n)
			}
		}
	}
	return r
}

// Rate is messages (or requests) per second.
func (r result) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Messages) / r.Elapsed.Seconds()
}

// statusKB reads a field of /proc/self/status given in kB; 0 where there
// is none.
func statusKB(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, field); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb
		}
	}
	return 0
}

// loadAvg is the one-minute load average: other work on the machine skews
// every figure, so each one says how busy the machine was.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}

// percentile returns the p-th percentile (0–100) of ds, sorting it.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	i := int(float64(len(ds)-1) * p / 100)
	return ds[i]
}

// machine describes where the figures were measured.
func machine() string {
	cpu := "?"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	mem := "?"
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "MemTotal:"); ok {
				kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
				mem = fmt.Sprintf("%.1f GiB", kb/1024/1024)
			}
		}
	}
	return fmt.Sprintf("%d CPUs (%s), %s memory, %s %s/%s, load %s", runtime.NumCPU(), cpu, mem,
		runtime.Version(), runtime.GOOS, runtime.GOARCH, loadAvg())
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }
