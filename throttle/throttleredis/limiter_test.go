package throttleredis

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/internal/testenv"
	"github.com/courtesyhq/courtesy/throttle"
)

// fakeLog is the store's send log: what was confirmed sent, per customer.
type fakeLog struct {
	mu    sync.Mutex
	sends map[string][]courtesy.SentRecord
	reads int
}

func (f *fakeLog) SentTimes(_ context.Context, customerID string, since time.Time) ([]courtesy.SentRecord, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	var out []courtesy.SentRecord
	for _, r := range f.sends[customerID] {
		if !r.At.Before(since) {
			out = append(out, r)
		}
	}
	return out, nil
}

func (f *fakeLog) record(customerID string, r courtesy.SentRecord) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sends == nil {
		f.sends = map[string][]courtesy.SentRecord{}
	}
	f.sends[customerID] = append(f.sends[customerID], r)
}

var _ throttle.SendLog = (*fakeLog)(nil)

// setup returns a client on the package's Redis database, flushed.
func setup(tb testing.TB) *redis.Client {
	tb.Helper()
	return testenv.Redis(tb, testenv.RedisDBThrottle)
}

// newLimiter returns a limiter under a prefix of the test's own, since
// subtests share the database, within the package's (for a Cluster).
func newLimiter(tb testing.TB, rdb redis.UniversalClient, log throttle.SendLog) *Limiter {
	tb.Helper()
	prefix := testenv.KeyPrefix(testenv.RedisDBThrottle) + ":" + strings.ReplaceAll(tb.Name(), " ", "_") + fmt.Sprintf(":%x", rand.Uint32())
	return NewLimiter(rdb, prefix, log)
}

func mustReserve(tb testing.TB, l *Limiter, customer, campaign, key string, limits []throttle.Scoped, at time.Time) throttle.Reservation {
	tb.Helper()
	r, err := l.Reserve(context.Background(), throttle.Request{Customer: customer, Campaign: campaign, Key: key, Limits: limits, At: at})
	if err != nil {
		tb.Fatalf("Reserve(%s, %s, %s, %v): %v", customer, campaign, key, at, err)
	}
	return r
}

func global(limits ...string) []throttle.Scoped {
	var out []throttle.Scoped
	for _, s := range limits {
		out = append(out, throttle.Scoped{Scope: throttle.GlobalScope, Limit: throttle.MustParseLimit(s)})
	}
	return out
}

var day0 = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func day(n float64) time.Time { return day0.Add(time.Duration(n * float64(throttle.Day))) }

// "3/7d" lets exactly three through in any seven days: one attempt a day
// for twenty days.
func TestReserveSlidingWindow(t *testing.T) {
	testenv.ForEachTopology(t, testenv.RedisDBThrottle, func(t *testing.T, r testenv.RedisEnv) {
		testReserveSlidingWindow(t, r.Client)
	})
}

func testReserveSlidingWindow(t *testing.T, rdb redis.UniversalClient) {
	l := newLimiter(t, rdb, nil)
	limits := global("3/7d")
	var allowed []int
	for d := range 20 {
		r := mustReserve(t, l, "c1", "birthday", fmt.Sprintf("m%d", d), limits, day(float64(d)))
		if r.OK {
			allowed = append(allowed, d)
			continue
		}
		// The oldest of the three in the window leaves it exactly 7 days
		// after it was sent.
		wantRetry := day(float64(allowed[len(allowed)-3] + 7))
		if !r.RetryAt.Equal(wantRetry) || r.Refused != limits[0] {
			t.Errorf("day %d refused by %v until %v, want %v until %v", d, r.Refused, r.RetryAt, limits[0], wantRetry)
		}
	}
	if diff := cmp.Diff([]int{0, 1, 2, 7, 8, 9, 14, 15, 16}, allowed); diff != "" {
		t.Errorf("days let through (-want +got):\n%s", diff)
	}
}

// Random times, checked against the definition: a message is let through
// exactly when, with it, no window of any limit holds more than it allows.
// Workers may reserve out of order (a retry, a message planned for later),
// so half the trials shuffle the times.
func TestReserveMatchesModel(t *testing.T) {
	rdb := setup(t)
	rng := rand.New(rand.NewPCG(1, 2))
	limits := global("1/24h", "3/7d")
	for trial := range 6 {
		shuffled := trial%2 == 1
		t.Run(fmt.Sprintf("%d shuffled=%v", trial, shuffled), func(t *testing.T) {
			l := newLimiter(t, rdb, nil)
			times := make([]time.Time, 150)
			at := day0
			for i := range times {
				// Windows are kept to the millisecond.
				at = at.Add(time.Duration(rng.Int64N(int64(30 * time.Hour)))).Truncate(time.Millisecond)
				times[i] = at
			}
			if shuffled {
				// Out of order by up to two weeks, as a worker that fell
				// behind might be.
				for c := 0; c < len(times); c += 20 {
					chunk := times[c:min(c+20, len(times))]
					rng.Shuffle(len(chunk), func(i, j int) { chunk[i], chunk[j] = chunk[j], chunk[i] })
				}
			}
			var accepted []time.Time
			for i, at := range times {
				r := mustReserve(t, l, "c", "camp", fmt.Sprint(i), limits, at)
				room := fits(append(slices.Clone(accepted), at), limits)
				if r.OK != room {
					t.Fatalf("message %d at %v: OK = %v, want %v", i, at, r.OK, room)
				}
				if r.OK {
					accepted = append(accepted, at)
				} else if !r.RetryAt.After(at) {
					t.Fatalf("message %d refused with RetryAt %v, not after %v", i, r.RetryAt, at)
				}
			}
			if len(accepted) < 10 || len(accepted) == len(times) {
				t.Errorf("%d of %d accepted: the trial did not exercise the limits", len(accepted), len(times))
			}
		})
	}
}

// fits reports whether no window of any limit holds more than it allows.
func fits(ts []time.Time, limits []throttle.Scoped) bool {
	for _, s := range limits {
		for _, x := range ts {
			n := 0
			for _, y := range ts {
				if !y.Before(x) && y.Sub(x) < s.Limit.Window {
					n++
				}
			}
			if n > s.Limit.Count {
				return false
			}
		}
	}
	return true
}

// assertWindows fails if any window of any limit holds more messages than
// it allows.
func assertWindows(tb testing.TB, customer string, accepted []time.Time, limits []throttle.Scoped) {
	tb.Helper()
	ts := slices.Clone(accepted)
	slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
	for _, s := range limits {
		for i, x := range ts {
			n := 0
			for _, y := range ts[i:] {
				if y.Sub(x) < s.Limit.Window {
					n++
				}
			}
			if n > s.Limit.Count {
				tb.Errorf("customer %s: %d messages in the %s window from %v", customer, n, s.Limit, x)
			}
		}
	}
}

func TestReserveScopes(t *testing.T) {
	rdb := setup(t)
	tests := []struct {
		name  string
		steps []step
	}{
		{
			name: "1/24h counts every campaign",
			steps: []step{
				{campaign: "birthday", key: "b1", at: day(0), limits: global("1/24h"), ok: true},
				{campaign: "reminder", key: "r1", at: day(0.2), limits: global("1/24h"), refused: "global 1/1d", retryAt: day(1)},
				{campaign: "reminder", key: "r1", at: day(1), limits: global("1/24h"), ok: true},
			},
		},
		{
			name: "campaign limit 1/365d",
			steps: []step{
				{campaign: "birthday", key: "b2026", at: day(0), limits: yearly("birthday"), ok: true},
				{campaign: "birthday", key: "b2026b", at: day(100), limits: yearly("birthday"), refused: "campaign:birthday 1/365d", retryAt: day(365)},
				{campaign: "survey", key: "s1", at: day(100), limits: yearly("survey"), ok: true},
				{campaign: "birthday", key: "b2027", at: day(365), limits: yearly("birthday"), ok: true},
			},
		},
		{
			name: "a weekly preference is stricter than the campaign's 3/7d",
			steps: []step{
				{campaign: "reminder", key: "r1", at: day(0), limits: throttle.Combine("reminder", nil, []throttle.Limit{throttle.MustParseLimit("3/7d")}, []throttle.Limit{throttle.OnePerWeek}), ok: true},
				{campaign: "reminder", key: "r2", at: day(2), limits: throttle.Combine("reminder", nil, []throttle.Limit{throttle.MustParseLimit("3/7d")}, []throttle.Limit{throttle.OnePerWeek}), refused: "global 1/7d", retryAt: day(7)},
				{campaign: "reminder", key: "r2", at: day(2), limits: throttle.Combine("reminder", nil, []throttle.Limit{throttle.MustParseLimit("3/7d")}, nil), ok: true},
			},
		},
		{
			name: "the longest-binding limit is reported",
			steps: []step{
				{campaign: "a", key: "a1", at: day(0), limits: global("1/24h", "2/7d"), ok: true},
				{campaign: "a", key: "a2", at: day(1), limits: global("1/24h", "2/7d"), ok: true},
				{campaign: "a", key: "a3", at: day(1.5), limits: global("1/24h", "2/7d"), refused: "global 2/7d", retryAt: day(7)},
			},
		},
		{
			name: "re-reserving a key is idempotent",
			steps: []step{
				{campaign: "a", key: "a1", at: day(0), limits: global("3/7d"), ok: true},
				{campaign: "a", key: "a1", at: day(0), limits: global("3/7d"), ok: true},
				{campaign: "a", key: "a1", at: day(0.5), limits: global("3/7d"), ok: true},
				{campaign: "a", key: "a2", at: day(1), limits: global("3/7d"), ok: true},
				{campaign: "a", key: "a3", at: day(2), limits: global("3/7d"), ok: true},
				{campaign: "a", key: "a2", at: day(2), limits: global("3/7d"), ok: true},
				{campaign: "a", key: "a4", at: day(3), limits: global("3/7d"), refused: "global 3/7d", retryAt: day(7)},
			},
		},
		{
			name: "a redelivered task keeps its slot whenever it asks",
			steps: []step{
				{campaign: "a", key: "a1", at: day(0), limits: global("1/24h"), ok: true},
				{campaign: "b", key: "b1", at: day(1), limits: global("1/24h"), ok: true},
				{campaign: "a", key: "a1", at: day(0.5), limits: global("1/24h"), ok: true},
			},
		},
		{
			name: "release frees the slot",
			steps: []step{
				{campaign: "a", key: "a1", at: day(0), limits: global("1/24h"), ok: true},
				{campaign: "b", key: "b1", at: day(0.5), limits: global("1/24h"), refused: "global 1/1d", retryAt: day(1)},
				{release: "a1"},
				{release: "never-reserved"},
				{campaign: "b", key: "b1", at: day(0.5), limits: global("1/24h"), ok: true},
				{release: "b1"},
				{campaign: "a", key: "a1", at: day(0.6), limits: global("1/24h"), ok: true},
			},
		},
		{
			name: "a reservation ahead in time counts for earlier ones",
			steps: []step{
				{campaign: "a", key: "later", at: day(2), limits: global("1/24h"), ok: true},
				{campaign: "a", key: "earlier", at: day(1.5), limits: global("1/24h"), refused: "global 1/1d", retryAt: day(3)},
				{campaign: "a", key: "earlier", at: day(1), limits: global("1/24h"), ok: true},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLimiter(t, rdb, nil)
			ctx := context.Background()
			for i, s := range tt.steps {
				switch {
				case s.release != "":
					if err := l.Release(ctx, "c1", s.release); err != nil {
						t.Fatalf("step %d: Release: %v", i, err)
					}
				default:
					r := mustReserve(t, l, "c1", s.campaign, s.key, s.limits, s.at)
					got := outcome{OK: r.OK, Retry: r.RetryAt}
					if !r.OK {
						got.Refused = r.Refused.String()
					}
					want := outcome{OK: s.ok, Refused: s.refused, Retry: s.retryAt}
					if diff := cmp.Diff(want, got, cmp.Comparer(time.Time.Equal)); diff != "" {
						t.Errorf("step %d: reserve %s at %v (-want +got):\n%s", i, s.key, s.at, diff)
					}
				}
			}
		})
	}
}

type step struct {
	campaign, key string
	at            time.Time
	limits        []throttle.Scoped
	ok            bool
	refused       string
	retryAt       time.Time
	release       string
}

type outcome struct {
	OK      bool
	Refused string
	Retry   time.Time
}

func yearly(campaign string) []throttle.Scoped {
	return throttle.Combine(campaign, []throttle.Limit{throttle.MustParseLimit("3/7d")}, []throttle.Limit{throttle.MustParseLimit("1/365d")}, nil)
}

func TestReserveRejectsBadInput(t *testing.T) {
	l := newLimiter(t, setup(t), nil)
	tests := []struct {
		name     string
		customer string
		key      string
		limits   []throttle.Scoped
		want     string
	}{
		{name: "no customer", customer: "", key: "k", want: "needs a customer"},
		{name: "no key", customer: "c", key: "", want: "needs a customer"},
		{name: "unknown scope", customer: "c", key: "k", limits: []throttle.Scoped{{Scope: "kind:survey", Limit: throttle.OnePerWeek}}, want: `scope "kind:survey"`},
		{name: "empty campaign scope", customer: "c", key: "k", limits: []throttle.Scoped{{Scope: "campaign:", Limit: throttle.OnePerWeek}}, want: `scope "campaign:"`},
		{name: "zero count", customer: "c", key: "k", limits: []throttle.Scoped{{Scope: throttle.GlobalScope, Limit: throttle.Limit{Count: 0, Window: throttle.Week}}}, want: "count must be 1 or more"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := l.Reserve(context.Background(), throttle.Request{Customer: tt.customer, Campaign: "camp", Key: tt.key, Limits: tt.limits, At: day0})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestReserveKeysExpire(t *testing.T) {
	rdb := setup(t)
	l := newLimiter(t, rdb, nil)
	mustReserve(t, l, "c1", "birthday", "k", yearly("birthday"), day0)
	keys, err := rdb.Keys(context.Background(), l.prefix+":*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 {
		t.Fatalf("keys = %v, want the customer's one", keys)
	}
	for _, k := range keys {
		ttl := rdb.PTTL(context.Background(), k).Val()
		if ttl <= 365*throttle.Day || ttl > 365*throttle.Day+ttlSlack {
			t.Errorf("%s expires in %v, want the longest window (365d) plus %v", k, ttl, ttlSlack)
		}
	}
}

// Eight workers racing over a thousand reservations for fifty customers
// never put more in a window than its limit allows.
func TestReserveConcurrent(t *testing.T) {
	testenv.ForEachTopology(t, testenv.RedisDBThrottle, func(t *testing.T, r testenv.RedisEnv) {
		testReserveConcurrent(t, r.Client)
	})
}

func testReserveConcurrent(t *testing.T, rdb redis.UniversalClient) {
	l := newLimiter(t, rdb, &fakeLog{})
	limits := global("1/24h", "3/7d")
	const workers, total, customers = 8, 1000, 50

	type grant struct {
		customer, key string
		at            time.Time
	}
	var (
		mu      sync.Mutex
		granted = map[string]grant{} // by key: a redelivered key is one message
		refused int
	)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			var c, camp, key string
			var at time.Time
			for i := range total / workers {
				// One in ten is the previous task delivered again.
				if i == 0 || rng.IntN(10) != 0 {
					c = fmt.Sprintf("c%d", rng.IntN(customers))
					camp = fmt.Sprintf("camp%d", rng.IntN(3))
					key = fmt.Sprintf("w%d-%d", w, i)
					at = day0.Add(time.Duration(rng.Int64N(int64(21 * throttle.Day)))).Truncate(time.Millisecond)
				}
				r, err := l.Reserve(context.Background(), throttle.Request{Customer: c, Campaign: camp, Key: key, Limits: limits, At: at})
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				if r.OK {
					if _, ok := granted[key]; !ok {
						granted[key] = grant{c, key, at}
					}
				} else {
					refused++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	perCustomer := map[string][]time.Time{}
	for _, g := range granted {
		perCustomer[g.customer] = append(perCustomer[g.customer], g.at)
	}
	for c, ts := range perCustomer {
		assertWindows(t, c, ts, limits)
	}
	t.Logf("%d granted, %d refused", len(granted), refused)
	if len(granted) < customers || refused == 0 {
		t.Errorf("%d granted and %d refused: the race did not exercise the limits", len(granted), refused)
	}
}

// FLUSHDB (or a restart without persistence) loses the windows; the send log
// rebuilds them before the next decision. On a Cluster the test's own keys
// are deleted instead.
func TestReserveRebuildsFromSendLog(t *testing.T) {
	testenv.ForEachTopology(t, testenv.RedisDBThrottle, func(t *testing.T, r testenv.RedisEnv) {
		testReserveRebuildsFromSendLog(t, r)
	})
}

func testReserveRebuildsFromSendLog(t *testing.T, env testenv.RedisEnv) {
	rdb := env.Client
	ctx := context.Background()
	limits := global("3/7d")

	t.Run("fourth is refused after FLUSHDB", func(t *testing.T) {
		log := &fakeLog{}
		l := newLimiter(t, rdb, log)
		for d := range 3 {
			key := fmt.Sprint(d)
			if r := mustReserve(t, l, "c1", "a", key, limits, day(float64(d))); !r.OK {
				t.Fatalf("send %d refused", d)
			}
			log.record("c1", courtesy.SentRecord{Key: key, CampaignID: "a", At: day(float64(d))})
		}
		if err := testenv.Flush(ctx, rdb, env.Prefix); err != nil {
			t.Fatal(err)
		}
		r := mustReserve(t, l, "c1", "b", "3", limits, day(3))
		if r.OK || !r.RetryAt.Equal(day(7)) {
			t.Errorf("after FLUSHDB the 4th = %+v, want refused until %v", r, day(7))
		}
	})

	t.Run("a log sent with the request rebuilds without reading the store", func(t *testing.T) {
		log := &fakeLog{}
		l := newLimiter(t, rdb, log)
		var sent []courtesy.SentRecord
		for d := range 3 {
			key := fmt.Sprint(d)
			sent = append(sent, courtesy.SentRecord{Key: key, CampaignID: "a", At: day(float64(d))})
			log.record("c1", sent[d])
		}
		// Longer than the window but short of the first send: the caller
		// read a log that does not reach back far enough.
		short := throttle.Request{Customer: "c1", Campaign: "b", Key: "3", Limits: limits, At: day(3), Sent: sent[1:], SentSince: day(0.5)}
		r, err := l.Reserve(ctx, short)
		if err != nil || r.OK || !r.RetryAt.Equal(day(7)) || log.reads != 1 {
			t.Errorf("with a log from day 0.5 = %+v, %v after %d reads of the store's log; want refused until %v after reading it once",
				r, err, log.reads, day(7))
		}
		if err := testenv.Flush(ctx, rdb, env.Prefix); err != nil {
			t.Fatal(err)
		}
		full := throttle.Request{Customer: "c1", Campaign: "b", Key: "3", Limits: limits, At: day(3), Sent: sent, SentSince: day(-4)}
		r, err = l.Reserve(ctx, full)
		if err != nil || r.OK || !r.RetryAt.Equal(day(7)) || log.reads != 1 {
			t.Errorf("with the whole log = %+v, %v after %d reads of the store's log; want refused until %v, no read",
				r, err, log.reads, day(7))
		}
		if keys, _ := testenv.Keys(ctx, rdb, l.prefix+":*"); len(keys) != 1 {
			t.Errorf("keys after the rebuild = %v, want the customer's one", keys)
		}
	})

	t.Run("without a send log the windows are forgotten", func(t *testing.T) {
		l := newLimiter(t, rdb, nil)
		for d := range 3 {
			mustReserve(t, l, "c1", "a", fmt.Sprint(d), limits, day(float64(d)))
		}
		if err := testenv.Flush(ctx, rdb, env.Prefix); err != nil {
			t.Fatal(err)
		}
		if r := mustReserve(t, l, "c1", "b", "3", limits, day(3)); !r.OK {
			t.Errorf("the 4th was refused with nothing to rebuild from: the test above proves nothing")
		}
	})

	t.Run("a campaign's window is rebuilt too", func(t *testing.T) {
		log := &fakeLog{}
		l := newLimiter(t, rdb, log)
		mustReserve(t, l, "c1", "birthday", "b1", yearly("birthday"), day(0))
		log.record("c1", courtesy.SentRecord{Key: "b1", CampaignID: "birthday", At: day(0)})
		if err := testenv.Flush(ctx, rdb, env.Prefix); err != nil {
			t.Fatal(err)
		}
		// A check with only a week's window rebuilds a week...
		if r := mustReserve(t, l, "c1", "survey", "s1", global("3/7d"), day(100)); !r.OK {
			t.Fatalf("survey refused: %+v", r)
		}
		// ...so a year's window must be rebuilt again before it decides.
		r := mustReserve(t, l, "c1", "birthday", "b2", yearly("birthday"), day(200))
		if r.OK || r.Refused.Scope != "campaign:birthday" {
			t.Errorf("second birthday in a year = %+v, want refused by the campaign's 1/365d", r)
		}
	})

	t.Run("a window longer than any before is rebuilt", func(t *testing.T) {
		// Entries no window reached were trimmed; a new, longer window
		// (a customer's new preference) needs them back.
		log := &fakeLog{}
		l := newLimiter(t, rdb, log)
		for _, d := range []float64{1, 50} {
			key := fmt.Sprint(d)
			mustReserve(t, l, "c1", "a", key, global("3/7d"), day(d))
			log.record("c1", courtesy.SentRecord{Key: key, CampaignID: "a", At: day(d)})
		}
		r := mustReserve(t, l, "c1", "a", "60", global("2/60d"), day(60))
		if r.OK || !r.RetryAt.Equal(day(61)) {
			t.Errorf("third in 60 days = %+v, want refused until %v", r, day(61))
		}
	})

	t.Run("limits hold through flushes mid-run", func(t *testing.T) {
		log := &fakeLog{}
		l := newLimiter(t, rdb, log)
		limits := global("1/24h", "3/7d")
		rng := rand.New(rand.NewPCG(3, 4))
		accepted := map[string][]time.Time{}
		at := day0
		for i := range 600 {
			if i%100 == 50 {
				if err := testenv.Flush(ctx, rdb, env.Prefix); err != nil {
					t.Fatal(err)
				}
			}
			at = at.Add(time.Duration(rng.Int64N(int64(3 * time.Hour)))).Truncate(time.Millisecond)
			c := fmt.Sprintf("c%d", rng.IntN(5))
			key := fmt.Sprint(i)
			r := mustReserve(t, l, c, fmt.Sprintf("camp%d", rng.IntN(2)), key, limits, at)
			if r.OK {
				accepted[c] = append(accepted[c], at)
				log.record(c, courtesy.SentRecord{Key: key, CampaignID: "camp", At: at})
			}
		}
		for c, ts := range accepted {
			assertWindows(t, c, ts, limits)
		}
		if log.reads < 5*6 {
			t.Errorf("the send log was read %d times; every flush should make each customer rebuild", log.reads)
		}
	})
}
