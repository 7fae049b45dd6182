package guardrail_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/store"
	"github.com/courtesyhq/courtesy/store/storetest"
)

// TestCampaignHealth checks the counts the guardrail judges on both
// engines: only sends since the given time, and only reactions to them
// recorded since then.
func TestCampaignHealth(t *testing.T) {
	for _, backend := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.OpenSQLite}, {"postgres", storetest.OpenPostgres}} {
		t.Run(backend.name, func(t *testing.T) {
			db := backend.open(t)
			ctx := context.Background()
			t0 := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
			resume := t0.Add(24 * time.Hour)
			var b store.Bulk
			add := func(i int, at time.Time, outcome courtesy.Outcome) string {
				id := fmt.Sprintf("c%03d", i)
				b.Customers = append(b.Customers, courtesy.Customer{ID: id, Email: id + "@example.com", CreatedAt: t0, UpdatedAt: t0})
				key := courtesy.MessageKey("c1", id, "2026")
				b.Messages = append(b.Messages, courtesy.Message{Key: key, CampaignID: "c1", CustomerID: id, CreatedAt: at,
					DecidedAt: at, Decision: courtesy.Decision{Outcome: outcome}})
				return key
			}
			// Before the resume: 10 sends, 5 opt-outs, 1 complaint (not counted).
			for i := range 10 {
				k := add(i, t0, courtesy.Sent)
				if i < 5 {
					b.OptOuts = append(b.OptOuts, courtesy.OptOut{CustomerID: fmt.Sprintf("c%03d", i), Purpose: "p", MessageKey: k, At: t0.Add(time.Hour)})
				}
				if i == 0 {
					b.Bounces = append(b.Bounces, courtesy.Bounce{EmailHash: "h", MessageKey: k, Kind: "complaint", At: t0.Add(time.Hour)})
				}
			}
			// After: 20 sends and 2 controls; 3 messages drew opt-outs (one
			// of them twice), 1 a complaint report, 1 a complaint opt-out.
			for i := 10; i < 32; i++ {
				outcome := courtesy.Sent
				if i >= 30 {
					outcome = courtesy.Control
				}
				k := add(i, resume.Add(time.Hour), outcome)
				at := resume.Add(2 * time.Hour)
				id := fmt.Sprintf("c%03d", i)
				switch i {
				case 10:
					b.OptOuts = append(b.OptOuts, courtesy.OptOut{CustomerID: id, Purpose: "p", MessageKey: k, At: at},
						courtesy.OptOut{CustomerID: id, Purpose: "*", MessageKey: k, At: at})
				case 11:
					b.OptOuts = append(b.OptOuts, courtesy.OptOut{CustomerID: id, Purpose: "p", MessageKey: k, At: at})
					b.Bounces = append(b.Bounces, courtesy.Bounce{EmailHash: "h2", MessageKey: k, Kind: "complaint", At: at})
				case 12:
					b.OptOuts = append(b.OptOuts, courtesy.OptOut{CustomerID: id, Purpose: "*", Source: "complaint", MessageKey: k, At: at})
				}
			}
			if err := db.BulkLoad(ctx, b); err != nil {
				t.Fatal(err)
			}
			got, err := db.CampaignHealth(ctx, "c1", resume)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(courtesy.CampaignHealth{Sent: 20, OptOuts: 3, Complaints: 2}, got); diff != "" {
				t.Errorf("health since the resume (-want +got):\n%s", diff)
			}
			all, err := db.CampaignHealth(ctx, "c1", t0)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(courtesy.CampaignHealth{Sent: 30, OptOuts: 8, Complaints: 3}, all); diff != "" {
				t.Errorf("health of all time (-want +got):\n%s", diff)
			}
		})
	}
}
