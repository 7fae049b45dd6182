package consent

import (
	"testing"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/google/go-cmp/cmp"
)

func at(day int) time.Time { return time.Date(2026, 3, day, 12, 0, 0, 0, time.UTC) }

func rec(id int64, purpose string, st courtesy.ConsentStatus, day int) courtesy.ConsentRecord {
	return courtesy.ConsentRecord{ID: id, CustomerID: "c1", Purpose: purpose, Status: st, Source: "form", RecordedAt: at(day)}
}

func TestCurrent(t *testing.T) {
	g, w := courtesy.Granted, courtesy.Withdrawn
	implied := rec(9, "birthday", g, 1)
	implied.Basis = "implied"
	implied.ExpiresAt = at(10)
	tests := []struct {
		name        string
		records     []courtesy.ConsentRecord
		purpose     string
		now         time.Time
		wantGranted bool
		wantRelied  int64 // ID of the record relied on; 0 for none
	}{
		{name: "empty ledger", purpose: "birthday", now: at(20)},
		{name: "grant", records: []courtesy.ConsentRecord{rec(1, "birthday", g, 1)}, purpose: "birthday", now: at(20), wantGranted: true, wantRelied: 1},
		{name: "other purpose does not count", records: []courtesy.ConsentRecord{rec(1, "surveys", g, 1)}, purpose: "birthday", now: at(20)},
		{name: "latest wins, given out of order", records: []courtesy.ConsentRecord{rec(2, "birthday", w, 5), rec(1, "birthday", g, 1)}, purpose: "birthday", now: at(20), wantRelied: 2},
		{name: "regrant after withdrawal", records: []courtesy.ConsentRecord{rec(1, "birthday", g, 1), rec(2, "birthday", w, 5), rec(3, "birthday", g, 6)}, purpose: "birthday", now: at(20), wantGranted: true, wantRelied: 3},
		{name: "same instant: higher id is later", records: []courtesy.ConsentRecord{rec(4, "birthday", w, 5), rec(3, "birthday", g, 5)}, purpose: "birthday", now: at(20), wantRelied: 4},
		{name: "record after now does not count yet", records: []courtesy.ConsentRecord{rec(1, "birthday", g, 1), rec(2, "birthday", w, 25)}, purpose: "birthday", now: at(20), wantGranted: true, wantRelied: 1},
		{name: "global withdrawal suppresses", records: []courtesy.ConsentRecord{rec(1, "birthday", g, 1), rec(2, "*", w, 5)}, purpose: "birthday", now: at(20), wantRelied: 2},
		{name: "global regrant restores the purpose's own state", records: []courtesy.ConsentRecord{rec(1, "birthday", g, 1), rec(2, "*", w, 5), rec(3, "*", g, 6)}, purpose: "birthday", now: at(20), wantGranted: true, wantRelied: 1},
		{name: "global grant alone grants nothing", records: []courtesy.ConsentRecord{rec(3, "*", g, 6)}, purpose: "birthday", now: at(20)},
		{name: "purpose granted after global stop counts for it", records: []courtesy.ConsentRecord{rec(1, "birthday", g, 1), rec(2, "*", w, 5), rec(3, "birthday", g, 7)}, purpose: "birthday", now: at(20), wantGranted: true, wantRelied: 3},
		{name: "purpose granted after global stop counts for it alone", records: []courtesy.ConsentRecord{rec(1, "surveys", g, 1), rec(2, "*", w, 5), rec(3, "birthday", g, 7)}, purpose: "surveys", now: at(20), wantRelied: 2},
		{name: "implied before expiry", records: []courtesy.ConsentRecord{implied}, purpose: "birthday", now: at(9), wantGranted: true, wantRelied: 9},
		{name: "implied at expiry lapses", records: []courtesy.ConsentRecord{implied}, purpose: "birthday", now: at(10), wantRelied: 9},
		{name: "asking about the objection itself", records: []courtesy.ConsentRecord{rec(2, "*", w, 5)}, purpose: "*", now: at(20), wantRelied: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Current(tt.records, tt.purpose, tt.now)
			if got.Granted != tt.wantGranted || got.Relied.ID != tt.wantRelied {
				t.Errorf("Current = granted %v relied %d (%s), want granted %v relied %d", got.Granted, got.Relied.ID, got.Reason, tt.wantGranted, tt.wantRelied)
			}
			if got.Reason == "" {
				t.Error("Current gave no reason")
			}
		})
	}
}

func TestSorted(t *testing.T) {
	in := []courtesy.ConsentRecord{rec(3, "a", courtesy.Granted, 5), rec(1, "a", courtesy.Granted, 9), rec(2, "a", courtesy.Granted, 5)}
	var ids []int64
	for _, r := range Sorted(in) {
		ids = append(ids, r.ID)
	}
	if diff := cmp.Diff([]int64{2, 3, 1}, ids); diff != "" {
		t.Errorf("Sorted order (-want +got):\n%s", diff)
	}
}
