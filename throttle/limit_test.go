package throttle

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseLimit(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Limit
		wantErr string
	}{
		{name: "days", in: "3/7d", want: Limit{3, 7 * Day}},
		{name: "hours", in: "1/24h", want: Limit{1, 24 * time.Hour}},
		{name: "year", in: "1/365d", want: Limit{1, 365 * Day}},
		{name: "weeks", in: "2/2w", want: Limit{2, 2 * Week}},
		{name: "minutes and seconds", in: "5/90m", want: Limit{5, 90 * time.Minute}},
		{name: "compound", in: "1/1d12h", want: Limit{1, 36 * time.Hour}},
		{name: "fraction", in: "1/1.5h", want: Limit{1, 90 * time.Minute}},
		{name: "spaces", in: " 3 / 7d ", want: Limit{3, 7 * Day}},
		{name: "no slash", in: "3per7d", wantErr: "write it like 3/7d"},
		{name: "zero count", in: "0/7d", wantErr: "count must be a whole number of 1 or more"},
		{name: "negative count", in: "-1/7d", wantErr: "count must be"},
		{name: "no unit", in: "3/7", wantErr: "not a duration"},
		{name: "unknown unit", in: "3/7y", wantErr: `unit "y"`},
		{name: "empty window", in: "3/", wantErr: "not a duration"},
		{name: "zero window", in: "3/0d", wantErr: "at least 1s"},
		{name: "too long", in: "1/101w", want: Limit{1, 101 * Week}},
		{name: "over a century", in: "1/40000d", wantErr: "longer than a century"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseLimit(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseLimit(%q) error = %v, want one containing %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseLimit(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseLimit(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestLimitStringRoundTrips(t *testing.T) {
	tests := []struct {
		name  string
		limit Limit
		want  string
	}{
		{name: "week in days", limit: Limit{3, Week}, want: "3/7d"},
		{name: "day", limit: Limit{1, Day}, want: "1/1d"},
		{name: "hours", limit: Limit{1, 36 * time.Hour}, want: "1/36h"},
		{name: "minutes", limit: Limit{5, 90 * time.Minute}, want: "5/90m"},
		{name: "seconds", limit: Limit{5, 90 * time.Second}, want: "5/90s"},
		{name: "month", limit: OnePerMonth, want: "1/30d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.limit.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			back, err := ParseLimit(tt.limit.String())
			if err != nil {
				t.Fatalf("ParseLimit(%q): %v", tt.limit.String(), err)
			}
			if diff := cmp.Diff(tt.limit, back); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStrictest(t *testing.T) {
	tests := []struct {
		name  string
		lists [][]Limit
		want  []Limit
	}{
		{name: "none", lists: nil, want: nil},
		{
			name:  "unrelated limits all stay",
			lists: [][]Limit{{MustParseLimit("3/7d"), MustParseLimit("1/24h")}},
			want:  []Limit{MustParseLimit("1/24h"), MustParseLimit("3/7d")},
		},
		{
			name:  "a weekly preference implies the daily and 3-a-week limits",
			lists: [][]Limit{{MustParseLimit("1/24h"), MustParseLimit("3/7d")}, {OnePerWeek}},
			want:  []Limit{OnePerWeek},
		},
		{
			name:  "a looser preference changes nothing",
			lists: [][]Limit{{MustParseLimit("1/24h"), MustParseLimit("3/7d")}, {MustParseLimit("5/7d")}},
			want:  []Limit{MustParseLimit("1/24h"), MustParseLimit("3/7d")},
		},
		{
			name:  "duplicates kept once",
			lists: [][]Limit{{OnePerWeek}, {OnePerWeek}},
			want:  []Limit{OnePerWeek},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Strictest(tt.lists...)); diff != "" {
				t.Errorf("Strictest (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCombine(t *testing.T) {
	got := Combine("birthday",
		[]Limit{MustParseLimit("1/24h"), MustParseLimit("3/7d")},
		[]Limit{MustParseLimit("1/365d")},
		[]Limit{OnePerMonth})
	want := []Scoped{
		{Scope: GlobalScope, Limit: OnePerMonth},
		{Scope: "campaign:birthday", Limit: MustParseLimit("1/365d")},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Combine (-want +got):\n%s", diff)
	}
}
