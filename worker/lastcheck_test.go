package worker_test

import (
	"context"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/store"
	"github.com/courtesyhq/courtesy/worker"
)

// meanwhile runs something just before the pipeline claims a message: what
// happens between the checks a task makes when it starts and its claim.
type meanwhile struct {
	worker.Store
	do func()
}

func (m *meanwhile) ClaimForSend(ctx context.Context, key string, at, sentSince time.Time) (store.ClaimResult, store.SendClaim, error) {
	if m.do != nil {
		m.do()
		m.do = nil
	}
	return m.Store.ClaimForSend(ctx, key, at, sentSince)
}

// TestChangesBeforeTheClaimStopTheMessage: a bounce that suppresses the
// address, the owner's pause, the customer's own pause and a survey sent
// by another worker, each arriving after the task's first checks and
// before its claim, stop the message at the claim: the SMTP server
// receives nothing and the reason is recorded.
func TestChangesBeforeTheClaimStopTheMessage(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	ctx := context.Background()
	tests := []struct {
		name     string
		campaign string
		purpose  string
		do       func(t *testing.T, db *store.DB)
		want     courtesy.Decision
	}{
		{"nothing happens", "birthday-treat", "birthday", nil, courtesy.Decision{Outcome: courtesy.Sent}},
		{"the address bounced", "birthday-treat", "birthday", func(t *testing.T, db *store.DB) {
			must(t, db.AddSuppression(ctx, courtesy.Suppression{EmailHash: db.Fingerprint("ann@example.com"),
				Reason: "hard-bounce", Source: "dsn", At: now}))
		}, courtesy.Decision{Outcome: courtesy.Suppressed, Reason: courtesy.ReasonAddress}},
		{"the owner paused the campaign", "birthday-treat", "birthday", func(t *testing.T, db *store.DB) {
			must(t, db.SetCampaignState(ctx, courtesy.CampaignState{ID: "birthday-treat", Paused: true, Reason: "manual pause", At: now}))
		}, courtesy.Decision{Outcome: courtesy.Suppressed, Reason: courtesy.ReasonPaused}},
		{"the customer paused everything", "birthday-treat", "birthday", func(t *testing.T, db *store.DB) {
			must(t, db.SetPreferences(ctx, courtesy.Preferences{CustomerID: "c1", PausedUntil: now.Add(30 * 24 * time.Hour), UpdatedAt: now}))
		}, courtesy.Decision{Outcome: courtesy.Suppressed, Reason: courtesy.ReasonCustomerPaused}},
		{"another survey went out", "after-purchase-survey", "surveys", func(t *testing.T, db *store.DB) {
			other := courtesy.MessageKey("after-purchase-survey", "c1", "o-2")
			if _, _, err := db.PlanMessage(ctx, courtesy.Message{Key: other, CampaignID: "after-purchase-survey",
				CustomerID: "c1", Occurrence: "o-2", Purpose: "surveys", DueAt: now, NotAfter: now.Add(time.Hour),
				CreatedAt: now}); err != nil {
				t.Fatal(err)
			}
			if _, _, err := db.Claim(ctx, other, now.Add(-time.Minute)); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Decide(ctx, store.DecisionUpdate{Key: other, Decision: courtesy.Decision{Outcome: courtesy.Sent},
				At: now.Add(-time.Minute)}); err != nil {
				t.Fatal(err)
			}
		}, courtesy.Decision{Outcome: courtesy.Suppressed, Reason: courtesy.ReasonFatigue}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hook := &meanwhile{}
			e := newEnv(t, options{more: []string{surveyYAML},
				store: func(s worker.Store) worker.Store { hook.Store = s; return hook }})
			e.clock.Set(now)
			e.customer("c1", "ann@example.com", "Ann", "12-01", "UTC")
			e.consent("c1", tt.purpose, courtesy.Granted, signedUp)
			key := courtesy.MessageKey(tt.campaign, "c1", "o-1")
			if _, _, err := e.db.PlanMessage(ctx, courtesy.Message{Key: key, CampaignID: tt.campaign, CustomerID: "c1",
				Occurrence: "o-1", Purpose: tt.purpose, DueAt: now, NotAfter: now.Add(time.Hour), CreatedAt: now}); err != nil {
				t.Fatal(err)
			}
			if tt.do != nil {
				hook.do = func() { tt.do(t, e.db) }
			}
			e.work([]string{key})
			if got := e.decision(key); got != tt.want.String() {
				t.Errorf("decision = %s, want %s", got, tt.want)
			}
			wantSent := 0
			if tt.want.Outcome == courtesy.Sent {
				wantSent = 1
			}
			if n := e.sink.Count(); n != wantSent {
				t.Errorf("the SMTP server received %d messages, want %d", n, wantSent)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
