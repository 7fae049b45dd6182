package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/store"
	"github.com/courtesyhq/courtesy/store/storetest"
)

func TestLookupSQLite(t *testing.T) {
	runLookup(t, func(t *testing.T) *store.DB { return storetest.OpenSQLite(t) })
}

func TestLookupPostgres(t *testing.T) {
	runLookup(t, func(t *testing.T) *store.DB { return storetest.OpenPostgres(t) })
}

func runLookup(t *testing.T, open func(t *testing.T) *store.DB) {
	t.Run("MessageByMessageID", func(t *testing.T) { testMessageByMessageID(t, open(t)) })
	t.Run("SoftBounceRun", func(t *testing.T) { testSoftBounceRun(t, open(t)) })
}

func testMessageByMessageID(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustUpsert(t, db, customer("c1"), customer("c2"))
	sent := mustPlan(t, db, message("birthday-treat", "c1", "2026", 0))
	mustDecide(t, db, store.DecisionUpdate{Key: sent.Key, Decision: courtesy.Decision{Outcome: courtesy.Sent},
		MessageID: "<abc.123@crumb.example>", At: at(time.Hour)})
	other := mustPlan(t, db, message("birthday-treat", "c2", "2026", 0))
	mustDecide(t, db, store.DecisionUpdate{Key: other.Key, Decision: courtesy.Decision{Outcome: courtesy.Sent},
		MessageID: "<def.456@crumb.example>", At: at(time.Hour)})

	tests := []struct {
		name, id string
		wantKey  string // "" means ErrNotFound
	}{
		{"with brackets", "<abc.123@crumb.example>", sent.Key},
		{"without brackets", "abc.123@crumb.example", sent.Key},
		{"blanks around", "  <def.456@crumb.example> ", other.Key},
		{"unknown", "<nope@crumb.example>", ""},
		{"empty", "", ""},
		// A planned message has no Message-ID yet; an empty id must not find it.
		{"brackets only", "<>", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := db.MessageByMessageID(ctx, tt.id)
			if tt.wantKey == "" {
				if !errors.Is(err, courtesy.ErrNotFound) {
					t.Fatalf("MessageByMessageID(%q) = %v, %v; want ErrNotFound", tt.id, m.Key, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("MessageByMessageID(%q): %v", tt.id, err)
			}
			if diff := cmp.Diff(tt.wantKey, m.Key); diff != "" {
				t.Errorf("MessageByMessageID(%q) key (-want +got):\n%s", tt.id, diff)
			}
		})
	}
}

func testSoftBounceRun(t *testing.T, db *store.DB) {
	ctx := context.Background()
	h := store.EmailHash("sam@full.example")
	day := 24 * time.Hour
	for _, b := range []courtesy.Bounce{
		{EmailHash: h, Kind: "soft", Status: "4.2.2", At: at(0)},
		{EmailHash: h, Kind: "soft", Status: "4.2.2", At: at(8 * day)},
		{EmailHash: h, Kind: "hard", Status: "5.1.1", At: at(9 * day)},
		{EmailHash: store.EmailHash("other@example.org"), Kind: "soft", At: at(1 * day)},
		{EmailHash: h, Kind: "soft", Status: "4.2.2", At: at(15 * day)},
	} {
		if err := db.AddBounce(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	type run struct {
		N     int
		First time.Time
	}
	tests := []struct {
		name  string
		since time.Time
		want  run
	}{
		{"all", at(-day), run{3, at(0)}},
		{"since is inclusive", at(8 * day), run{2, at(8 * day)}},
		{"none after", at(16 * day), run{0, time.Time{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, first, err := db.SoftBounceRun(ctx, h, tt.since)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, run{n, first}); diff != "" {
				t.Errorf("SoftBounceRun (-want +got):\n%s", diff)
			}
		})
	}
}
