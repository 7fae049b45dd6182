package consent

import (
	"bytes"
	"encoding/base64"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func mustKey(tb testing.TB, id string, fill byte) Key {
	tb.Helper()
	return Key{ID: id, Secret: bytes.Repeat([]byte{fill}, 32)}
}

func mustSigner(tb testing.TB, keys ...Key) *Signer {
	tb.Helper()
	s, err := NewSigner(keys)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

var issued = time.Date(2026, 11, 1, 9, 30, 0, 0, time.UTC)

func sample(a Action) Token {
	return Token{Action: a, CustomerID: "cust-42", Purpose: "birthday", MessageKey: "birthday-treat:cust-42:2026", IssuedAt: issued}
}

func TestSignVerifyRoundTrip(t *testing.T) {
	s := mustSigner(t, mustKey(t, "k2", 2), mustKey(t, "k1", 1))
	for _, a := range []Action{ActionUnsubscribe, ActionPreferences, ActionWhy, ActionSurvey} {
		tok := s.Sign(sample(a))
		got, err := s.Verify(a, tok, issued.Add(time.Hour))
		if err != nil {
			t.Fatalf("Verify(%s): %v", a, err)
		}
		want := sample(a)
		want.KeyID = "k2"
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Verify(%s) (-want +got):\n%s", a, diff)
		}
		if strings.ContainsAny(tok, "/+=?#") {
			t.Errorf("token %q is not path-safe", tok)
		}
	}
}

func TestVerifyRefuses(t *testing.T) {
	s := mustSigner(t, mustKey(t, "k1", 1))
	good := s.Sign(sample(ActionPreferences))
	stranger := mustSigner(t, mustKey(t, "k9", 9)).Sign(sample(ActionPreferences))
	sameIDOtherSecret := mustSigner(t, mustKey(t, "k1", 7)).Sign(sample(ActionPreferences))
	tests := []struct {
		name   string
		action Action
		token  string
		now    time.Time
		want   error
	}{
		{name: "wrong action", action: ActionUnsubscribe, token: good, now: issued, want: ErrWrongAction},
		{name: "unknown key", action: ActionPreferences, token: stranger, now: issued, want: ErrUnknownKey},
		{name: "same id, other secret", action: ActionPreferences, token: sameIDOtherSecret, now: issued, want: ErrBadSignature},
		{name: "expired", action: ActionPreferences, token: good, now: issued.Add(DefaultTTL + time.Second), want: ErrExpired},
		{name: "not base64", action: ActionPreferences, token: "***", now: issued, want: ErrMalformed},
		{name: "empty", action: ActionPreferences, token: "", now: issued, want: ErrMalformed},
		{name: "truncated", action: ActionPreferences, token: good[:len(good)-3], now: issued, want: ErrInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Verify(tt.action, tt.token, tt.now)
			if !errors.Is(err, tt.want) || !errors.Is(err, ErrInvalidToken) {
				t.Errorf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestVerifyRefusesEveryFlippedByte(t *testing.T) {
	s := mustSigner(t, mustKey(t, "k1", 1))
	raw, err := base64.RawURLEncoding.DecodeString(s.Sign(sample(ActionUnsubscribe)))
	if err != nil {
		t.Fatal(err)
	}
	for i := range raw {
		for _, bit := range []byte{0x01, 0x80} {
			b := bytes.Clone(raw)
			b[i] ^= bit
			if got, err := s.Verify(ActionUnsubscribe, base64.RawURLEncoding.EncodeToString(b), issued); err == nil {
				t.Errorf("byte %d bit %#x flipped: accepted as %+v", i, bit, got)
			}
		}
	}
}

func TestUnsubscribeNeverExpires(t *testing.T) {
	s := mustSigner(t, mustKey(t, "k1", 1)).WithTTL(time.Hour)
	tok := s.Sign(sample(ActionUnsubscribe))
	if _, err := s.Verify(ActionUnsubscribe, tok, issued.AddDate(10, 0, 0)); err != nil {
		t.Errorf("ten-year-old unsubscribe link refused: %v", err)
	}
	why := s.Sign(sample(ActionWhy))
	if _, err := s.Verify(ActionWhy, why, issued.Add(2*time.Hour)); !errors.Is(err, ErrExpired) {
		t.Errorf("why link past a 1h TTL: %v, want ErrExpired", err)
	}
}

func TestRotation(t *testing.T) {
	old := mustKey(t, "2025", 1)
	oldSigner := mustSigner(t, old)
	tok := oldSigner.Sign(sample(ActionUnsubscribe))

	rotated := mustSigner(t, mustKey(t, "2026", 2), old)
	got, err := rotated.Verify(ActionUnsubscribe, tok, issued)
	if err != nil {
		t.Fatalf("token from the previous key refused after rotation: %v", err)
	}
	if got.KeyID != "2025" {
		t.Errorf("KeyID = %q, want 2025", got.KeyID)
	}
	if newTok, _ := rotated.Verify(ActionUnsubscribe, rotated.Sign(sample(ActionUnsubscribe)), issued); newTok.KeyID != "2026" {
		t.Errorf("rotated signer signs with %q, want the newest key 2026", newTok.KeyID)
	}
	retired := mustSigner(t, mustKey(t, "2026", 2))
	if _, err := retired.Verify(ActionUnsubscribe, tok, issued); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("token of a removed key: %v, want ErrUnknownKey", err)
	}
}

func TestLinks(t *testing.T) {
	s := mustSigner(t, mustKey(t, "k1", 1))
	ls := s.Links("https://crumb.example/", "cust-42", "surveys", "nps:cust-42:o-1", issued)
	check := func(link, prefix string, a Action) {
		t.Helper()
		u, err := url.Parse(link)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(link, prefix) {
			t.Fatalf("link %q does not start with %q", link, prefix)
		}
		tok := strings.TrimPrefix(u.Path, strings.TrimPrefix(prefix, "https://crumb.example"))
		got, err := s.Verify(a, tok, issued)
		if err != nil {
			t.Fatalf("%s: %v", link, err)
		}
		if got.CustomerID != "cust-42" || got.Purpose != "surveys" || got.MessageKey != "nps:cust-42:o-1" {
			t.Errorf("%s carries %+v", link, got)
		}
	}
	check(ls.Unsubscribe, "https://crumb.example/u/", ActionUnsubscribe)
	check(ls.Preferences, "https://crumb.example/p/", ActionPreferences)
	check(ls.Why, "https://crumb.example/why/", ActionWhy)
	for n, link := range ls.Survey {
		check(link, "https://crumb.example/s/", ActionSurvey)
		u, _ := url.Parse(link)
		if got := u.Query().Get("score"); got != strconv.Itoa(n) {
			t.Errorf("survey link %d has score %q", n, got)
		}
	}
}

func TestParseKeys(t *testing.T) {
	k32 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))
	k32url := base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{0xfb}, 40))
	tests := []struct {
		name    string
		in      string
		wantIDs []string
		wantErr string
	}{
		{name: "two keys newest first", in: "new:" + k32url + ", old:" + k32, wantIDs: []string{"new", "old"}},
		{name: "empty", in: " ", wantErr: "none given"},
		{name: "short key", in: "k:" + base64.StdEncoding.EncodeToString([]byte("short")), wantErr: "at least 32"},
		{name: "no colon", in: k32, wantErr: "not id:base64key"},
		{name: "not base64", in: "k:!!!", wantErr: "not base64"},
		{name: "duplicate", in: "k:" + k32 + ",k:" + k32, wantErr: "twice"},
		{name: "bad id", in: "a b:" + k32, wantErr: "key id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys, err := ParseKeys(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseKeys error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, k := range keys {
				ids = append(ids, k.ID)
			}
			if diff := cmp.Diff(tt.wantIDs, ids); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGenerateKeyRoundTrips(t *testing.T) {
	k, err := GenerateKey("demo")
	if err != nil {
		t.Fatal(err)
	}
	keys, err := ParseKeys(k.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Key{k}, keys); diff != "" {
		t.Errorf("ParseKeys(Encode()) (-want +got):\n%s", diff)
	}
	other, _ := GenerateKey("demo")
	if bytes.Equal(k.Secret, other.Secret) {
		t.Error("two generated keys are equal")
	}
}

func TestNewSignerRefusesWeakKeys(t *testing.T) {
	if _, err := NewSigner(nil); err == nil {
		t.Error("NewSigner(nil) accepted")
	}
	if _, err := NewSigner([]Key{{ID: "k", Secret: []byte("short")}}); err == nil {
		t.Error("NewSigner accepted a 5-byte key")
	}
}

func BenchmarkVerify(b *testing.B) {
	s := mustSigner(b, mustKey(b, "k1", 1))
	tok := s.Sign(sample(ActionUnsubscribe))
	for b.Loop() {
		if _, err := s.Verify(ActionUnsubscribe, tok, issued); err != nil {
			b.Fatal(err)
		}
	}
}
