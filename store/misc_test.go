package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/store"
)

func testPreferences(t *testing.T, db *store.DB) {
	ctx := context.Background()
	got, err := db.Preferences(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(courtesy.Preferences{CustomerID: "c1"}, got); diff != "" {
		t.Errorf("Preferences before any (-want +got):\n%s", diff)
	}
	for _, p := range []courtesy.Preferences{
		{CustomerID: "c1", PausedUntil: at(30 * 24 * time.Hour), UpdatedAt: at(0)},
		{CustomerID: "c1", MaxPerWindow: "1/7d", UpdatedAt: at(time.Hour)},
	} {
		if err := db.SetPreferences(ctx, p); err != nil {
			t.Fatal(err)
		}
		got, err := db.Preferences(ctx, "c1")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(p, got); diff != "" {
			t.Errorf("Preferences (-want +got):\n%s", diff)
		}
	}
}

func testSuppressions(t *testing.T, db *store.DB) {
	ctx := context.Background()
	hash := store.EmailHash("bounce@example.org")
	bounce := courtesy.Suppression{EmailHash: hash, Reason: "hard-bounce", Source: "dsn", Detail: "5.1.1", At: at(time.Hour)}
	if err := db.AddSuppression(ctx, bounce); err != nil {
		t.Fatal(err)
	}
	// The same report again changes nothing.
	later := bounce
	later.Detail, later.At = "5.1.10", at(2*time.Hour)
	if err := db.AddSuppression(ctx, later); err != nil {
		t.Fatal(err)
	}
	complaint := courtesy.Suppression{EmailHash: hash, Reason: "complaint", Source: "arf", At: at(3 * time.Hour)}
	if err := db.AddSuppression(ctx, complaint); err != nil {
		t.Fatal(err)
	}
	if n := mustCount(t, db, "suppressions"); n != 2 {
		t.Errorf("suppressions = %d, want 2", n)
	}

	ok, s, err := db.Suppressed(ctx, " Bounce@Example.ORG")
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		t.Fatal("Suppressed = false, want true")
	}
	if diff := cmp.Diff(bounce, s); diff != "" {
		t.Errorf("Suppressed (-want +got):\n%s", diff)
	}
	if ok, _, err := db.Suppressed(ctx, "fine@example.org"); err != nil || ok {
		t.Errorf("Suppressed(other) = %v, %v; want false", ok, err)
	}

	if err := db.LiftSuppressionBecause(ctx, hash, "complaint", "sent in error, says the owner", at(4*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := db.LiftSuppression(ctx, hash, "hard-bounce", at(5*time.Hour)); err != nil {
		t.Fatal(err)
	}
	wantErr(t, db.LiftSuppression(ctx, hash, "hard-bounce", at(6*time.Hour)), courtesy.ErrNotFound)
	if ok, _, err := db.Suppressed(ctx, "bounce@example.org"); err != nil || ok {
		t.Errorf("Suppressed after lifting = %v, %v; want false", ok, err)
	}

	all, err := db.Suppressions(ctx, courtesy.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	liftedComplaint := complaint
	liftedComplaint.LiftedAt, liftedComplaint.LiftReason = at(4*time.Hour), "sent in error, says the owner"
	liftedBounce := bounce
	liftedBounce.LiftedAt = at(5 * time.Hour)
	if diff := cmp.Diff([]courtesy.Suppression{liftedComplaint, liftedBounce}, all); diff != "" {
		t.Errorf("Suppressions (-want +got):\n%s", diff)
	}
	recent, err := db.Suppressions(ctx, courtesy.Filter{Since: at(2 * time.Hour)})
	if err != nil || len(recent) != 1 || recent[0].Reason != "complaint" {
		t.Errorf("Suppressions since = %v, %v; want the complaint", recent, err)
	}

	// A new bounce after a lift puts the suppression back in force.
	again := bounce
	again.At = at(7 * time.Hour)
	if err := db.AddSuppression(ctx, again); err != nil {
		t.Fatal(err)
	}
	ok, s, err = db.Suppressed(ctx, "bounce@example.org")
	if err != nil || !ok {
		t.Fatalf("Suppressed after a new bounce = %v, %v", ok, err)
	}
	if diff := cmp.Diff(again, s); diff != "" {
		t.Errorf("re-added suppression (-want +got):\n%s", diff)
	}
}

func testBounces(t *testing.T, db *store.DB) {
	ctx := context.Background()
	hash := store.EmailHash("soft@example.org")
	for _, b := range []courtesy.Bounce{
		{EmailHash: hash, MessageKey: "k1", Status: "4.2.2", Kind: "soft", At: at(0)},
		{EmailHash: hash, MessageKey: "k2", Status: "4.2.2", Kind: "soft", At: at(24 * time.Hour)},
		{EmailHash: hash, MessageKey: "k3", Status: "5.1.1", Kind: "hard", At: at(25 * time.Hour)},
		{EmailHash: store.EmailHash("other@example.org"), Kind: "soft", At: at(25 * time.Hour)},
	} {
		if err := db.AddBounce(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.AddBounce(ctx, courtesy.Bounce{EmailHash: hash, Kind: "bouncy", At: at(0)}); err == nil {
		t.Error("AddBounce accepted kind bouncy")
	}
	tests := []struct {
		name  string
		since time.Time
		want  int
	}{
		{"all", at(0), 2},
		{"since is inclusive", at(24 * time.Hour), 1},
		{"none", at(26 * time.Hour), 0},
	}
	for _, tt := range tests {
		got, err := db.CountSoftBounces(ctx, hash, tt.since)
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("%s: CountSoftBounces = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func testCampaignState(t *testing.T, db *store.DB) {
	ctx := context.Background()
	got, err := db.CampaignState(ctx, "nps")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(courtesy.CampaignState{ID: "nps"}, got); diff != "" {
		t.Errorf("CampaignState before any (-want +got):\n%s", diff)
	}
	for _, s := range []courtesy.CampaignState{
		{ID: "nps", Paused: true, Reason: "opt-out rate 3.1% over 2%", At: at(time.Hour)},
		{ID: "nps", Paused: false, Reason: "resumed by owner", At: at(2 * time.Hour)},
	} {
		if err := db.SetCampaignState(ctx, s); err != nil {
			t.Fatal(err)
		}
		got, err := db.CampaignState(ctx, "nps")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(s, got); diff != "" {
			t.Errorf("CampaignState (-want +got):\n%s", diff)
		}
	}
}

func testAnswers(t *testing.T, db *store.DB) {
	ctx := context.Background()
	first := courtesy.Answer{MessageKey: "nps:c1:o-1", CustomerID: "c1", CampaignID: "nps", Variant: "a", Score: 6, At: at(0)}
	changed := first
	changed.Score, changed.Comment, changed.At = 9, "lovely bread", at(time.Hour)
	other := courtesy.Answer{MessageKey: "nps2:c2:o-2", CustomerID: "c2", CampaignID: "nps2", Score: 0, At: at(30 * time.Minute)}
	for _, a := range []courtesy.Answer{first, other, changed} {
		if err := db.RecordAnswer(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.RecordAnswer(ctx, courtesy.Answer{MessageKey: "x", Score: 11}); err == nil {
		t.Error("RecordAnswer accepted a score of 11")
	}
	tests := []struct {
		name string
		f    courtesy.Filter
		want []courtesy.Answer
	}{
		{"all newest first, one per message", courtesy.Filter{}, []courtesy.Answer{changed, other}},
		{"campaign", courtesy.Filter{CampaignID: "nps2"}, []courtesy.Answer{other}},
		{"customer", courtesy.Filter{CustomerID: "c1"}, []courtesy.Answer{changed}},
		{"until", courtesy.Filter{Until: at(time.Hour)}, []courtesy.Answer{other}},
	}
	for _, tt := range tests {
		got, err := db.Answers(ctx, tt.f)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: Answers (-want +got):\n%s", tt.name, diff)
		}
	}
}

func testEngagements(t *testing.T, db *store.DB) {
	ctx := context.Background()
	es := []courtesy.Engagement{
		{CustomerID: "c1", MessageKey: "nps:c1:o-1", CampaignID: "nps", Kind: "survey-answer", At: at(0)},
		{CustomerID: "c1", MessageKey: "birthday-treat:c1:2026", CampaignID: "birthday-treat", Kind: "why-view", At: at(time.Hour)},
		{CustomerID: "c2", Kind: "preferences", At: at(2 * time.Hour)},
	}
	for _, e := range es {
		if err := db.RecordEngagement(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.RecordEngagement(ctx, courtesy.Engagement{CustomerID: "c1"}); err == nil {
		t.Error("RecordEngagement accepted an engagement without a kind")
	}
	tests := []struct {
		name string
		f    courtesy.Filter
		want []courtesy.Engagement
	}{
		{"all newest first", courtesy.Filter{}, []courtesy.Engagement{es[2], es[1], es[0]}},
		{"campaign", courtesy.Filter{CampaignID: "nps"}, []courtesy.Engagement{es[0]}},
		{"customer and limit", courtesy.Filter{CustomerID: "c1", Limit: 1}, []courtesy.Engagement{es[1]}},
		{"since", courtesy.Filter{Since: at(time.Hour)}, []courtesy.Engagement{es[2], es[1]}},
	}
	for _, tt := range tests {
		got, err := db.Engagements(ctx, tt.f)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: Engagements (-want +got):\n%s", tt.name, diff)
		}
	}
}
