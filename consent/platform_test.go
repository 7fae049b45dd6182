package consent_test

import (
	"testing"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/consent"
)

func TestPlatformRecordNeverUndoesALaterWord(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 12, 0, 0, 0, time.UTC) }
	rec := func(purpose string, s courtesy.ConsentStatus, d int) courtesy.ConsentRecord {
		return courtesy.ConsentRecord{Purpose: purpose, Status: s, RecordedAt: day(d), Source: "x"}
	}
	grant := func(d int) courtesy.ConsentRecord { return rec("surveys", courtesy.Granted, d) }
	withdraw := func(d int) courtesy.ConsentRecord { return rec("surveys", courtesy.Withdrawn, d) }
	tests := []struct {
		name   string
		ledger []courtesy.ConsentRecord
		r      courtesy.ConsentRecord
		want   bool
	}{
		{"first grant", nil, grant(5), true},
		{"first withdrawal is still the person's word", nil, withdraw(5), true},
		{"same grant repeated by the next order", []courtesy.ConsentRecord{grant(5)}, grant(6), false},
		{"older subscribed flag after a one-click unsubscribe", []courtesy.ConsentRecord{grant(1), withdraw(5)}, grant(3), false},
		{"subscribed again on the platform after the unsubscribe", []courtesy.ConsentRecord{grant(1), withdraw(5)}, grant(7), true},
		{"unsubscribed on the platform", []courtesy.ConsentRecord{grant(1)}, withdraw(2), true},
		{"platform unsubscribe older than a later grant", []courtesy.ConsentRecord{grant(4)}, withdraw(2), false},
		{"grant older than stop-everything", []courtesy.ConsentRecord{rec(courtesy.AllPurposes, courtesy.Withdrawn, 5)}, grant(3), false},
		{"grant newer than stop-everything", []courtesy.ConsentRecord{rec(courtesy.AllPurposes, courtesy.Withdrawn, 5)}, grant(6), true},
		{"another purpose says nothing about this one", []courtesy.ConsentRecord{rec("birthday", courtesy.Granted, 9)}, grant(3), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := consent.PlatformRecordApplies(tt.ledger, tt.r); got != tt.want {
				t.Errorf("PlatformRecordApplies = %v, want %v", got, tt.want)
			}
		})
	}
}
