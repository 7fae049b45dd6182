package courtesy

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestLimitHitsReadOldAndNewRows: limits are kept as data, and the rows
// written when they were kept as English words still read, and write back
// as they were.
func TestLimitHitsReadOldAndNewRows(t *testing.T) {
	week := 7 * 24 * time.Hour
	d := Detail{Limits: []LimitHit{{Scope: LimitGlobal, Count: 2, Window: week}, {Text: "at most 1 message a day"}}}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"limits":[{"scope":"global","count":2,"window":"168h0m0s"},"at most 1 message a day"]}`; string(b) != want {
		t.Errorf("JSON = %s, want %s", b, want)
	}
	var back Detail
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(d, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}

	var old Detail
	if err := json.Unmarshal([]byte(`{"rule":"today is your birthday","limits":["at most 3 messages a week from us"]}`), &old); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]LimitHit{{Text: "at most 3 messages a week from us"}}, old.Limits); diff != "" {
		t.Errorf("an old row's limits (-want +got):\n%s", diff)
	}

	var bad Detail
	if err := json.Unmarshal([]byte(`{"limits":[{"scope":"global","count":2,"window":"a week"}]}`), &bad); err == nil {
		t.Error("a window that is not a duration read without an error")
	}
}
