package consent

import (
	"testing"
)

// FuzzVerify checks that no input panics Verify, and that whatever it accepts
// re-signs to the very same token: nothing but an exact signature passes.
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
			got, err := s.Verify(a, tok, issued)
			if err != nil {
				continue
			}
			if again := s.Sign(got); again != tok {
				t.Fatalf("accepted %q, which re-signs as %q", tok, again)
			}
		}
	})
}
