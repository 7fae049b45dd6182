package throttle

import (
	"testing"
	"time"
)

func TestSchedule(t *testing.T) {
	london := mustLoad(t, "Europe/London")
	tokyo := mustLoad(t, "Asia/Tokyo")
	ldn := func(d, h, m int) time.Time { return time.Date(2026, 6, d, h, m, 0, 0, london) }
	tyo := func(d, h, m int) time.Time { return time.Date(2026, 6, d, h, m, 0, 0, tokyo) }
	tests := []struct {
		name        string
		due, notAft time.Time
		now         time.Time
		loc         *time.Location
		quiet       string
		wantAt      time.Time
		wantExpired bool
	}{
		{name: "due now, daytime", due: ldn(10, 10, 0), notAft: ldn(10, 13, 0), now: ldn(10, 10, 0), loc: london, quiet: "20:00-09:00", wantAt: ldn(10, 10, 0)},
		{name: "late but in its window goes now", due: ldn(10, 10, 0), notAft: ldn(10, 13, 0), now: ldn(10, 11, 15), loc: london, quiet: "20:00-09:00", wantAt: ldn(10, 11, 15)},
		{name: "not yet due goes when due", due: ldn(10, 10, 0), notAft: ldn(10, 13, 0), now: ldn(10, 8, 0), loc: london, quiet: "20:00-09:00", wantAt: ldn(10, 10, 0)},
		{name: "not yet due, due at night, deferred to morning", due: ldn(10, 21, 0), notAft: ldn(11, 21, 0), now: ldn(10, 8, 0), loc: london, quiet: "20:00-09:00", wantAt: ldn(11, 9, 0)},
		{name: "now inside quiet hours is deferred to their end", due: ldn(10, 18, 0), notAft: ldn(11, 18, 0), now: ldn(10, 22, 0), loc: london, quiet: "20:00-09:00", wantAt: ldn(11, 9, 0)},
		{name: "end of quiet hours after notAfter expires", due: ldn(10, 18, 0), notAft: ldn(10, 21, 0), now: ldn(10, 20, 30), loc: london, quiet: "20:00-09:00", wantAt: ldn(11, 9, 0), wantExpired: true},
		{name: "end of quiet hours exactly at notAfter still goes", due: ldn(10, 18, 0), notAft: ldn(11, 9, 0), now: ldn(10, 20, 30), loc: london, quiet: "20:00-09:00", wantAt: ldn(11, 9, 0)},
		{name: "now past notAfter expires", due: ldn(10, 10, 0), notAft: ldn(10, 13, 0), now: ldn(10, 13, 1), loc: london, quiet: "", wantAt: ldn(10, 13, 1), wantExpired: true},
		{name: "no notAfter never expires", due: ldn(10, 10, 0), now: ldn(12, 23, 0), loc: london, quiet: "20:00-09:00", wantAt: ldn(13, 9, 0)},
		{name: "the recipient's zone decides, not the due time's", due: ldn(10, 12, 0), notAft: ldn(11, 12, 0), now: ldn(10, 12, 0), loc: tokyo, quiet: "20:00-09:00", wantAt: tyo(11, 9, 0)}, // 12:00 BST is 20:00 JST
		{name: "nil location is due's", due: ldn(10, 22, 0), notAft: ldn(11, 22, 0), now: ldn(10, 22, 0), quiet: "20:00-09:00", wantAt: ldn(11, 9, 0)},

		// A birthday where the day starts inside quiet hours.
		{name: "birthday at 09:30 after a quiet night", due: tyo(10, 9, 30), notAft: tyo(10, 12, 30), now: tyo(10, 0, 0), loc: tokyo, quiet: "00:00-09:00", wantAt: tyo(10, 9, 30)},
		{name: "birthday at 07:00 deferred to 09:00", due: tyo(10, 7, 0), notAft: tyo(10, 10, 0), now: tyo(10, 0, 0), loc: tokyo, quiet: "00:00-09:00", wantAt: tyo(10, 9, 0)},
		{name: "birthday at 05:00 with a 3h window expires", due: tyo(10, 5, 0), notAft: tyo(10, 8, 0), now: tyo(10, 0, 0), loc: tokyo, quiet: "00:00-09:00", wantAt: tyo(10, 9, 0), wantExpired: true},

		// Days the clocks change.
		{name: "spring forward: deferred to 09:00 BST", due: time.Date(2026, 3, 29, 7, 30, 0, 0, london), notAft: time.Date(2026, 3, 29, 10, 30, 0, 0, london), now: time.Date(2026, 3, 29, 0, 0, 0, 0, london), loc: london, quiet: "20:00-09:00", wantAt: mustTime(t, "2026-03-29T08:00:00Z")},
		{name: "fall back: deferred to 09:00 GMT", due: time.Date(2026, 10, 25, 7, 30, 0, 0, london), notAft: time.Date(2026, 10, 25, 10, 30, 0, 0, london), now: time.Date(2026, 10, 25, 0, 0, 0, 0, london), loc: london, quiet: "20:00-09:00", wantAt: mustTime(t, "2026-10-25T09:00:00Z")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at, expired := Schedule(tt.due, tt.notAft, tt.now, tt.loc, mustQuiet(t, tt.quiet))
			if !at.Equal(tt.wantAt) || expired != tt.wantExpired {
				t.Errorf("Schedule = %v, expired %v; want %v, expired %v", at, expired, tt.wantAt, tt.wantExpired)
			}
			if tt.loc != nil && at.Location() != tt.loc {
				t.Errorf("Schedule returned a time in %v, want the recipient's %v", at.Location(), tt.loc)
			}
		})
	}
}
