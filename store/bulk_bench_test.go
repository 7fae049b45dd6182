package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/store"
	"github.com/courtesyhq/courtesy/store/storetest"
)

func TestBulkSQLite(t *testing.T) {
	runBulk(t, func(t *testing.T) *store.DB { return storetest.OpenSQLite(t) })
}

func TestBulkPostgres(t *testing.T) {
	runBulk(t, func(t *testing.T) *store.DB { return storetest.OpenPostgres(t) })
}

func runBulk(t *testing.T, open func(t *testing.T) *store.DB) {
	for name, fn := range map[string]func(*testing.T, *store.DB){
		"AddEvents":                 testAddEvents,
		"AppendConsents":            testAppendConsents,
		"ConcurrentWithdrawals":     testConcurrentWithdrawals,
		"WithdrawAfterCancellation": testWithdrawAfterCancellation,
	} {
		t.Run(name, func(t *testing.T) { fn(t, open(t)) })
	}
}

// rowFailures maps the index of each failed row to whether it wraps target.
func rowFailures(rowErrs []error, target error) map[int]bool {
	out := map[int]bool{}
	for i, e := range rowErrs {
		if e != nil {
			out[i] = errors.Is(e, target)
		}
	}
	return out
}

func testAddEvents(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustUpsert(t, db, customer("c1"), customer("c2"))
	ev := func(cust, item string, d time.Duration) courtesy.Event {
		return courtesy.Event{CustomerID: cust, Type: courtesy.Interest, ItemID: item, ItemName: "Loaf " + item, OccurredAt: at(d)}
	}
	// More rows than one INSERT carries, so batches meet.
	var es []courtesy.Event
	for i := range 1200 {
		es = append(es, ev([]string{"c1", "c2"}[i%2], fmt.Sprint(i), time.Duration(i)*time.Minute))
	}
	es = append(es, ev("nobody", "x", 0), courtesy.Event{CustomerID: "c1"}, es[0])
	rowErrs, err := db.AddEvents(ctx, es)
	if err != nil {
		t.Fatalf("AddEvents: %v", err)
	}
	want := map[int]bool{1200: true, 1201: false} // unknown customer: ErrNotFound; no type or time: invalid
	if diff := cmp.Diff(want, rowFailures(rowErrs, courtesy.ErrNotFound)); diff != "" {
		t.Errorf("row errors (-want +got):\n%s", diff)
	}
	if got := mustCount(t, db, "events"); got != 1200 {
		t.Errorf("events = %d, want 1200 (the repeated one once)", got)
	}
	// The same file again adds nothing.
	if _, err := db.AddEvents(ctx, es[:1200]); err != nil {
		t.Fatalf("AddEvents again: %v", err)
	}
	if got := mustCount(t, db, "events"); got != 1200 {
		t.Errorf("events after a re-import = %d, want 1200", got)
	}
	got, err := db.EventsBetween(ctx, courtesy.Interest, at(0), at(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	var items []string
	for _, e := range got {
		items = append(items, e.CustomerID+"/"+e.ItemID+"/"+e.ItemName)
	}
	if diff := cmp.Diff([]string{"c1/0/Loaf 0", "c2/1/Loaf 1"}, items); diff != "" {
		t.Errorf("EventsBetween (-want +got):\n%s", diff)
	}
}

func testAppendConsents(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustUpsert(t, db, customer("c1"), customer("c2"))
	rowErrs, err := db.AppendConsents(ctx, []courtesy.ConsentRecord{
		grant("c1", "birthday", 0),
		grant("nobody", "birthday", 0),
		{CustomerID: "c1", Purpose: "birthday", Status: "maybe", RecordedAt: at(0)},
		withdrawal("c1", "birthday", time.Hour),
		grant("c2", "surveys", 0),
	})
	if err != nil {
		t.Fatalf("AppendConsents: %v", err)
	}
	if diff := cmp.Diff(map[int]bool{1: true, 2: false}, rowFailures(rowErrs, courtesy.ErrNotFound)); diff != "" {
		t.Errorf("row errors (-want +got):\n%s", diff)
	}
	hist, err := db.ConsentHistory(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	var statuses []courtesy.ConsentStatus
	for _, r := range hist {
		statuses = append(statuses, r.Status)
	}
	if diff := cmp.Diff([]courtesy.ConsentStatus{courtesy.Granted, courtesy.Withdrawn}, statuses); diff != "" {
		t.Errorf("c1's ledger (-want +got):\n%s", diff)
	}
}

// Withdrawals committed together (SQLite shares one commit among those
// waiting) each keep their own outcome: one per customer lands, a repeat
// changes nothing, an unknown customer fails alone.
func testConcurrentWithdrawals(t *testing.T, db *store.DB) {
	ctx := context.Background()
	const n = 60
	var cs []courtesy.Customer
	for i := range n {
		cs = append(cs, customer(fmt.Sprintf("c%d", i)))
	}
	mustUpsert(t, db, cs...)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		changed = map[string]int{}
		unknown int
	)
	for i := range 2 * n {
		wg.Go(func() {
			id := fmt.Sprintf("c%d", i%n) // every customer twice
			ok, err := db.Withdraw(ctx, withdrawal(id, "birthday", time.Second), courtesy.OptOut{})
			if err != nil {
				t.Errorf("Withdraw(%s): %v", id, err)
			}
			mu.Lock()
			if ok {
				changed[id]++
			}
			mu.Unlock()
		})
		if i%20 == 0 {
			wg.Go(func() {
				_, err := db.Withdraw(ctx, withdrawal("nobody", "birthday", time.Second), courtesy.OptOut{})
				mu.Lock()
				if errors.Is(err, courtesy.ErrNotFound) {
					unknown++
				}
				mu.Unlock()
			})
		}
	}
	wg.Wait()
	want := map[string]int{}
	for _, c := range cs {
		want[c.ID] = 1
	}
	if diff := cmp.Diff(want, changed); diff != "" {
		t.Errorf("withdrawals that changed something, per customer (-want +got):\n%s", diff)
	}
	if unknown != 6 {
		t.Errorf("%d withdrawals of an unknown customer failed with ErrNotFound, want 6", unknown)
	}
	if got := mustCount(t, db, "opt_outs"); got != n {
		t.Errorf("opt-out rows = %d, want %d", got, n)
	}
}

// A caller that gave up does not break the commit others wait for, and
// the store keeps working.
func testWithdrawAfterCancellation(t *testing.T, db *store.DB) {
	mustUpsert(t, db, customer("c1"), customer("c2"))
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	// Taken before the cancellation it may still be committed; what it
	// answered must be what happened.
	_, werr := db.Withdraw(gone, withdrawal("c1", "birthday", time.Second), courtesy.OptOut{})
	ledger, err := db.ConsentHistory(context.Background(), "c1")
	if err != nil {
		t.Fatal(err)
	}
	if committed := len(ledger) == 1; committed != (werr == nil) {
		t.Errorf("cancelled Withdraw answered %v, and %d records are in the ledger", werr, len(ledger))
	}
	ok, err := db.Withdraw(context.Background(), withdrawal("c2", "birthday", time.Second), courtesy.OptOut{})
	if err != nil || !ok {
		t.Fatalf("Withdraw after a cancelled one = %v, %v; want true, nil", ok, err)
	}
}

// BenchmarkWithdrawConcurrent measures durable one-click opt-outs from many
// requests at once, each a different customer: on SQLite they share
// commits.
func BenchmarkWithdrawConcurrent(b *testing.B) {
	for _, be := range benchBackends {
		b.Run(be.name, func(b *testing.B) {
			db := be.open(b)
			const n = 20_000
			upsert(b, db, benchCustomers(0, n))
			b.SetParallelism(16)
			var (
				mu   sync.Mutex
				next int
			)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					mu.Lock()
					i := next % n
					next++
					mu.Unlock()
					r := courtesy.ConsentRecord{CustomerID: fmt.Sprintf("cust-%08d", i), Purpose: fmt.Sprintf("p%d", next/n),
						Status: courtesy.Withdrawn, Source: "one-click", RecordedAt: t0}
					if _, err := db.Withdraw(context.Background(), r, courtesy.OptOut{}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "optouts/s")
		})
	}
}
