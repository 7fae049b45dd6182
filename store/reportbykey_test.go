package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/store"
)

// testReportMessagesByKey: the report reads the messages its period's
// reactions name, final decisions only, oldest decision first, across more
// keys than one statement binds.
func testReportMessagesByKey(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustUpsert(t, db, customer("c1"))
	var keys []string
	for i := 0; i < 3; i++ {
		m := mustPlan(t, db, message("birthday-treat", "c1", fmt.Sprint(2020+i), 0))
		keys = append(keys, m.Key)
	}
	mustDecide(t, db, store.DecisionUpdate{Key: keys[0], Decision: courtesy.Decision{Outcome: courtesy.Sent}, Variant: "personal", At: at(2 * time.Hour)})
	mustDecide(t, db, store.DecisionUpdate{Key: keys[1], Decision: courtesy.Decision{Outcome: courtesy.Sent}, Variant: "personal", At: at(time.Hour)})
	// keys[2] is still planned: no decision to report.
	asked := []string{keys[2], keys[0], keys[1]}
	for i := 0; i < 600; i++ {
		asked = append(asked, fmt.Sprintf("gone:%d", i))
	}
	got, err := db.ReportMessagesByKey(ctx, asked)
	if err != nil {
		t.Fatal(err)
	}
	var gotKeys []string
	for _, m := range got {
		gotKeys = append(gotKeys, m.Key)
		if m.CampaignID != "birthday-treat" || m.Variant != "personal" || m.Purpose != "birthday" || m.Locale != "en-GB" ||
			m.Decision.Outcome != courtesy.Sent {
			t.Errorf("%s: %+v", m.Key, m)
		}
	}
	if diff := cmp.Diff([]string{keys[1], keys[0]}, gotKeys); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
