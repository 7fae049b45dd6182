package consent

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestTokensHaveOneSpelling: a token decodes to its bytes from one string
// only. Padding, non-zero trailing bits, standard-alphabet characters and
// line breaks would each make another string that verifies as the same link.
func TestTokensHaveOneSpelling(t *testing.T) {
	s := mustSigner(t, mustKey(t, "k1", 1))
	var good string
	for i := 0; ; i++ {
		// A length whose last character carries unused bits.
		tok := sample(ActionUnsubscribe)
		tok.MessageKey += strings.Repeat("x", i)
		if good = s.Sign(tok); len(good)%4 != 0 {
			break
		}
	}
	if _, err := s.Verify(ActionUnsubscribe, good, issued); err != nil {
		t.Fatalf("the signed spelling is refused: %v", err)
	}
	last := strings.IndexByte(urlAlphabet, good[len(good)-1])
	sibling := good[:len(good)-1] + string(urlAlphabet[last+1])
	variants := map[string]string{
		"padded":              good + strings.Repeat("=", (4-len(good)%4)%4),
		"trailing bits set":   sibling,
		"line break inside":   good[:10] + "\n" + good[10:],
		"carriage return":     good[:10] + "\r" + good[10:],
		"trailing line break": good + "\r\n",
	}
	for name, v := range variants {
		t.Run(name, func(t *testing.T) {
			if v == good {
				t.Fatal("the variant is the token itself")
			}
			if got, err := s.Verify(ActionUnsubscribe, v, issued); !errors.Is(err, ErrMalformed) {
				t.Errorf("Verify(%q) = %+v, %v; want ErrMalformed", v, got, err)
			}
		})
	}
}

const urlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// TestExpiredTokenSaysWhoItWasFor: past its life a preference token is
// still refused, but with what it says, so the page can offer to email a
// fresh link to the person it was sent to.
func TestExpiredTokenSaysWhoItWasFor(t *testing.T) {
	s := mustSigner(t, mustKey(t, "k1", 1))
	tok, err := s.Verify(ActionPreferences, s.Sign(sample(ActionPreferences)), issued.Add(DefaultTTL+time.Second))
	if !errors.Is(err, ErrExpired) || !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("err = %v, want ErrExpired", err)
	}
	if tok.CustomerID != sample(ActionPreferences).CustomerID {
		t.Errorf("expired token = %+v, want the customer it names", tok)
	}
	if tok, err := s.Verify(ActionPreferences, mustSigner(t, mustKey(t, "k1", 2)).Sign(sample(ActionPreferences)), issued.Add(DefaultTTL+time.Second)); err == nil || tok.CustomerID != "" {
		t.Errorf("a forged expired token: %+v, %v; want nothing", tok, err)
	}
}

// TestDerivedLinksInheritTheIssueTime: a preference link made from a
// never-expiring unsubscribe link of March expires when one sent in March
// would, however late it is made.
func TestDerivedLinksInheritTheIssueTime(t *testing.T) {
	s := mustSigner(t, mustKey(t, "k1", 1))
	march := sample(ActionUnsubscribe)
	unsub, err := s.Verify(ActionUnsubscribe, s.Sign(march), issued.AddDate(3, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	prefs := s.Derive(unsub, ActionPreferences)
	if _, err := s.Verify(ActionPreferences, prefs, issued.Add(DefaultTTL-time.Second)); err != nil {
		t.Errorf("derived link within the original's life: %v", err)
	}
	if _, err := s.Verify(ActionPreferences, prefs, issued.AddDate(3, 0, 0)); !errors.Is(err, ErrExpired) {
		t.Errorf("derived link three years on: %v, want ErrExpired", err)
	}
	other, err := s.Verify(ActionWhy, s.DeriveFor(unsub, ActionWhy, "other:c-1:2", "surveys"), issued)
	if err != nil || !other.IssuedAt.Equal(march.IssuedAt) || other.MessageKey != "other:c-1:2" || other.Purpose != "surveys" {
		t.Errorf("DeriveFor = %+v, %v; want the other message, the original issue time", other, err)
	}
}
