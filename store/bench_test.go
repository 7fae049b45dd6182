package store_test

import (
	"context"
	"flag"
	"fmt"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/store"
	"github.com/courtesyhq/courtesy/store/storetest"
)

var benchRows = flag.Int("store.rows", 1_000_000, "customers seeded by the large store benchmarks")

var benchBackends = []struct {
	name string
	open func(testing.TB) *store.DB
}{
	{"sqlite", storetest.OpenSQLite},
	{"postgres", storetest.OpenPostgres},
}

// benchCustomers returns n customers numbered from first, their birthdays
// spread over every day of a leap year.
func benchCustomers(first, n int) []courtesy.Customer {
	cs := make([]courtesy.Customer, n)
	for i := range cs {
		id := first + i
		day := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, id%366)
		cs[i] = courtesy.Customer{
			ID: fmt.Sprintf("cust-%08d", id), Email: fmt.Sprintf("person%d@example.org", id),
			FirstName: "First", LastName: fmt.Sprintf("Last%d", id),
			Birthday: courtesy.MonthDay{Month: day.Month(), Day: day.Day()},
			Timezone: "Europe/London", Locale: "en-GB", CreatedAt: t0, UpdatedAt: t0,
		}
	}
	return cs
}

func upsert(b *testing.B, db *store.DB, cs []courtesy.Customer) {
	b.Helper()
	rowErrs, err := db.UpsertCustomers(context.Background(), cs)
	if err != nil {
		b.Fatal(err)
	}
	for i, e := range rowErrs {
		if e != nil {
			b.Fatalf("row %d: %v", i, e)
		}
	}
}

// BenchmarkUpsertCustomers measures imports: batches of 10,000 new
// customers into a growing table, and one call of -store.rows customers.
func BenchmarkUpsertCustomers(b *testing.B) {
	for _, be := range benchBackends {
		b.Run(be.name+"/batch=10000", func(b *testing.B) {
			db := be.open(b)
			const batch = 10_000
			next := 0
			for b.Loop() {
				upsert(b, db, benchCustomers(next, batch))
				next += batch
			}
			b.ReportMetric(float64(next)/b.Elapsed().Seconds(), "rows/s")
		})
		b.Run(fmt.Sprintf("%s/rows=%d", be.name, *benchRows), func(b *testing.B) {
			cs := benchCustomers(0, *benchRows)
			for b.Loop() {
				b.StopTimer()
				db := be.open(b)
				b.StartTimer()
				upsert(b, db, cs)
			}
			b.ReportMetric(float64(*benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkCustomersWithBirthday measures the scheduler's daily question
// over -store.rows customers: who has a birthday on 28 or 29 February.
func BenchmarkCustomersWithBirthday(b *testing.B) {
	for _, be := range benchBackends {
		b.Run(fmt.Sprintf("%s/rows=%d", be.name, *benchRows), func(b *testing.B) {
			db := be.open(b)
			for first := 0; first < *benchRows; first += 100_000 {
				upsert(b, db, benchCustomers(first, min(100_000, *benchRows-first)))
			}
			days := []courtesy.MonthDay{{Month: time.February, Day: 28}, {Month: time.February, Day: 29}}
			var found int
			for b.Loop() {
				cs, err := db.CustomersWithBirthday(context.Background(), days)
				if err != nil {
					b.Fatal(err)
				}
				found = len(cs)
			}
			if want := 2 * (*benchRows / 366); found < want {
				b.Fatalf("found %d customers, want at least %d", found, want)
			}
			b.ReportMetric(float64(found), "customers/op")
		})
	}
}

// BenchmarkSendPath is what the send pipeline asks of the store for one
// message, one message at a time: its send context (with a month of send
// log), the claim with the last consent read, and the decision. The
// messages are planned beforehand, among 100,000 customers with consent.
func BenchmarkSendPath(b *testing.B) {
	const customers = 100_000
	for _, be := range benchBackends {
		b.Run(be.name, func(b *testing.B) {
			ctx := context.Background()
			db := be.open(b)
			upsert(b, db, benchCustomers(0, customers))
			var grants []courtesy.ConsentRecord
			for i := range customers {
				grants = append(grants, courtesy.ConsentRecord{CustomerID: fmt.Sprintf("cust-%08d", i), Purpose: "birthday",
					Status: courtesy.Granted, Source: "bench", RecordedAt: t0})
			}
			if _, err := db.AppendConsents(ctx, grants); err != nil {
				b.Fatal(err)
			}
			n := b.N
			msgs := make([]courtesy.Message, 0, n)
			for i := range n {
				c := fmt.Sprintf("cust-%08d", i%customers)
				msgs = append(msgs, courtesy.Message{Key: courtesy.MessageKey("birthday", c, fmt.Sprint(2000+i/customers)),
					CampaignID: "birthday", CustomerID: c, Occurrence: fmt.Sprint(2000 + i/customers), Purpose: "birthday",
					DueAt: t0, NotAfter: t0.Add(time.Hour), CreatedAt: t0})
			}
			if _, err := db.PlanMessages(ctx, msgs); err != nil {
				b.Fatal(err)
			}
			now := t0.Add(time.Minute)
			b.ResetTimer()
			for i := range n {
				key := msgs[i].Key
				sc, err := db.SendContext(ctx, key, now.Add(-30*24*time.Hour))
				if err != nil || !sc.CustomerFound || len(sc.Consent) != 1 {
					b.Fatalf("send context of %s: %+v, %v", key, sc, err)
				}
				res, claim, err := db.ClaimForSend(ctx, key, now, now.Add(-30*24*time.Hour))
				if err != nil || res != store.Claimed || len(claim.Consent) != 1 {
					b.Fatalf("claim %s: %v, %v", key, res, err)
				}
				if ok, err := db.Decide(ctx, store.DecisionUpdate{Key: key, Decision: courtesy.Decision{Outcome: courtesy.Sent},
					MessageID: fmt.Sprintf("<%d@bench.example>", i), Subject: "Happy birthday", Detail: `{"consent_id":1}`,
					At: now}); err != nil || !ok {
					b.Fatalf("decide %s: %v, %v", key, ok, err)
				}
			}
		})
	}
}
