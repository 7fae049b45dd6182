package consent

import (
	"strconv"
	"strings"
	"time"
)

// LinkSet is every link a message carries, each with its own token.
type LinkSet struct {
	Unsubscribe string     // {base}/u/{token}: the List-Unsubscribe URL and the footer link
	Preferences string     // {base}/p/{token}
	Why         string     // {base}/why/{token}
	Survey      [11]string // {base}/s/{token}?score=N for N = 0…10
}

// Links builds the links for one message to one customer. purpose is the
// message's consent purpose: the one the unsubscribe link withdraws.
func (s *Signer) Links(baseURL, customerID, purpose, messageKey string, now time.Time) LinkSet {
	base := strings.TrimRight(baseURL, "/")
	tok := func(a Action) string {
		return s.Sign(Token{Action: a, CustomerID: customerID, Purpose: purpose, MessageKey: messageKey, IssuedAt: now})
	}
	ls := LinkSet{
		Unsubscribe: base + "/u/" + tok(ActionUnsubscribe),
		Preferences: base + "/p/" + tok(ActionPreferences),
		Why:         base + "/why/" + tok(ActionWhy),
	}
	survey := base + "/s/" + tok(ActionSurvey) + "?score="
	for n := range ls.Survey {
		ls.Survey[n] = survey + strconv.Itoa(n)
	}
	return ls
}
