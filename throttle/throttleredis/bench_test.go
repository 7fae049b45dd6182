package throttleredis

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy/throttle"
)

// BenchmarkReserve is one check and reservation against Redis on loopback:
// the global 1/24h and 3/7d and a campaign's 1/365d, over 1,000 customers
// whose windows are already built. Besides ns/op it reports the p50 and p99
// of single calls; run it with -benchtime=10000x for 10,000 of them.
func BenchmarkReserve(b *testing.B) {
	rdb := setup(b)
	log := &fakeLog{}
	l := newLimiter(b, rdb, log)
	ctx := context.Background()
	const customers = 1000
	global := []throttle.Limit{throttle.MustParseLimit("1/24h"), throttle.MustParseLimit("3/7d")}
	yearly := []throttle.Limit{throttle.MustParseLimit("1/365d")}
	limits := throttle.Combine("warm", global, yearly, nil)
	for c := range customers {
		// Out of reach of every window, but it builds them for 365 days.
		mustReserve(b, l, fmt.Sprint(c), "warm", "warm", limits, day0.Add(-400*throttle.Day))
	}
	lat := make([]time.Duration, 0, b.N)
	ok := 0
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		// Each customer is asked about every 17 hours, for one of 20
		// campaigns in turn: some pass, some meet a limit.
		campaign := fmt.Sprint("camp", i/customers%20)
		limits := throttle.Combine(campaign, global, yearly, nil)
		r, err := l.Reserve(ctx, throttle.Request{Customer: fmt.Sprint(i % customers), Campaign: campaign, Key: fmt.Sprint(i), Limits: limits, At: day0.Add(time.Duration(i) * time.Minute)})
		lat = append(lat, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		if r.OK {
			ok++
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	b.ReportMetric(float64(ok)/float64(len(lat)), "granted/op")
	b.ReportMetric(float64(log.reads-customers)/float64(len(lat)), "rebuilds/op")
}

// BenchmarkRateAllow is one turn of the shared rate, granted or not.
func BenchmarkRateAllow(b *testing.B) {
	r := NewRate(setup(b), "bench", 1_000_000, 0)
	ctx := context.Background()
	for b.Loop() {
		if _, _, err := r.Allow(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
