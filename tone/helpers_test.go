package tone

import "testing"

// MustNew builds a checker or fails the test.
func MustNew(tb testing.TB, profile string, rules ...Rule) *Checker {
	tb.Helper()
	c, err := New(profile, rules...)
	if err != nil {
		tb.Fatalf("New(%q): %v", profile, err)
	}
	return c
}
