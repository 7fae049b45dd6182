package report

import "testing"

func TestTheme(t *testing.T) {
	for _, tc := range []struct{ reason, comment, want string }{
		{"too-many", "", ThemeTooMany},
		{"not-relevant", "too many emails", ThemeNotRelevant}, // the chosen reason wins
		{"", "Way too many emails lately", ThemeTooMany},
		{"", "I get these EVERY DAY", ThemeTooMany},
		{"", "Not interested in cakes", ThemeNotRelevant},
		{"", "It felt creepy that you knew my birthday", ThemeIntrusive},
		{"", "too personal, and too many", ThemeIntrusive},
		{"", "Lovely bread", ThemeOther},
		{"other", "", ThemeOther},
		{"", "", ThemeOther},
	} {
		if got := Theme(tc.reason, tc.comment); got != tc.want {
			t.Errorf("Theme(%q, %q) = %q, want %q", tc.reason, tc.comment, got, tc.want)
		}
	}
}
