package signup

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/consent"
)

var (
	keyNew = consent.Key{ID: "2026", Secret: bytes.Repeat([]byte{0x26}, 32)}
	keyOld = consent.Key{ID: "2025", Secret: bytes.Repeat([]byte{0x25}, 32)}
	at     = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
)

func mustSealer(tb testing.TB, keys ...consent.Key) *Sealer {
	tb.Helper()
	s, err := NewSealer(keys)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func sample() Token {
	return Token{
		Request: Request{Email: "ada@example.com", FirstName: "Ada", Birthday: courtesy.MonthDay{Month: time.March, Day: 14},
			Locale: "en-GB", Purposes: []string{"birthday", "surveys"}},
		NoticeVersion: "2026-11", NoticeHash: NoticeDigest("We write about what you tick."), IssuedAt: at,
	}
}

func TestTokenCarriesTheSignUp(t *testing.T) {
	s := mustSealer(t, keyNew)
	tok := s.Seal(sample())
	got, err := s.Open(tok, at.Add(TTL))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sample(), got); diff != "" {
		t.Errorf("opened token (-want +got):\n%s", diff)
	}
	if strings.Contains(tok, "ada") || strings.Contains(string(mustDecode(t, tok)), "ada@example.com") {
		t.Errorf("the token shows the address: %s", tok)
	}
}

// TestTokenCarriesTheNoticeLocale: the locale of the notice shown comes
// back, and a token made before tokens carried one still opens, with none.
func TestTokenCarriesTheNoticeLocale(t *testing.T) {
	s := mustSealer(t, keyNew)
	want := sample()
	want.NoticeLocale = "de"
	got, err := s.Open(s.Seal(want), at)
	if err != nil || got.NoticeLocale != "de" {
		t.Fatalf("opened %q, %v; want de", got.NoticeLocale, err)
	}
	// Version 1 wrote five strings where version 2 writes six: drop the
	// sixth, empty, so one zero length byte.
	plain := encode(sample())
	var five []byte
	for _, f := range []string{sample().Email, sample().FirstName, sample().Locale, sample().NoticeVersion, sample().NoticeHash} {
		five = append(binary.AppendUvarint(five, uint64(len(f))), f...)
	}
	if plain[len(five)] != 0 {
		t.Fatalf("the sixth string is not where version 1 had none")
	}
	v1 := append(append([]byte{}, plain[:len(five)]...), plain[len(five)+1:]...)
	old, err := s.Open(s.seal(1, v1), at)
	if err != nil {
		t.Fatalf("a version 1 token: %v", err)
	}
	if diff := cmp.Diff(sample(), old); diff != "" {
		t.Errorf("version 1 token (-want +got):\n%s", diff)
	}
}

func mustDecode(tb testing.TB, tok string) []byte {
	tb.Helper()
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestTokenRefusals(t *testing.T) {
	s := mustSealer(t, keyNew, keyOld)
	tok := s.Seal(sample())
	old := mustSealer(t, keyOld).Seal(sample())
	if _, err := s.Open(old, at); err != nil {
		t.Errorf("a token of an older key still listed: %v", err)
	}
	raw := mustDecode(t, tok)
	for i := range raw {
		b := bytes.Clone(raw)
		b[i] ^= 0x01
		if _, err := s.Open(base64.RawURLEncoding.EncodeToString(b), at); !errors.Is(err, ErrInvalid) {
			t.Fatalf("byte %d flipped: err = %v, want ErrInvalid", i, err)
		}
	}
	for name, tc := range map[string]struct {
		tok string
		now time.Time
	}{
		"expired":           {tok, at.Add(TTL + time.Second)},
		"from the future":   {tok, at.Add(-time.Hour)},
		"unknown key":       {mustSealer(t, consent.Key{ID: "x", Secret: bytes.Repeat([]byte{1}, 32)}).Seal(sample()), at},
		"line break":        {tok[:10] + "\n" + tok[10:], at},
		"padded":            {tok + "=", at},
		"truncated":         {tok[:len(tok)-2], at},
		"empty":             {"", at},
		"too long":          {strings.Repeat("A", maxToken+1), at},
		"non-canonical b64": {tok[:len(tok)-1] + nonCanonical(tok[len(tok)-1]), at},
	} {
		if _, err := s.Open(tc.tok, tc.now); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
}

// nonCanonical returns another base64 character that decodes to the same
// bytes when the last character carries unused bits, or a bad one.
func nonCanonical(c byte) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, c)
	return string(alphabet[i^1])
}

func TestAddressKeyIsKeyedAndNormal(t *testing.T) {
	a, b := mustSealer(t, keyNew), mustSealer(t, keyOld)
	if a.AddressKey("Ada@Example.com ") != a.AddressKey("ada@example.com") {
		t.Error("the same address in other case gets another key")
	}
	if a.AddressKey("ada@example.com") == b.AddressKey("ada@example.com") {
		t.Error("the address key does not depend on the secret")
	}
	if a.CustomerID("ada@example.com") != a.CustomerID("ADA@example.com") || a.CustomerID("ada@example.com") == a.CustomerID("bob@example.com") {
		t.Error("customer ids are not one per address")
	}
}

func BenchmarkSealAndOpen(b *testing.B) {
	s := mustSealer(b, keyNew)
	t := sample()
	for b.Loop() {
		if _, err := s.Open(s.Seal(t), at); err != nil {
			b.Fatal(err)
		}
	}
}
