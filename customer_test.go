package courtesy

import (
	"strings"
	"testing"
	"time"
)

func TestCustomerLocation(t *testing.T) {
	fallback := time.FixedZone("shop", 3600)
	tests := []struct{ tz, want string }{
		{"", "shop"},
		{"Pacific/Tongatapu", "Pacific/Tongatapu"},
		{"Mars/Olympus", "shop"},
		{"Pacific/Tongatapu", "Pacific/Tongatapu"}, // asked again
		{"Mars/Olympus", "shop"},                   // asked again
	}
	for _, tt := range tests {
		if got := (Customer{Timezone: tt.tz}).Location(fallback).String(); got != tt.want {
			t.Errorf("Location(%q) = %s, want %s", tt.tz, got, tt.want)
		}
	}
	if LoadLocation("Pacific/Tongatapu") != LoadLocation("Pacific/Tongatapu") {
		t.Error("the same zone was loaded twice")
	}
}

func TestParseMonthDay(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"12-01", "12-01", ""},
		{"1992-02-29", "02-29", ""},
		{"02-29", "02-29", ""},
		{"1990-02-29", "", "not a day of the calendar"},
		{"13-01", "", "not a day of the calendar"},
		{"1-1", "", "not a date"},
		{"", "", ""},
	}
	for _, tt := range tests {
		md, err := ParseMonthDay(tt.in)
		if (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) || md.String() != tt.want {
			t.Errorf("ParseMonthDay(%q) = %q, %v; want %q, %q", tt.in, md, err, tt.want, tt.err)
		}
	}
	if m, d := (MonthDay{time.February, 29}).In(2027); m != time.February || d != 28 {
		t.Errorf("29 February in 2027 falls on %s %d", m, d)
	}
	if m, d := (MonthDay{time.February, 29}).In(2028); d != 29 || m != time.February {
		t.Errorf("29 February in 2028 falls on %s %d", m, d)
	}
}
