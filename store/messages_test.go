package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/store"
)

var (
	sent    = courtesy.Decision{Outcome: courtesy.Sent}
	unknown = courtesy.Decision{Outcome: courtesy.Failed, Reason: courtesy.ReasonUnknownOutcome}
)

func testPlanMessage(t *testing.T, db *store.DB) {
	ctx := context.Background()
	m := message("birthday-treat", "c1", "2026", 0)
	m.Subject, m.Detail = "Happy birthday", `{"rule":"birthday"}`
	created, got, err := db.PlanMessage(ctx, m)
	if err != nil || !created {
		t.Fatalf("PlanMessage = %v, %v; want created", created, err)
	}
	want := m
	want.DecidedAt = m.CreatedAt // the planning is the first decision
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("PlanMessage (-want +got):\n%s", diff)
	}

	// Planning the occurrence again changes nothing and returns the row.
	again := m
	again.Variant, again.CreatedAt = "generic", at(time.Hour)
	created, got, err = db.PlanMessage(ctx, again)
	if err != nil || created {
		t.Fatalf("PlanMessage(again) = %v, %v; want not created", created, err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("PlanMessage(again) (-want +got):\n%s", diff)
	}
	stored, err := db.Message(ctx, m.Key)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, stored); diff != "" {
		t.Errorf("Message (-want +got):\n%s", diff)
	}
	_, err = db.Message(ctx, "no:such:key")
	wantErr(t, err, courtesy.ErrNotFound)

	// A zero decision is planned.
	bare := message("birthday-treat", "c2", "2026", 0)
	bare.Decision = courtesy.Decision{}
	if _, got, err := db.PlanMessage(ctx, bare); err != nil || got.Decision.Outcome != courtesy.Planned {
		t.Errorf("PlanMessage(zero decision) = %v, %v; want planned", got.Decision, err)
	}
}

func testClaim(t *testing.T, db *store.DB) {
	ctx := context.Background()
	m := mustPlan(t, db, message("birthday-treat", "c1", "2026", 0))

	tests := []struct {
		name         string
		at           time.Duration
		want         store.ClaimResult
		wantDecision courtesy.Decision
		wantAttempts int
		wantClaimed  time.Duration
	}{
		{"planned is claimed", time.Minute, store.Claimed, courtesy.Decision{Outcome: courtesy.Claimed}, 1, time.Minute},
		// The first claimer died between claim and SMTP reply.
		{"claimed again is orphaned", 2 * time.Minute, store.Orphaned, unknown, 1, time.Minute},
		{"final is left alone", 3 * time.Minute, store.AlreadyDecided, unknown, 1, time.Minute},
	}
	for _, tt := range tests {
		res, got, err := db.Claim(ctx, m.Key, at(tt.at))
		if err != nil {
			t.Fatalf("%s: Claim: %v", tt.name, err)
		}
		if res != tt.want {
			t.Errorf("%s: Claim = %v, want %v", tt.name, res, tt.want)
		}
		if got.Decision != tt.wantDecision || got.Attempts != tt.wantAttempts || !got.ClaimedAt.Equal(at(tt.wantClaimed)) {
			t.Errorf("%s: message = %v attempts %d claimed %v; want %v, %d, %v", tt.name, got.Decision, got.Attempts,
				got.ClaimedAt, tt.wantDecision, tt.wantAttempts, at(tt.wantClaimed))
		}
	}
	stored, err := db.Message(ctx, m.Key)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Decision != unknown || !stored.DecidedAt.Equal(at(2*time.Minute)) {
		t.Errorf("after orphaning: %v decided %v; want %v at %v", stored.Decision, stored.DecidedAt, unknown, at(2*time.Minute))
	}

	// A deferred message is claimed again, counting a second attempt.
	d := mustPlan(t, db, message("birthday-treat", "c2", "2026", 0))
	if res, _, err := db.Claim(ctx, d.Key, at(time.Minute)); err != nil || res != store.Claimed {
		t.Fatalf("Claim = %v, %v", res, err)
	}
	mustDecide(t, db, store.DecisionUpdate{Key: d.Key, Decision: courtesy.Decision{Outcome: courtesy.Deferred,
		Reason: courtesy.ReasonQuietHours}, DueAt: at(24 * time.Hour), At: at(2 * time.Minute)})
	res, got, err := db.Claim(ctx, d.Key, at(24*time.Hour))
	if err != nil || res != store.Claimed || got.Attempts != 2 {
		t.Errorf("Claim(deferred) = %v, attempts %d, %v; want claimed, 2", res, got.Attempts, err)
	}

	_, _, err = db.Claim(ctx, "no:such:key", at(0))
	wantErr(t, err, courtesy.ErrNotFound)
}

func testClaimConcurrent(t *testing.T, db *store.DB) {
	ctx := context.Background()
	m := mustPlan(t, db, message("birthday-treat", "c1", "2026", 0))
	const n = 50
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		results = map[store.ClaimResult]int{}
	)
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			res, _, err := db.Claim(ctx, m.Key, at(time.Minute))
			if err != nil {
				t.Errorf("Claim: %v", err)
				return
			}
			mu.Lock()
			results[res]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	if results[store.Claimed] != 1 {
		t.Errorf("%d of %d concurrent claimers got Claimed, want exactly 1 (results %v)", results[store.Claimed], n, results)
	}
	if total := results[store.Claimed] + results[store.Orphaned] + results[store.AlreadyDecided]; total != n {
		t.Errorf("%d results, want %d", total, n)
	}
}

func testDecide(t *testing.T, db *store.DB) {
	ctx := context.Background()
	m := mustPlan(t, db, message("birthday-treat", "c1", "2026", 0))

	steps := []struct {
		name        string
		u           store.DecisionUpdate
		wantApplied bool
		want        func(m *courtesy.Message)
	}{
		{
			"planned to sent", store.DecisionUpdate{Key: m.Key, Decision: sent, MessageID: "<1@crumb.example>",
				Subject: "Happy birthday, Ana", At: at(time.Hour)}, true,
			func(m *courtesy.Message) {
				m.Decision, m.MessageID, m.Subject, m.DecidedAt = sent, "<1@crumb.example>", "Happy birthday, Ana", at(time.Hour)
			},
		},
		{
			"a final decision stays", store.DecisionUpdate{Key: m.Key, Decision: unknown, Subject: "changed", At: at(2 * time.Hour)},
			false, func(*courtesy.Message) {},
		},
	}
	want := m
	for _, s := range steps {
		applied, err := db.Decide(ctx, s.u)
		if err != nil {
			t.Fatalf("%s: Decide: %v", s.name, err)
		}
		if applied != s.wantApplied {
			t.Errorf("%s: applied = %v, want %v", s.name, applied, s.wantApplied)
		}
		s.want(&want)
		got, err := db.Message(ctx, m.Key)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: message (-want +got):\n%s", s.name, diff)
		}
	}

	// A late true result replaces an unknown outcome; empty fields are kept.
	o := mustPlan(t, db, message("birthday-treat", "c2", "2026", 0))
	if _, _, err := db.Claim(ctx, o.Key, at(time.Minute)); err != nil {
		t.Fatal(err)
	}
	mustDecide(t, db, store.DecisionUpdate{Key: o.Key, Decision: courtesy.Decision{Outcome: courtesy.Claimed},
		Detail: `{"chain":["consent"]}`, At: at(time.Minute)})
	if res, _, err := db.Claim(ctx, o.Key, at(time.Hour)); err != nil || res != store.Orphaned {
		t.Fatalf("Claim = %v, %v; want orphaned", res, err)
	}
	mustDecide(t, db, store.DecisionUpdate{Key: o.Key, Decision: sent, MessageID: "<2@crumb.example>",
		Variant: "generic", CampaignVersion: "v2", DueAt: at(5 * time.Hour), At: at(2 * time.Hour)})
	got, err := db.Message(ctx, o.Key)
	if err != nil {
		t.Fatal(err)
	}
	want = o
	want.Decision, want.MessageID, want.Variant, want.CampaignVersion = sent, "<2@crumb.example>", "generic", "v2"
	want.Detail, want.DueAt, want.DecidedAt = `{"chain":["consent"]}`, at(5*time.Hour), at(2*time.Hour)
	want.ClaimedAt, want.Attempts = at(time.Minute), 1
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("late result (-want +got):\n%s", diff)
	}

	_, err = db.Decide(ctx, store.DecisionUpdate{Key: "no:such:key", Decision: sent, At: at(0)})
	wantErr(t, err, courtesy.ErrNotFound)
	if _, err := db.Decide(ctx, store.DecisionUpdate{Key: o.Key}); err == nil {
		t.Error("Decide with no decision succeeded")
	}
}

// seedMessages plans and decides a small history across two campaigns and
// two customers; it returns the keys, oldest decision first.
func seedMessages(t *testing.T, db *store.DB) []string {
	t.Helper()
	rows := []struct {
		campaign, customer string
		decision           courtesy.Decision
	}{
		{"birthday-treat", "c1", sent},
		{"birthday-treat", "c2", courtesy.Decision{Outcome: courtesy.Suppressed, Reason: courtesy.ReasonNoConsent}},
		{"nps", "c1", sent},
		{"nps", "c2", courtesy.Decision{Outcome: courtesy.Control}},
		{"birthday-treat", "c3", sent},
	}
	var keys []string
	for i, r := range rows {
		m := mustPlan(t, db, message(r.campaign, r.customer, "2026", time.Duration(i)*time.Hour))
		mustDecide(t, db, store.DecisionUpdate{Key: m.Key, Decision: r.decision, At: at(time.Duration(i)*time.Hour + time.Minute)})
		keys = append(keys, m.Key)
	}
	return keys
}

func testMessages(t *testing.T, db *store.DB) {
	ctx := context.Background()
	k := seedMessages(t, db)
	tests := []struct {
		name string
		f    courtesy.Filter
		want []string
	}{
		{"all newest first", courtesy.Filter{}, []string{k[4], k[3], k[2], k[1], k[0]}},
		{"campaign", courtesy.Filter{CampaignID: "nps"}, []string{k[3], k[2]}},
		{"customer", courtesy.Filter{CustomerID: "c2"}, []string{k[3], k[1]}},
		{"outcomes", courtesy.Filter{Outcomes: []courtesy.Outcome{courtesy.Suppressed, courtesy.Control}}, []string{k[3], k[1]}},
		{"since until on the decision time", courtesy.Filter{Since: at(time.Hour + time.Minute), Until: at(3*time.Hour + time.Minute)},
			[]string{k[2], k[1]}},
		{"limit", courtesy.Filter{Limit: 2}, []string{k[4], k[3]}},
		{"next page", courtesy.Filter{Limit: 2, AfterKey: k[3]}, []string{k[2], k[1]}},
		{"last page", courtesy.Filter{Limit: 2, AfterKey: k[1]}, []string{k[0]}},
		{"nothing", courtesy.Filter{CampaignID: "reminder"}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := db.Messages(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, keysOf(ms)); diff != "" {
				t.Errorf("Messages (-want +got):\n%s", diff)
			}
		})
	}

	counts := []struct {
		name string
		f    courtesy.Filter
		want map[string]int
	}{
		{"all", courtesy.Filter{}, map[string]int{"sent": 3, "suppressed:no-consent": 1, "control": 1}},
		{"campaign", courtesy.Filter{CampaignID: "birthday-treat"}, map[string]int{"sent": 2, "suppressed:no-consent": 1}},
		{"since", courtesy.Filter{Since: at(2 * time.Hour)}, map[string]int{"sent": 2, "control": 1}},
		{"none", courtesy.Filter{CustomerID: "nobody"}, map[string]int{}},
	}
	for _, tt := range counts {
		t.Run("count "+tt.name, func(t *testing.T) {
			got, err := db.CountDecisions(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("CountDecisions (-want +got):\n%s", diff)
			}
		})
	}
}

func testStaleClaims(t *testing.T, db *store.DB) {
	ctx := context.Background()
	var keys []string
	for i := range 3 {
		m := mustPlan(t, db, message("birthday-treat", fmt.Sprintf("c%d", i), "2026", 0))
		if _, _, err := db.Claim(ctx, m.Key, at(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, m.Key)
	}
	mustDecide(t, db, store.DecisionUpdate{Key: keys[0], Decision: sent, At: at(time.Minute)}) // finished
	mustPlan(t, db, message("birthday-treat", "c9", "2026", 0))                                // never claimed
	got, err := db.StaleClaims(ctx, at(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{keys[1]}, got); diff != "" {
		t.Errorf("StaleClaims (-want +got):\n%s", diff)
	}

	// The sweep settles the same ones, and a slow worker's true result
	// still replaces the unknown one.
	swept, err := db.SweepStaleClaims(ctx, at(2*time.Minute), at(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{keys[1]}, swept); diff != "" {
		t.Errorf("SweepStaleClaims (-want +got):\n%s", diff)
	}
	for _, k := range keys[1:] {
		m, err := db.Message(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		want := courtesy.Decision{Outcome: courtesy.Claimed}
		if k == keys[1] {
			want = courtesy.Decision{Outcome: courtesy.Failed, Reason: courtesy.ReasonUnknownOutcome}
		}
		if m.Decision != want {
			t.Errorf("%s after the sweep: %s, want %s", k, m.Decision, want)
		}
	}
	mustDecide(t, db, store.DecisionUpdate{Key: keys[1], Decision: sent, At: at(11 * time.Minute)})
}

func testSentTimes(t *testing.T, db *store.DB) {
	ctx := context.Background()
	plan := func(campaign, occurrence string) string {
		return mustPlan(t, db, message(campaign, "c1", occurrence, 0)).Key
	}
	old := plan("birthday-treat", "2025")
	if _, _, err := db.Claim(ctx, old, at(-48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	mustDecide(t, db, store.DecisionUpdate{Key: old, Decision: sent, At: at(-48 * time.Hour)})
	recent := plan("birthday-treat", "2026")
	if _, _, err := db.Claim(ctx, recent, at(time.Hour)); err != nil {
		t.Fatal(err)
	}
	mustDecide(t, db, store.DecisionUpdate{Key: recent, Decision: sent, At: at(time.Hour + time.Second)})
	inFlight := plan("nps", "o-1")
	if _, _, err := db.Claim(ctx, inFlight, at(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	orphan := plan("nps", "o-2")
	for _, d := range []time.Duration{3 * time.Hour, 4 * time.Hour} {
		if _, _, err := db.Claim(ctx, orphan, at(d)); err != nil {
			t.Fatal(err)
		}
	}
	suppressed := plan("reminder", "e-1")
	mustDecide(t, db, store.DecisionUpdate{Key: suppressed, Decision: courtesy.Decision{Outcome: courtesy.Suppressed,
		Reason: courtesy.ReasonLimit}, At: at(time.Hour)})
	uncl := mustPlan(t, db, message("reminder", "c1", "e-2", 0)).Key // recorded sent without a claim
	mustDecide(t, db, store.DecisionUpdate{Key: uncl, Decision: sent, At: at(5 * time.Hour)})

	got, err := db.SentTimes(ctx, "c1", at(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := []courtesy.SentRecord{
		{Key: recent, CampaignID: "birthday-treat", At: at(time.Hour)},
		{Key: inFlight, CampaignID: "nps", At: at(2 * time.Hour)},
		{Key: orphan, CampaignID: "nps", At: at(3 * time.Hour)},
		{Key: uncl, CampaignID: "reminder", At: at(5 * time.Hour)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SentTimes (-want +got):\n%s", diff)
	}
	none, err := db.SentTimes(ctx, "c2", at(-time.Hour))
	if err != nil || len(none) != 0 {
		t.Errorf("SentTimes(c2) = %v, %v; want none", none, err)
	}
}

func testLastSurveySent(t *testing.T, db *store.DB) {
	ctx := context.Background()
	for i, c := range []struct{ campaign, occurrence string }{{"nps", "o-1"}, {"nps-web", "o-2"}, {"birthday-treat", "2026"}} {
		m := mustPlan(t, db, message(c.campaign, "c1", c.occurrence, 0))
		mustDecide(t, db, store.DecisionUpdate{Key: m.Key, Decision: sent, At: at(time.Duration(i+1) * time.Hour)})
	}
	held := mustPlan(t, db, message("nps", "c1", "o-3", 0))
	mustDecide(t, db, store.DecisionUpdate{Key: held.Key, Decision: courtesy.Decision{Outcome: courtesy.Held, Reason: "tone"},
		At: at(9 * time.Hour)})
	tests := []struct {
		name      string
		customer  string
		campaigns []string
		want      time.Time
		wantOK    bool
	}{
		{"latest of the survey campaigns", "c1", []string{"nps", "nps-web"}, at(2 * time.Hour), true},
		{"one campaign", "c1", []string{"nps"}, at(time.Hour), true},
		{"never", "c2", []string{"nps"}, time.Time{}, false},
		{"no campaigns", "c1", nil, time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok, err := db.LastSurveySent(ctx, tt.customer, tt.campaigns)
			if err != nil {
				t.Fatal(err)
			}
			if ok != tt.wantOK || !got.Equal(tt.want) {
				t.Errorf("LastSurveySent = %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// Messages still waiting when their window closes are expired; one being
// sent (claimed) is its sender's to settle, or a message that went would be
// recorded as expired and missing from the send log. Windows close at
// created + 4h (message).
func testExpireWaiting(t *testing.T, db *store.DB) {
	ctx := context.Background()
	planned := mustPlan(t, db, message("birthday-treat", "c1", "2026", 0))
	deferred := mustPlan(t, db, message("birthday-treat", "c2", "2026", 0))
	mustDecide(t, db, store.DecisionUpdate{Key: deferred.Key, Decision: courtesy.Decision{Outcome: courtesy.Deferred,
		Reason: courtesy.ReasonQuietHours}, At: at(time.Hour)})
	claimed := mustPlan(t, db, message("birthday-treat", "c3", "2026", 0))
	if res, _, err := db.Claim(ctx, claimed.Key, at(3*time.Hour)); err != nil || res != store.Claimed {
		t.Fatalf("Claim = %v, %v", res, err)
	}
	open := mustPlan(t, db, message("birthday-treat", "c4", "2026", 2*time.Hour))
	endless := message("birthday-treat", "c5", "2026", 0)
	endless.NotAfter = time.Time{}
	endless = mustPlan(t, db, endless)

	n, err := db.ExpireWaiting(ctx, at(4*time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("ExpireWaiting = %d, %v; want 2", n, err)
	}
	want := map[string]courtesy.Outcome{planned.Key: courtesy.Expired, deferred.Key: courtesy.Expired,
		claimed.Key: courtesy.Claimed, open.Key: courtesy.Planned, endless.Key: courtesy.Planned}
	for key, outcome := range want {
		m, err := db.Message(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if m.Decision.Outcome != outcome {
			t.Errorf("%s: %s, want %s", key, m.Decision, outcome)
		}
		if outcome == courtesy.Expired && !m.DecidedAt.Equal(at(4*time.Hour)) {
			t.Errorf("%s decided at %v, want %v", key, m.DecidedAt, at(4*time.Hour))
		}
	}
}
