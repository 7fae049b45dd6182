package signup

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/consent"
)

// Token is a sign-up on its way to being confirmed: the request, the notice
// the person was shown and when the confirmation was asked for.
type Token struct {
	Request
	NoticeVersion string
	// NoticeHash is NoticeDigest of the notice text shown, so a wording
	// changed under the same version is noticed at the confirmation.
	NoticeHash string
	// NoticeLocale is the locale of the notice text shown, when the shop
	// writes it per locale; "" for its default text.
	NoticeLocale string
	IssuedAt     time.Time // kept to the second
}

// Every refusal wraps ErrInvalid: a page shows one answer for all of them.
var (
	ErrInvalid   = errors.New("invalid sign-up token")
	errMalformed = fmt.Errorf("%w: malformed", ErrInvalid)
	errUnknown   = fmt.Errorf("%w: unknown key id", ErrInvalid)
	errForged    = fmt.Errorf("%w: does not authenticate", ErrInvalid)
	errExpired   = fmt.Errorf("%w: expired", ErrInvalid)
)

// Sealer seals and opens sign-up tokens with keys derived from the link
// keys, newest first. A token is encrypted as well as signed: it carries an
// address, a name and a birthday, and a link ends up in logs.
type Sealer struct {
	keys []sealKey
	byID map[string]sealKey
	ttl  time.Duration
}

type sealKey struct {
	id      string
	aead    cipher.AEAD
	address []byte // keys the HMAC that stands for an address in Redis
}

// NewSealer returns a Sealer that seals with keys[0] and opens with any of
// keys. Tokens last TTL.
func NewSealer(keys []consent.Key) (*Sealer, error) {
	if len(keys) == 0 {
		return nil, errors.New("sign-up tokens: no keys")
	}
	s := &Sealer{byID: map[string]sealKey{}, ttl: TTL}
	for _, k := range keys {
		if len(k.Secret) < consent.MinKeyBytes || k.ID == "" || len(k.ID) > 32 {
			return nil, fmt.Errorf("sign-up tokens: key %q is not a link key", k.ID)
		}
		block, err := aes.NewCipher(derive(k.Secret, "courtesy-signup-token"))
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		sk := sealKey{id: k.ID, aead: aead, address: derive(k.Secret, "courtesy-signup-address")}
		s.keys = append(s.keys, sk)
		s.byID[k.ID] = sk
	}
	return s, nil
}

func derive(secret []byte, label string) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(label))
	return h.Sum(nil)
}

// TTL is how long a token opens.
func (s *Sealer) TTL() time.Duration { return s.ttl }

// AddressKey stands for an address where one must be counted without being
// kept, such as the per-address limits in Redis: a keyed hash, so the
// address cannot be recovered from it by trying candidates.
func (s *Sealer) AddressKey(email string) string {
	h := hmac.New(sha256.New, s.keys[0].address)
	h.Write([]byte(NormalAddress(email)))
	return hex.EncodeToString(h.Sum(nil)[:20])
}

// CustomerID is the id a new customer made by a sign-up gets: the same for
// the same address, so two confirmations cannot make two customers.
func (s *Sealer) CustomerID(email string) string {
	h := hmac.New(sha256.New, s.keys[0].address)
	h.Write([]byte("customer-id\x00"))
	h.Write([]byte(NormalAddress(email)))
	return "su-" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(h.Sum(nil)[:10]))
}

// NoticeDigest is a short digest of a notice's text.
func NoticeDigest(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:8])
}

// A version 1 token carries no NoticeLocale: it was made under the
// default text, and still opens.
const (
	tokenVersion = 2
	maxToken     = 2048
	maxPurposes  = 32
	maxField     = 512
)

// Seal returns the token for t, sealed with the newest key.
func (s *Sealer) Seal(t Token) string { return s.seal(tokenVersion, encode(t)) }

// seal seals an encoded token of version with the newest key.
func (s *Sealer) seal(version byte, plain []byte) string {
	k := s.keys[0]
	header := append([]byte{version, byte(len(k.id))}, k.id...)
	nonce := make([]byte, k.aead.NonceSize())
	_, _ = rand.Read(nonce) // crypto/rand does not fail
	out := append(header, nonce...)
	out = k.aead.Seal(out, nonce, plain, header)
	return base64.RawURLEncoding.EncodeToString(out)
}

var strictBase64 = base64.RawURLEncoding.Strict()

// Open checks a token as of now and returns what it carries. Any refusal
// wraps ErrInvalid.
func (s *Sealer) Open(token string, now time.Time) (Token, error) {
	// Only the exact encoding is accepted: the decoder would skip line
	// breaks and let many strings pass for one token.
	if len(token) > maxToken || strings.ContainsAny(token, "\r\n") {
		return Token{}, errMalformed
	}
	raw, err := strictBase64.DecodeString(token)
	if err != nil || len(raw) < 2 {
		return Token{}, errMalformed
	}
	if (raw[0] != tokenVersion && raw[0] != 1) || len(raw) < 2+int(raw[1]) {
		return Token{}, errMalformed
	}
	header := raw[:2+int(raw[1])]
	k, ok := s.byID[string(header[2:])]
	if !ok {
		return Token{}, errUnknown
	}
	rest := raw[len(header):]
	if len(rest) < k.aead.NonceSize()+k.aead.Overhead() {
		return Token{}, errMalformed
	}
	nonce, sealed := rest[:k.aead.NonceSize()], rest[k.aead.NonceSize():]
	plain, err := k.aead.Open(nil, nonce, sealed, header)
	if err != nil {
		return Token{}, errForged
	}
	t, err := decode(plain, raw[0])
	if err != nil {
		return Token{}, err
	}
	if now.Sub(t.IssuedAt) > s.ttl || t.IssuedAt.After(now.Add(time.Minute)) {
		return Token{}, errExpired
	}
	return t, nil
}

// encode packs a token: each string length-prefixed, the purposes counted,
// the birthday as two bytes, the issue time in unix seconds.
func encode(t Token) []byte {
	var b []byte
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	for _, s := range []string{t.Email, t.FirstName, t.Locale, t.NoticeVersion, t.NoticeHash, t.NoticeLocale} {
		str(s)
	}
	b = binary.AppendUvarint(b, uint64(len(t.Purposes)))
	for _, p := range t.Purposes {
		str(p)
	}
	b = append(b, byte(t.Birthday.Month), byte(t.Birthday.Day))
	return binary.AppendVarint(b, t.IssuedAt.Unix())
}

func decode(b []byte, version byte) (Token, error) {
	str := func() (string, bool) {
		n, w := binary.Uvarint(b)
		if w <= 0 || n > maxField || n > uint64(len(b)-w) {
			return "", false
		}
		s := string(b[w : w+int(n)])
		b = b[w+int(n):]
		return s, utf8.ValidString(s)
	}
	var f [6]string
	fields := f[:]
	if version == 1 {
		fields = f[:5]
	}
	for i := range fields {
		var ok bool
		if f[i], ok = str(); !ok {
			return Token{}, errMalformed
		}
	}
	t := Token{Request: Request{Email: f[0], FirstName: f[1], Locale: f[2]}, NoticeVersion: f[3], NoticeHash: f[4], NoticeLocale: f[5]}
	n, w := binary.Uvarint(b)
	if w <= 0 || n == 0 || n > maxPurposes {
		return Token{}, errMalformed
	}
	b = b[w:]
	for range n {
		p, ok := str()
		if !ok || p == "" {
			return Token{}, errMalformed
		}
		t.Purposes = append(t.Purposes, p)
	}
	if len(b) < 2 {
		return Token{}, errMalformed
	}
	bday := b[0:2]
	b = b[2:]
	if bday[0] != 0 || bday[1] != 0 {
		md, err := courtesy.ParseMonthDay(fmt.Sprintf("%02d-%02d", bday[0], bday[1]))
		if err != nil {
			return Token{}, errMalformed
		}
		t.Birthday = md
	}
	sec, w := binary.Varint(b)
	if w <= 0 || w != len(b) {
		return Token{}, errMalformed
	}
	t.IssuedAt = time.Unix(sec, 0).UTC()
	if code, _ := checkEmail(t.Email); code != "" {
		return Token{}, errMalformed
	}
	return t, nil
}
