package throttleredis

import (
	"context"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/internal/testenv"
)

// A Cluster refuses a script whose keys lie in two slots (CROSSSLOT). Every
// script here — the limiter's reservation and its rebuild from the send
// log, the provider rate, the connection slots — runs on a Cluster, and
// CLUSTER KEYSLOT puts the keys of each call in one slot.
func TestScriptsKeepToOneSlot(t *testing.T) {
	env := testenv.RedisOn(t, testenv.Cluster, testenv.RedisDBThrottle)
	rec := testenv.RecordScripts(env.Client)
	ctx := context.Background()

	log := &fakeLog{}
	log.record("c1", courtesy.SentRecord{Key: "old", CampaignID: "a", At: day(-1)})
	l := newLimiter(t, env.Client, log)
	for i, c := range []string{"c1", "c2", "c3"} {
		if r := mustReserve(t, l, c, "a", "k"+c, global("3/7d"), day(float64(i))); !r.OK {
			t.Fatalf("reserve for %s refused: %+v", c, r)
		}
	}
	if err := l.Release(ctx, "c1", "kc1"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := NewRate(env.Client, env.Prefix+":slots", 100, 0).Allow(ctx); err != nil {
		t.Fatal(err)
	}
	conns := NewConnections(env.Client, env.Prefix+":slots", 1, time.Second)
	s, err := conns.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Renew(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Release(ctx); err != nil {
		t.Fatal(err)
	}

	calls := rec.Calls()
	if n := testenv.AssertOneSlotEach(t, env.Client, calls); n < 6 {
		t.Fatalf("%d script calls recorded, want the reservations, the rate and the slots: %v", n, calls)
	}
}
