package worker

import (
	"context"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/throttle"
)

type logOf []courtesy.SentRecord

func (l logOf) SentTimes(_ context.Context, _ string, since time.Time) ([]courtesy.SentRecord, error) {
	var out []courtesy.SentRecord
	for _, r := range l {
		if !r.At.Before(since) {
			out = append(out, r)
		}
	}
	return out, nil
}

// A dry run judges limits as the Limiter does: a later message with a
// longer window than the first one asked about still sees the older sends,
// and the dry run's own sends count until released.
func TestDryLimiterReadsAsFarBackAsAsked(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	l := &dryLimiter{log: logOf{{Key: "b:c1:2026", CampaignID: "b", At: now.Add(-100 * 24 * time.Hour)}},
		customers: map[string]*dryWindows{}}
	weekly := throttle.Combine("w", []throttle.Limit{throttle.MustParseLimit("1/24h")}, nil, nil)
	yearly := throttle.Combine("b", nil, []throttle.Limit{throttle.MustParseLimit("1/365d")}, nil)
	reserve := func(campaign, key string, limits []throttle.Scoped) throttle.Reservation {
		t.Helper()
		r, err := l.Reserve(ctx, throttle.Request{Customer: "c1", Campaign: campaign, Key: key, Limits: limits, At: now})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := reserve("w", "w:c1:1", weekly); !r.OK {
		t.Fatalf("first message refused: %+v", r)
	}
	if r := reserve("b", "b:c1:2027", yearly); r.OK || r.Refused.Scope != "campaign:b" {
		t.Errorf("a second birthday message within the year = %+v, want refused by 1/365d", r)
	}
	if r := reserve("w", "w:c1:2", weekly); r.OK {
		t.Error("a second message the same day went: the dry run's own send did not count")
	}
	if err := l.Release(ctx, "c1", "w:c1:1"); err != nil {
		t.Fatal(err)
	}
	if r := reserve("w", "w:c1:2", weekly); !r.OK {
		t.Errorf("after the release the day is free, yet %+v", r)
	}
}
