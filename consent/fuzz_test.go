package consent

import (
	"errors"
	"testing"
)

// FuzzVerify checks that no input panics Verify, and that whatever it accepts
// (or returns as expired) re-signs to the very same token: nothing but an
// exact signature, in its one spelling, passes.
func FuzzVerify(f *testing.F) {
	s := mustSigner(f, mustKey(f, "k1", 1))
	f.Add(s.Sign(sample(ActionUnsubscribe)))
	f.Add(s.Sign(sample(ActionSurvey)))
	good := s.Sign(sample(ActionSurvey))
	f.Add(good + "=")
	f.Add(good[:len(good)-1] + "B")
	f.Add("")
	f.Add("AQ")
	f.Fuzz(func(t *testing.T, tok string) {
		for _, a := range []Action{ActionUnsubscribe, ActionSurvey} {
			// Far enough on, the survey token has expired: what comes back
			// with ErrExpired must have one spelling too.
			got, err := s.Verify(a, tok, issued.Add(DefaultTTL*2))
			if err != nil && !errors.Is(err, ErrExpired) {
				continue
			}
			if again := s.Sign(got); again != tok {
				t.Fatalf("accepted %q, which re-signs as %q", tok, again)
			}
		}
	})
}
