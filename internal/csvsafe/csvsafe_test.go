package csvsafe_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy/internal/csvsafe"
)

func TestCell(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"formula", `=HYPERLINK("http://evil.example","click")`, `'=HYPERLINK("http://evil.example","click")`},
		{"plus", "+1+1", "'+1+1"},
		{"minus", "-2+3", "'-2+3"},
		{"at", "@SUM(A1)", "'@SUM(A1)"},
		{"tab", "\t=1", "'\t=1"},
		{"carriage return", "\r=1", "'\r=1"},
		{"plain text", "lovely cakes", "lovely cakes"},
		{"formula later in the cell", "see =A1", "see =A1"},
		{"time", "2026-11-28 09:30:00Z", "2026-11-28 09:30:00Z"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := csvsafe.Cell(tt.in); got != tt.want {
				t.Errorf("Cell(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestRecordLeavesItsArgumentAlone(t *testing.T) {
	row := []string{"c001", "=1+1"}
	got := csvsafe.Record(row)
	if diff := cmp.Diff([]string{"c001", "'=1+1"}, got); diff != "" {
		t.Errorf("Record (-want +got):\n%s", diff)
	}
	if row[1] != "=1+1" {
		t.Errorf("Record changed its argument: %q", row)
	}
}
