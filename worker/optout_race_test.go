package worker_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/store"
	"github.com/courtesyhq/courtesy/throttle"
	"github.com/courtesyhq/courtesy/web"
	"github.com/courtesyhq/courtesy/worker"
)

// slowLimiter takes a few milliseconds to reserve, as a busy Redis would,
// which widens the time between the first consent check and the claim.
type slowLimiter struct{ worker.Limiter }

func (s slowLimiter) Reserve(ctx context.Context, r throttle.Request) (throttle.Reservation, error) {
	time.Sleep(time.Duration(len(r.Customer)+int(r.Key[len(r.Key)-3])%5) * time.Millisecond)
	return s.Limiter.Reserve(ctx, r)
}

// claimClock notes when each claim for sending began.
type claimClock struct {
	worker.Store
	mu    sync.Mutex
	began map[string]time.Time
}

func (c *claimClock) ClaimForSend(ctx context.Context, key string, at, sentSince time.Time) (store.ClaimResult, store.SendClaim, error) {
	c.mu.Lock()
	c.began[key] = time.Now()
	c.mu.Unlock()
	return c.Store.ClaimForSend(ctx, key, at, sentSince)
}

// TestOptOutRacesAQueuedMessage runs many rounds of a message that is being
// processed while its customer presses the one-click unsubscribe. Whatever
// the interleaving, a message whose send started (its key was claimed)
// after the unsubscribe was acknowledged never reaches the SMTP server, and
// is recorded suppressed:no-consent.
func TestOptOutRacesAQueuedMessage(t *testing.T) {
	// Real time: the claim times in the store are compared with the moment
	// the customer saw the 200.
	claims := &claimClock{began: map[string]time.Time{}}
	e := newEnv(t, options{now: time.Now, limiter: func(l worker.Limiter) worker.Limiter { return slowLimiter{l} },
		store: func(s worker.Store) worker.Store { claims.Store = s; return claims }})
	srv := httptest.NewServer(web.New(web.Config{
		BaseURL:      "https://crumb.example",
		BusinessName: "Crumb & Co. Bakery",
		Purposes:     consent.Purposes{{ID: "birthday", Title: "Birthday treats"}},
		RateLimit:    web.RateLimit{PerSecond: 10000, Burst: 10000},
	}, web.Deps{Store: e.db, Signer: e.signer}))
	t.Cleanup(srv.Close)

	const rounds = 60
	ctx := context.Background()
	acked := make([]time.Time, rounds)
	var wg sync.WaitGroup
	for i := 0; i < rounds; i++ {
		id := fmt.Sprintf("c%03d", i)
		e.customer(id, id+"@example.com", "Ann", "12-01", "UTC")
		e.consent(id, "birthday", courtesy.Granted, signedUp)
	}
	e.clock.Set(time.Now())
	keys := make([]string, rounds)
	for i := range keys {
		keys[i] = courtesy.MessageKey("birthday-treat", fmt.Sprintf("c%03d", i), "r")
		if _, _, err := e.db.PlanMessage(ctx, courtesy.Message{
			Key: keys[i], CampaignID: "birthday-treat", CustomerID: fmt.Sprintf("c%03d", i), Occurrence: "r",
			Purpose: "birthday", Decision: courtesy.Decision{Outcome: courtesy.Planned},
			DueAt: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour), CreatedAt: time.Now(),
		}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < rounds; i++ {
		i := i
		link := e.signer.Links("https://crumb.example", fmt.Sprintf("c%03d", i), "birthday", keys[i], time.Now()).Unsubscribe
		u, err := url.Parse(link)
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(2)
		go func() {
			defer wg.Done()
			if err := e.pipeline.Process(ctx, keys[i], false); err != nil {
				t.Errorf("process %s: %v", keys[i], err)
			}
		}()
		go func() {
			defer wg.Done()
			// Stagger the click across the pipeline's steps.
			time.Sleep(time.Duration(i%6) * time.Millisecond)
			resp, err := http.Post(srv.URL+u.Path, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("unsubscribe: %s", resp.Status)
				return
			}
			acked[i] = time.Now()
		}()
	}
	wg.Wait()

	received := map[string]bool{}
	for _, m := range e.sink.Messages() {
		received[m.To[0]] = true
	}
	var sent, suppressed int
	for i, key := range keys {
		m, err := e.db.Message(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		addr := fmt.Sprintf("c%03d@example.com", i)
		switch m.Decision.String() {
		case "sent":
			sent++
			// The store's claimed_at is the task's clock, not when the
			// claim ran: the wrapper saw when it began.
			if began := claims.began[key]; !began.Before(acked[i]) {
				t.Errorf("%s: sent with a claim begun at %s, after the unsubscribe was acknowledged at %s", key, began, acked[i])
			}
			if !received[addr] {
				t.Errorf("%s recorded sent but the sink has nothing for %s", key, addr)
			}
		case "suppressed:no-consent":
			suppressed++
			if received[addr] {
				t.Errorf("%s recorded suppressed but %s received it", key, addr)
			}
		default:
			t.Errorf("%s: decision %s", key, m.Decision)
		}
	}
	t.Logf("%d rounds: %d sent before the opt-out, %d suppressed by it", rounds, sent, suppressed)
	if suppressed == 0 {
		t.Error("no round had the opt-out win: the race was not exercised")
	}
}
