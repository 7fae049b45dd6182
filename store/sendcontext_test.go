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

// sendContextOneByOne is what SendContext must equal: the separate reads
// the pipeline made before it had SendContext.
func sendContextOneByOne(t *testing.T, db *store.DB, key string) store.SendContext {
	t.Helper()
	ctx := context.Background()
	var (
		sc  store.SendContext
		err error
	)
	if sc.Message, err = db.Message(ctx, key); err != nil {
		t.Fatal(err)
	}
	if sc.Campaign, err = db.CampaignState(ctx, sc.Message.CampaignID); err != nil {
		t.Fatal(err)
	}
	sc.Customer, err = db.Customer(ctx, sc.Message.CustomerID)
	if err != nil {
		wantErr(t, err, courtesy.ErrNotFound)
		return store.SendContext{Message: sc.Message, Campaign: sc.Campaign}
	}
	sc.CustomerFound = true
	if sc.Suppressed, sc.Suppression, err = db.Suppressed(ctx, sc.Customer.Email); err != nil {
		t.Fatal(err)
	}
	if sc.Consent, err = db.ConsentHistory(ctx, sc.Customer.ID); err != nil {
		t.Fatal(err)
	}
	if sc.Preferences, err = db.Preferences(ctx, sc.Customer.ID); err != nil {
		t.Fatal(err)
	}
	return sc
}

func testSendContext(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustUpsert(t, db, customer("plain"), customer("full"), customer("lifted"))
	mustConsent(t, db, grant("plain", "birthday", 0))
	mustConsent(t, db, grant("full", "birthday", 0))
	surveys := grant("full", "surveys", time.Minute)
	// The ledger travels as JSON inside the one query: text that needs
	// escaping must come back as it went in.
	surveys.Notice, surveys.MessageKey = "Tick \"yes\" for surveys —\nné, 3 € \\ ok", "nps:full:p0"
	surveys.ExpiresAt = at(365 * 24 * time.Hour)
	mustConsent(t, db, surveys)
	if err := db.SetPreferences(ctx, courtesy.Preferences{CustomerID: "full", PausedUntil: at(48 * time.Hour),
		MaxPerWindow: "1/7d", UpdatedAt: at(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetCampaignState(ctx, courtesy.CampaignState{ID: "nps", Paused: true, Reason: "complaints",
		At: at(2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	// Two active suppressions (the earlier one is the one reported) and,
	// for another address, only a lifted one.
	full := store.EmailHash(customer("full").Email)
	for _, s := range []courtesy.Suppression{
		{EmailHash: full, Reason: "complaint", Source: "arf", At: at(3 * time.Hour)},
		{EmailHash: full, Reason: "hard-bounce", Source: "dsn", Detail: "5.1.1", At: at(time.Hour)},
		{EmailHash: store.EmailHash(customer("lifted").Email), Reason: "hard-bounce", At: at(time.Hour)},
	} {
		if err := db.AddSuppression(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.LiftSuppression(ctx, store.EmailHash(customer("lifted").Email), "hard-bounce", at(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, m := range []courtesy.Message{
		message("birthday-treat", "plain", "2026", 0),
		message("nps", "full", "p1", 0),
		message("birthday-treat", "lifted", "2026", 0),
		message("birthday-treat", "gone", "2026", 0), // a customer no longer there
	} {
		keys = append(keys, mustPlan(t, db, m).Key)
	}
	for _, key := range keys {
		t.Run(key, func(t *testing.T) {
			got, err := db.SendContext(ctx, key, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(sendContextOneByOne(t, db, key), got); diff != "" {
				t.Errorf("SendContext (-one by one +got):\n%s", diff)
			}
		})
	}
	// The fixtures cover what they mean to.
	full1, err := db.SendContext(ctx, keys[1], time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if !full1.Suppressed || full1.Suppression.Reason != "hard-bounce" || !full1.Campaign.Paused ||
		full1.Preferences.MaxPerWindow != "1/7d" || len(full1.Consent) != 2 {
		t.Errorf("SendContext(%s) = %+v; want suppressed (hard-bounce), paused, preferences and 2 consents", keys[1], full1)
	}
	if gone, err := db.SendContext(ctx, keys[3], time.Time{}); err != nil || gone.CustomerFound {
		t.Errorf("SendContext(no customer) = found %v, %v; want not found", gone.CustomerFound, err)
	}
	_, err = db.SendContext(ctx, "no:such:key", time.Time{})
	wantErr(t, err, courtesy.ErrNotFound)

	// Asked for, the send log comes along, as SentTimes reads it: what was
	// sent, what is being sent (claimed) and what may have gone (unknown
	// outcome), not what was held back or sent before the horizon.
	earlier := mustPlan(t, db, message("nps", "plain", "p0", -time.Hour))
	mustDecide(t, db, store.DecisionUpdate{Key: earlier.Key, Decision: sent, At: at(-time.Hour)})
	sending := mustPlan(t, db, message("nps", "plain", "p1", -time.Hour))
	if res, _, err := db.Claim(ctx, sending.Key, at(-30*time.Minute)); err != nil || res != store.Claimed {
		t.Fatalf("Claim = %v, %v", res, err)
	}
	orphan := mustPlan(t, db, message("nps", "plain", "p2", -2*time.Hour))
	for _, when := range []time.Duration{-90 * time.Minute, -80 * time.Minute} { // the second finds it orphaned
		if _, _, err := db.Claim(ctx, orphan.Key, at(when)); err != nil {
			t.Fatal(err)
		}
	}
	held := mustPlan(t, db, message("nps", "plain", "p3", -time.Hour))
	mustDecide(t, db, store.DecisionUpdate{Key: held.Key, Decision: courtesy.Decision{Outcome: courtesy.Held, Reason: "tone:urgency"},
		At: at(-time.Hour)})
	old := mustPlan(t, db, message("nps", "plain", "p4", -48*time.Hour))
	mustDecide(t, db, store.DecisionUpdate{Key: old.Key, Decision: sent, At: at(-48 * time.Hour)})
	withLog, err := db.SendContext(ctx, keys[0], at(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	log, err := db.SentTimes(ctx, "plain", at(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got := keysOfSent(log); !withLog.SentSince.Equal(at(-24*time.Hour)) ||
		!cmp.Equal(got, []string{orphan.Key, earlier.Key, sending.Key}) {
		t.Errorf("SentTimes = %v, SentSince = %v; want the orphan, the sent and the claimed message since %v",
			got, withLog.SentSince, at(-24*time.Hour))
	}
	if diff := cmp.Diff(log, withLog.Sent); diff != "" {
		t.Errorf("SendContext's send log (-SentTimes +got):\n%s", diff)
	}

	// A batch reads the same, every message in one statement; a key the
	// store does not hold is left out.
	batch, err := db.SendContexts(ctx, append([]string{"no:such:key"}, keys...), at(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(batch) != len(keys) {
		t.Errorf("SendContexts read %d messages, want %d", len(batch), len(keys))
	}
	for _, key := range keys {
		one, err := db.SendContext(ctx, key, at(-24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(one, batch[key]); diff != "" {
			t.Errorf("SendContexts[%s] (-SendContext +got):\n%s", key, diff)
		}
	}
}

// A batch's decisions are recorded together, each as Decide records it:
// a final decision is not overwritten, an unknown outcome is, and what a
// decision leaves empty stays as it was.
func testDecideAll(t *testing.T, db *store.DB) {
	ctx := context.Background()
	planned := mustPlan(t, db, message("birthday-treat", "a", "2026", 0))
	deferred := mustPlan(t, db, message("birthday-treat", "b", "2026", 0))
	done := mustPlan(t, db, message("birthday-treat", "c", "2026", 0))
	mustDecide(t, db, store.DecisionUpdate{Key: done.Key, Decision: courtesy.Decision{Outcome: courtesy.Suppressed,
		Reason: courtesy.ReasonNoConsent}, At: at(time.Minute)})
	unknown := mustPlan(t, db, message("birthday-treat", "d", "2026", 0))
	for _, when := range []time.Duration{time.Minute, 2 * time.Minute} { // the second finds it orphaned
		if _, _, err := db.Claim(ctx, unknown.Key, at(when)); err != nil {
			t.Fatal(err)
		}
	}
	err := db.DecideAll(ctx, []store.DecisionUpdate{
		{Key: planned.Key, Decision: sent, Subject: "Happy birthday", MessageID: "<m1@crumb.example>",
			Variant: "personal", CampaignVersion: "v1", Detail: `{"rule":"r"}`, At: at(time.Hour)},
		{Key: deferred.Key, Decision: courtesy.Decision{Outcome: courtesy.Deferred, Reason: courtesy.ReasonQuietHours},
			DueAt: at(10 * time.Hour), At: at(time.Hour)},
		{Key: done.Key, Decision: sent, At: at(time.Hour)},
		{Key: unknown.Key, Decision: sent, At: at(time.Hour)},
		{Key: "no:such:key", Decision: sent, At: at(time.Hour)},
	})
	if err != nil {
		t.Fatal(err)
	}
	get := func(key string) courtesy.Message {
		t.Helper()
		m, err := db.Message(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	if m := get(planned.Key); m.Decision != sent || m.Subject != "Happy birthday" || m.MessageID != "<m1@crumb.example>" ||
		m.Variant != "personal" || m.CampaignVersion != "v1" || m.Detail != `{"rule":"r"}` || !m.DecidedAt.Equal(at(time.Hour)) {
		t.Errorf("the planned message = %+v, want sent with its subject, Message-ID, variant, version and detail", m)
	}
	if m := get(deferred.Key); m.Decision.String() != "deferred:quiet-hours" || !m.DueAt.Equal(at(10*time.Hour)) ||
		m.Detail != planned.Detail || m.Subject != "" {
		t.Errorf("the deferred message = %+v, want deferred:quiet-hours due at %v, its detail kept", m, at(10*time.Hour))
	}
	if m := get(done.Key); m.Decision.String() != "suppressed:no-consent" {
		t.Errorf("a final decision became %s", m.Decision)
	}
	if m := get(unknown.Key); m.Decision != sent {
		t.Errorf("an unknown outcome with a late true result = %s, want sent", m.Decision)
	}
}

func testPlanMessages(t *testing.T, db *store.DB) {
	ctx := context.Background()
	// More than one batch, a key given twice, and a key planned before
	// and decided since.
	var ms []courtesy.Message
	for i := range 1203 {
		ms = append(ms, message("birthday-treat", fmt.Sprintf("c%04d", i), "2026", 0))
	}
	ms[7].Decision = courtesy.Decision{}
	ms = append(ms, ms[3])
	old := mustPlan(t, db, message("birthday-treat", "c0900", "2026", -time.Hour))
	mustDecide(t, db, store.DecisionUpdate{Key: old.Key, Decision: sent, At: at(time.Minute)})
	decided, err := db.Message(ctx, old.Key)
	if err != nil {
		t.Fatal(err)
	}

	got, err := db.PlanMessages(ctx, ms)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ms) {
		t.Fatalf("PlanMessages returned %d results for %d messages", len(got), len(ms))
	}
	for i, m := range ms {
		want := store.Planned{Created: true, Current: m}
		want.Current.Decision = courtesy.Decision{Outcome: courtesy.Planned}
		want.Current.DecidedAt = m.CreatedAt
		switch {
		case i == len(ms)-1: // the repeat of ms[3]
			want.Created = false
		case m.Key == old.Key:
			want = store.Planned{Current: decided}
		}
		if diff := cmp.Diff(want, got[i]); diff != "" {
			t.Fatalf("PlanMessages[%d] (-want +got):\n%s", i, diff)
		}
	}
	// Planning them again creates nothing and returns the rows.
	again, err := db.PlanMessages(ctx, ms[:2])
	if err != nil {
		t.Fatal(err)
	}
	for i, pl := range again {
		if diff := cmp.Diff(store.Planned{Current: got[i].Current}, pl); diff != "" {
			t.Errorf("PlanMessages(again)[%d] (-want +got):\n%s", i, diff)
		}
	}
	if n := mustCount(t, db, "messages"); n != 1203 {
		t.Errorf("%d messages stored, want 1203", n)
	}
	if _, err := db.PlanMessages(ctx, []courtesy.Message{{}}); err == nil {
		t.Error("PlanMessages(no key) succeeded")
	}
}

func testClaimForSend(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustUpsert(t, db, customer("c1"))
	mustConsent(t, db, grant("c1", "birthday", 0))
	mustConsent(t, db, withdrawal("c1", "birthday", time.Minute))
	// Already in the send log: one sent, one being sent.
	earlier := mustPlan(t, db, message("nps", "c1", "p0", -2*time.Hour))
	mustDecide(t, db, store.DecisionUpdate{Key: earlier.Key, Decision: sent, At: at(-2 * time.Hour)})
	sending := mustPlan(t, db, message("nps", "c1", "p1", 0))
	if res, _, err := db.Claim(ctx, sending.Key, at(30*time.Minute)); err != nil || res != store.Claimed {
		t.Fatalf("Claim = %v, %v", res, err)
	}
	m := mustPlan(t, db, message("birthday-treat", "c1", "2026", 0))

	res, claim, err := db.ClaimForSend(ctx, m.Key, at(time.Hour), at(-24*time.Hour))
	if err != nil || res != store.Claimed {
		t.Fatalf("ClaimForSend = %v, %v; want claimed", res, err)
	}
	stored, err := db.Message(ctx, m.Key)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Decision.Outcome != courtesy.Claimed || !stored.ClaimedAt.Equal(at(time.Hour)) || stored.Attempts != 1 {
		t.Errorf("after ClaimForSend the message is %v, claimed at %v, attempt %d; want claimed at %v, attempt 1",
			stored.Decision, stored.ClaimedAt, stored.Attempts, at(time.Hour))
	}
	want, err := db.ConsentHistory(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != 2 {
		t.Fatalf("%d consent records, want 2", len(want))
	}
	if diff := cmp.Diff(want, claim.Consent); diff != "" {
		t.Errorf("ClaimForSend consent (-ConsentHistory +got):\n%s", diff)
	}
	// The send log as SentTimes reads it, without the message just claimed.
	log, err := db.SentTimes(ctx, "c1", at(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got := keysOfSent(log); !cmp.Equal(got, []string{earlier.Key, sending.Key, m.Key}) {
		t.Fatalf("SentTimes = %v; the fixture should hold the sent, the other claimed and this one", got)
	}
	if diff := cmp.Diff(log[:2], claim.Sent); diff != "" {
		t.Errorf("ClaimForSend send log (-SentTimes without this message +got):\n%s", diff)
	}
	// Claimed again it is an orphan, with nothing read: it must not go.
	res, claim, err = db.ClaimForSend(ctx, m.Key, at(2*time.Hour), at(-24*time.Hour))
	if err != nil || res != store.Orphaned || claim.Consent != nil || claim.Sent != nil {
		t.Errorf("ClaimForSend(again) = %v, %+v, %v; want orphaned, nothing read", res, claim, err)
	}
	res, _, err = db.ClaimForSend(ctx, m.Key, at(3*time.Hour), at(-24*time.Hour))
	if err != nil || res != store.AlreadyDecided {
		t.Errorf("ClaimForSend(decided) = %v, %v; want already-decided", res, err)
	}
	// What a claim reads of the address and the pauses, as they stand.
	next := mustPlan(t, db, message("birthday-treat", "c1", "2027", 0))
	if _, c, err := db.ClaimForSend(ctx, next.Key, at(4*time.Hour), at(-24*time.Hour)); err != nil ||
		c.Suppressed || c.CampaignPaused || !c.PausedUntil.IsZero() {
		t.Errorf("ClaimForSend with nothing in force = %+v, %v", c, err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.AddSuppression(ctx, courtesy.Suppression{EmailHash: db.Fingerprint("C1@example.org"), Reason: "complaint", At: at(0)}))
	must(db.SetCampaignState(ctx, courtesy.CampaignState{ID: "birthday-treat", Paused: true, Reason: "guardrail", At: at(0)}))
	must(db.SetPreferences(ctx, courtesy.Preferences{CustomerID: "c1", PausedUntil: at(90 * time.Hour), UpdatedAt: at(0)}))
	last := mustPlan(t, db, message("birthday-treat", "c1", "2028", 0))
	_, c, err := db.ClaimForSend(ctx, last.Key, at(5*time.Hour), at(-24*time.Hour))
	if err != nil || !c.Suppressed || !c.CampaignPaused || !c.PausedUntil.Equal(at(90*time.Hour)) {
		t.Errorf("ClaimForSend with a suppression and both pauses = suppressed %v, paused %v until %v, %v",
			c.Suppressed, c.CampaignPaused, c.PausedUntil, err)
	}
}

// testConcurrentClaimsSeeEachOther: the claims of one customer's messages
// take turns, so of any two made at once one reads the other in the send
// log it returns (every claimed message is in that log). Were they to
// overlap, both could read a log without the other, and the limits checked
// against those logs would let both messages go.
func testConcurrentClaimsSeeEachOther(t *testing.T, db *store.DB) {
	ctx := context.Background()
	const rounds, n = 20, 8
	for r := range rounds {
		id := fmt.Sprintf("c%d", r)
		mustUpsert(t, db, customer(id))
		keys := make([]string, n)
		for i := range keys {
			keys[i] = mustPlan(t, db, message("birthday-treat", id, fmt.Sprint(i), 0)).Key
		}
		logs := make([]map[string]bool, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, key := range keys {
			wg.Go(func() {
				<-start
				res, claim, err := db.ClaimForSend(ctx, key, at(time.Hour), at(-24*time.Hour))
				if err != nil || res != store.Claimed {
					t.Errorf("ClaimForSend(%s) = %v, %v; want claimed", key, res, err)
					return
				}
				logs[i] = map[string]bool{}
				for _, s := range claim.Sent {
					logs[i][s.Key] = true
				}
			})
		}
		close(start)
		wg.Wait()
		if t.Failed() {
			return
		}
		for i := range keys {
			for j := i + 1; j < n; j++ {
				if !logs[i][keys[j]] && !logs[j][keys[i]] {
					t.Fatalf("round %d: two claims made at once each read a send log without the other (%s: %v; %s: %v)",
						r, keys[i], logs[i], keys[j], logs[j])
				}
			}
		}
	}
}

func keysOfSent(rs []courtesy.SentRecord) []string {
	var keys []string
	for _, r := range rs {
		keys = append(keys, r.Key)
	}
	return keys
}
