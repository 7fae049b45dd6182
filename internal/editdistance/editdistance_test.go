package editdistance

import "testing"

func TestDistance(t *testing.T) {
	tests := []struct {
		name, a, b string
		want       int
	}{
		{"same", "subject", "subject", 0},
		{"empty", "", "abc", 3},
		{"both empty", "", "", 0},
		{"one replaced", "subjekt", "subject", 1},
		{"one missing", "subjet", "subject", 1},
		{"one extra", "subjectt", "subject", 1},
		{"adjacent swap is one edit", "sbuject", "subject", 1},
		{"swap and a replacement", "sbujekt", "subject", 2},
		{"characters, not bytes", "prénom", "prenom", 1},
		{"far apart", "html", "max_per_second", 14},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Distance(tt.a, tt.b); got != tt.want {
				t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
			if got := Distance(tt.b, tt.a); got != tt.want {
				t.Errorf("Distance(%q, %q) = %d, want %d (not symmetric)", tt.b, tt.a, got, tt.want)
			}
		})
	}
}
