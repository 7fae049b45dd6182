package consent

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// Action is what a link does; a token made for one action is refused by the
// others.
type Action string

const (
	ActionUnsubscribe Action = "u"
	ActionPreferences Action = "p"
	ActionWhy         Action = "w"
	ActionSurvey      Action = "s"
)

func (a Action) valid() bool {
	switch a {
	case ActionUnsubscribe, ActionPreferences, ActionWhy, ActionSurvey:
		return true
	}
	return false
}

// DefaultTTL is how long preference, why and survey links stay valid.
const DefaultTTL = 180 * 24 * time.Hour

// Token is what a link says: who may do what, about which purpose and
// message, since when.
type Token struct {
	KeyID      string // set by Sign
	Action     Action
	CustomerID string
	Purpose    string
	MessageKey string
	IssuedAt   time.Time // kept to the second
}

// Every refusal wraps ErrInvalidToken, so callers can treat them all alike
// (and show one page for all of them); the specific error is for logs.
// ErrExpired alone comes with the token: its signature is good, so the
// person it was sent to may be offered a fresh one by email.
var (
	ErrInvalidToken = errors.New("invalid link token")
	ErrMalformed    = fmt.Errorf("%w: malformed", ErrInvalidToken)
	ErrUnknownKey   = fmt.Errorf("%w: unknown key id", ErrInvalidToken)
	ErrBadSignature = fmt.Errorf("%w: signature does not match", ErrInvalidToken)
	ErrWrongAction  = fmt.Errorf("%w: made for another action", ErrInvalidToken)
	ErrExpired      = fmt.Errorf("%w: expired", ErrInvalidToken)
)

// Signer signs and verifies link tokens with a list of keys, newest first.
type Signer struct {
	keys []Key
	byID map[string][]byte
	ttl  time.Duration
}

// NewSigner returns a Signer that signs with keys[0] and verifies with any of
// keys. Preference, why and survey tokens expire after DefaultTTL; see WithTTL.
func NewSigner(keys []Key) (*Signer, error) {
	if len(keys) == 0 {
		return nil, errors.New("link signer: no keys")
	}
	s := &Signer{keys: append([]Key(nil), keys...), byID: make(map[string][]byte, len(keys)), ttl: DefaultTTL}
	for _, k := range keys {
		if err := checkKeyID(k.ID); err != nil {
			return nil, fmt.Errorf("link signer: %w", err)
		}
		if len(k.Secret) < MinKeyBytes {
			return nil, fmt.Errorf("link signer: key %q has %d bytes, want at least %d", k.ID, len(k.Secret), MinKeyBytes)
		}
		if _, dup := s.byID[k.ID]; dup {
			return nil, fmt.Errorf("link signer: key id %q is listed twice", k.ID)
		}
		s.byID[k.ID] = k.Secret
	}
	return s, nil
}

// WithTTL returns a copy of the signer whose expiring tokens last d
// (d <= 0 keeps DefaultTTL). Unsubscribe tokens never expire whatever d is.
func (s *Signer) WithTTL(d time.Duration) *Signer {
	c := *s
	if d > 0 {
		c.ttl = d
	}
	return &c
}

// TTL is how long preference, why and survey tokens stay valid.
func (s *Signer) TTL() time.Duration { return s.ttl }

// tokenVersion is the first byte of every payload, so the format can change
// without old links being misread.
const tokenVersion = 1

// macSize is the length of the tag kept in a token: HMAC-SHA256 truncated to
// 128 bits (RFC 2104 §5), which keeps a link short and forging it hopeless.
const macSize = 16

// Sign returns the compact token for t, signed with the newest key.
func (s *Signer) Sign(t Token) string {
	k := s.keys[0]
	t.KeyID = k.ID
	payload := encodePayload(t)
	out := append(payload, mac(k.Secret, payload)...)
	return base64.RawURLEncoding.EncodeToString(out)
}

// tokenEncoding is the one spelling of a token: URL-safe base64 without
// padding, with the unused bits of the last character zero.
var tokenEncoding = base64.RawURLEncoding.Strict()

// Verify checks a token for the given action as of now and returns what it
// says. Any refusal wraps ErrInvalidToken; an expired token is returned
// with ErrExpired.
func (s *Signer) Verify(action Action, token string, now time.Time) (Token, error) {
	raw, err := decodeToken(token)
	if err != nil {
		return Token{}, err
	}
	payload, tag := raw[:len(raw)-macSize], raw[len(raw)-macSize:]
	t, err := decodePayload(payload)
	if err != nil {
		return Token{}, err
	}
	secret, ok := s.byID[t.KeyID]
	if !ok {
		return Token{}, ErrUnknownKey
	}
	if !hmac.Equal(tag, mac(secret, payload)) {
		return Token{}, ErrBadSignature
	}
	if t.Action != action {
		return Token{}, ErrWrongAction
	}
	if s.Expired(t, now) {
		return t, ErrExpired
	}
	return t, nil
}

// Expired reports whether t has outlived its life as of now. Unsubscribe
// tokens never do.
func (s *Signer) Expired(t Token, now time.Time) bool {
	return t.Action != ActionUnsubscribe && now.Sub(t.IssuedAt) > s.ttl
}

// Derive signs the token for another page of the same person, purpose and
// message as from. It keeps from's issue time, so a link made from another
// never outlives it: an unsubscribe link that never expires leads to a
// preference page that expires as if it had come in the same email.
func (s *Signer) Derive(from Token, a Action) string {
	return s.DeriveFor(from, a, from.MessageKey, from.Purpose)
}

// DeriveFor is Derive for another message of the same person (the
// preference page's list of messages), still with from's issue time.
func (s *Signer) DeriveFor(from Token, a Action, messageKey, purpose string) string {
	return s.Sign(Token{Action: a, CustomerID: from.CustomerID, Purpose: purpose, MessageKey: messageKey, IssuedAt: from.IssuedAt})
}

// decodeToken accepts exactly the spelling Sign writes: any other string
// that would decode to the same bytes (padding, non-zero trailing bits,
// line breaks the decoder skips) is refused.
func decodeToken(token string) ([]byte, error) {
	if len(token) > 2048 {
		return nil, ErrMalformed
	}
	raw, err := tokenEncoding.DecodeString(token)
	if err != nil || len(raw) < 1+macSize || tokenEncoding.EncodeToString(raw) != token {
		return nil, ErrMalformed
	}
	return raw, nil
}

func mac(secret, payload []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte("courtesy-link\x00"))
	h.Write(payload)
	return h.Sum(nil)[:macSize]
}

// encodePayload packs the token: version, key id, action, customer, purpose,
// message key (each length-prefixed) and the issue time in unix seconds.
func encodePayload(t Token) []byte {
	b := make([]byte, 0, 16+len(t.KeyID)+len(t.CustomerID)+len(t.Purpose)+len(t.MessageKey))
	b = append(b, tokenVersion)
	for _, s := range []string{t.KeyID, string(t.Action), t.CustomerID, t.Purpose, t.MessageKey} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return binary.AppendVarint(b, t.IssuedAt.Unix())
}

func decodePayload(b []byte) (Token, error) {
	if len(b) == 0 || b[0] != tokenVersion {
		return Token{}, ErrMalformed
	}
	b = b[1:]
	var fields [5]string
	for i := range fields {
		n, w := binary.Uvarint(b)
		if w <= 0 || n > uint64(len(b)-w) {
			return Token{}, ErrMalformed
		}
		fields[i] = string(b[w : w+int(n)])
		b = b[w+int(n):]
	}
	sec, w := binary.Varint(b)
	if w <= 0 || w != len(b) {
		return Token{}, ErrMalformed
	}
	t := Token{
		KeyID:      fields[0],
		Action:     Action(fields[1]),
		CustomerID: fields[2],
		Purpose:    fields[3],
		MessageKey: fields[4],
		IssuedAt:   time.Unix(sec, 0).UTC(),
	}
	if !t.Action.valid() || t.CustomerID == "" {
		return Token{}, ErrMalformed
	}
	return t, nil
}
