package throttleredis

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/throttle"
)

// Fits is the Limiter's rule without Redis: over random requests from two
// campaigns, some out of time order, it answers every one as Reserve does.
func TestFitsAnswersAsReserveDoes(t *testing.T) {
	rdb := setup(t)
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 4 {
		l := newLimiter(t, rdb, nil)
		var log []courtesy.SentRecord
		granted, refused := 0, 0
		at := day0
		for i := range 300 {
			camp := fmt.Sprintf("camp%d", rng.IntN(2))
			limits := throttle.Combine(camp, []throttle.Limit{throttle.MustParseLimit("1/24h"), throttle.MustParseLimit("3/7d")}, []throttle.Limit{throttle.MustParseLimit("2/10d")}, nil)
			at = at.Add(time.Duration(rng.Int64N(int64(20 * time.Hour)))).Truncate(time.Millisecond)
			when := at
			if trial%2 == 1 && rng.IntN(4) == 0 {
				when = at.Add(-time.Duration(rng.Int64N(int64(3 * throttle.Day)))).Truncate(time.Millisecond)
			}
			key := fmt.Sprintf("k%d", i)
			want := throttle.Fits(limits, camp, key, when, log)
			got := mustReserve(t, l, "c1", camp, key, limits, when)
			if diff := cmp.Diff(want, got, cmp.Comparer(time.Time.Equal)); diff != "" {
				t.Fatalf("trial %d, request %d (%s at %v): (-Fits +Reserve):\n%s", trial, i, camp, when, diff)
			}
			if got.OK {
				granted++
				log = append(log, courtesy.SentRecord{Key: key, CampaignID: camp, At: when})
			} else {
				refused++
			}
		}
		if granted == 0 || refused == 0 {
			t.Fatalf("trial %d: %d granted, %d refused: the limits were not exercised", trial, granted, refused)
		}
	}
}
