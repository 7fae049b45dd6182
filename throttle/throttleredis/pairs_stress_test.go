package throttleredis

import (
	"context"
	"fmt"
	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/throttle"
	"sync"
	"testing"
)

// TestReservePairsSameInstant has two messages for each customer reserve
// at the same instant, day after day, from racing goroutines, as two
// campaigns due at once do: never both.
func TestReservePairsSameInstant(t *testing.T) {
	rdb := setup(t)
	log := &fakeLog{}
	l := newLimiter(t, rdb, log)
	limits := global("1/24h", "3/7d")
	ctx := context.Background()
	for d := 0; d < 10; d++ {
		at := day(float64(d))
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := map[string]int{}
		for c := 0; c < 50; c++ {
			for m := 0; m < 2; m++ {
				wg.Add(1)
				go func(c, m int) {
					defer wg.Done()
					cust, key := fmt.Sprintf("c%02d", c), fmt.Sprintf("k%02d-%d-%d", c, d, m)
					r, err := l.Reserve(ctx, throttle.Request{Customer: cust, Campaign: "camp", Key: key, Limits: limits, At: at})
					if err != nil {
						t.Error(err)
						return
					}
					if r.OK {
						log.record(cust, courtesy.SentRecord{Key: key, CampaignID: "camp", At: at})
						mu.Lock()
						won[cust]++
						mu.Unlock()
					}
				}(c, m)
			}
		}
		wg.Wait()
		for cust, n := range won {
			if n > 1 {
				t.Errorf("day %d: %s got %d slots of 1/24h", d, cust, n)
			}
		}
		if d == 5 {
			rdb.FlushDB(ctx)
		}
	}
}
