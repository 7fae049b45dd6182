package report

import "strings"

// Themes of feedback, as the unsubscribe page offers them.
const (
	ThemeTooMany     = "too-many"
	ThemeNotRelevant = "not-relevant"
	ThemeIntrusive   = "intrusive"
	ThemeOther       = "other"
)

// themeWords classifies free text by keyword, first match wins: a short
// list the owner can read, not a model. Intrusive comes first because
// "too personal" should not count as "too many".
var themeWords = []struct {
	theme string
	words []string
}{
	{ThemeIntrusive, []string{"intrusive", "creepy", "privacy", "private", "too personal", "stalk", "invasive",
		"pushy", "uncomfortable", "how did you get", "how do you know", "none of your business", "unsolicited"}},
	{ThemeTooMany, []string{"too many", "too often", "too much", "so many", "every day", "every week", "daily",
		"constant", "frequent", "spam", "flood", "again and again", "bombard", "nonstop", "non-stop"}},
	{ThemeNotRelevant, []string{"not relevant", "irrelevant", "not interested", "don't need", "do not need",
		"not for me", "never bought", "never ordered", "no longer", "doesn't apply", "does not apply",
		"wrong person", "moved away", "don't care", "useless"}},
}

// Theme classifies a piece of feedback: a reason chosen on the unsubscribe
// page is taken as it is; free text is matched against the keyword list.
func Theme(reason, comment string) string {
	switch reason {
	case ThemeTooMany, ThemeNotRelevant, ThemeIntrusive:
		return reason
	}
	text := strings.ToLower(comment)
	for _, t := range themeWords {
		for _, w := range t.words {
			if strings.Contains(text, w) {
				return t.theme
			}
		}
	}
	return ThemeOther
}

// Themes tallies feedback by theme.
type Themes struct {
	TooMany     int `json:"too_many"`
	NotRelevant int `json:"not_relevant"`
	Intrusive   int `json:"intrusive"`
	Other       int `json:"other"`
}

func (t *Themes) add(theme string) {
	switch theme {
	case ThemeTooMany:
		t.TooMany++
	case ThemeNotRelevant:
		t.NotRelevant++
	case ThemeIntrusive:
		t.Intrusive++
	default:
		t.Other++
	}
}
