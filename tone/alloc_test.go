//go:build !race

// The race detector makes sync.Pool drop items on purpose, so allocation
// counts are only meaningful without it.

package tone

import "testing"

func TestCleanCheckAllocatesLittle(t *testing.T) {
	c := MustNew(t, "warm")
	ctx := Context{Kind: "birthday", BusinessName: "Crumb & Co.", Personal: []string{"Anna"}}
	text := typicalMessage()
	if got := c.Check(ctx, text); len(got) != 0 {
		t.Fatalf("the typical message raised %v", rulesOf(got))
	}
	if n := testing.AllocsPerRun(100, func() { c.Check(ctx, text) }); n > 1 {
		t.Errorf("Check of a clean message allocates %.0f times, want at most 1", n)
	}
}
