package scheduler

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/internal/testenv"
	"github.com/courtesyhq/courtesy/store/storetest"
)

// TestRoundSweepsClaimsWhoseTaskIsGone: a message claimed by a worker whose
// task Redis then lost would stay claimed for ever. The round of the
// scheduler that holds the lease records it failed:unknown-outcome once
// the claim is older than the send timeout — never sooner, and never from
// a scheduler without the lease.
func TestRoundSweepsClaimsWhoseTaskIsGone(t *testing.T) {
	ctx := context.Background()
	rdb := testenv.Redis(t, testenv.RedisDBScheduler)
	db := storetest.OpenSQLite(t)
	claimedAt := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	key := courtesy.MessageKey("birthday-treat", "c1", "2026")
	if _, _, err := db.PlanMessage(ctx, courtesy.Message{Key: key, CampaignID: "birthday-treat", CustomerID: "c1",
		Occurrence: "2026", Purpose: "birthday", DueAt: claimedAt, NotAfter: claimedAt.Add(3 * time.Hour),
		CreatedAt: claimedAt}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.Claim(ctx, key, claimedAt); err != nil {
		t.Fatal(err)
	}

	now := claimedAt
	runner := func() *Runner {
		return &Runner{
			Planner: &Planner{Store: db, Location: time.UTC, SendTimeout: 30 * time.Second},
			Lease:   NewLease(rdb, "lease:sweep", time.Minute),
			Now:     func() time.Time { return now },
			Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		}
	}
	holder, other := runner(), runner()
	decision := func(step string, want courtesy.Decision) {
		t.Helper()
		m, err := db.Message(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if m.Decision != want {
			t.Errorf("%s: %s, want %s", step, m.Decision, want)
		}
	}
	claimed := courtesy.Decision{Outcome: courtesy.Claimed}

	now = claimedAt.Add(29 * time.Second)
	holder.round(ctx)
	decision("within the send timeout", claimed)

	now = claimedAt.Add(5 * time.Minute)
	other.round(ctx)
	decision("a round without the lease", claimed)

	holder.round(ctx)
	decision("past the send timeout", courtesy.Decision{Outcome: courtesy.Failed, Reason: courtesy.ReasonUnknownOutcome})
}
