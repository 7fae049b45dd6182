package feedback

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"

	"github.com/courtesyhq/courtesy/consent"
)

// VERP makes and reads the signed envelope senders of messages,
// "local+<mac>-<message key>-<key id>@domain" for a configured return path
// "local@domain". The mac is the first 8 bytes of HMAC-SHA256 over the
// message key under the link key named, in unpadded base32: anyone can
// guess a message key, nobody without the key can sign one, so a forged
// report cannot name a message by its return path. Some servers fold the
// local part to lower case, so nothing in it depends on case: the key and
// the key id keep their lower-case letters, digits and '-' as they are, a
// ':' becomes '.', and any other byte is written "=xx" in hex.
type VERP struct {
	// ReturnPath is the configured envelope sender. Empty: no VERP.
	ReturnPath string
	// Keys sign and verify, newest first: the first signs, every one
	// verifies, so a bounce of a message signed with a key since replaced
	// still names its message. None: no VERP is made, and none is
	// trusted.
	Keys []consent.Key
}

// Errors of VERP.MessageKey.
var (
	// ErrNotVERP says the address is not a VERP address of the return path.
	ErrNotVERP = errors.New("not a VERP address of the return path")
	// ErrForgedVERP says the address looks like one of the return path's
	// VERP addresses but was not signed with a known key.
	ErrForgedVERP = errors.New("VERP address not signed with a known key")
)

const macBytes = 8

var lowerBase32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// Address returns the envelope sender of the message with this key: a
// signed VERP address, or the return path unchanged when there are no keys,
// the return path is not an address, or the address would be longer than
// every server must accept (a bounce is then matched by its Message-ID or
// its recipient).
func (v VERP) Address(messageKey string) string {
	local, domain, ok := splitAddress(v.ReturnPath)
	if !ok || messageKey == "" || len(v.Keys) == 0 {
		return v.ReturnPath
	}
	k := v.Keys[0]
	token := verpMAC(k.Secret, messageKey) + "-" + verpEscape(messageKey, true) + "-" + verpEscape(k.ID, false)
	if len(local)+1+len(token) > maxLocalPart {
		return v.ReturnPath
	}
	return local + "+" + token + "@" + strings.ToLower(domain)
}

// MessageKey returns the message key a VERP address made by Address
// carries. ErrNotVERP when addr is not a VERP address of the return path,
// ErrForgedVERP when it is one but its signature does not verify.
func (v VERP) MessageKey(addr string) (string, error) {
	local, domain, ok := splitAddress(v.ReturnPath)
	if !ok {
		return "", ErrNotVERP
	}
	addr = strings.ToLower(normaliseAddress(addr))
	prefix := strings.ToLower(local) + "+"
	if !strings.HasSuffix(addr, "@"+strings.ToLower(domain)) || !strings.HasPrefix(addr, prefix) {
		return "", ErrNotVERP
	}
	token := strings.TrimSuffix(addr[len(prefix):], "@"+strings.ToLower(domain))
	if token == "" {
		return "", ErrNotVERP
	}
	macLen := lowerBase32.EncodedLen(macBytes)
	last := strings.LastIndexByte(token, '-')
	if len(token) < macLen+3 || token[macLen] != '-' || last <= macLen {
		return "", ErrForgedVERP
	}
	mac := token[:macLen]
	key, ok1 := verpUnescape(token[macLen+1 : last])
	kid, ok2 := verpUnescape(token[last+1:])
	if !ok1 || !ok2 || key == "" {
		return "", ErrForgedVERP
	}
	for _, k := range v.Keys {
		if strings.EqualFold(k.ID, kid) &&
			subtle.ConstantTimeCompare([]byte(verpMAC(k.Secret, key)), []byte(mac)) == 1 {
			return key, nil
		}
	}
	return "", ErrForgedVERP
}

func verpMAC(secret []byte, messageKey string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("courtesy verp\x00"))
	m.Write([]byte(messageKey))
	return lowerBase32.EncodeToString(m.Sum(nil)[:macBytes])
}

// verpEscape writes s in the characters that survive case folding and make
// a valid dot-atom: '-' only when keepDash (it separates the parts), '.'
// for ':' but never two in a row.
func verpEscape(s string, keepDash bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-' && keepDash:
			b.WriteByte(c)
		case c == ':' && b.Len() > 0 && !strings.HasSuffix(b.String(), "."):
			b.WriteByte('.')
		default:
			fmt.Fprintf(&b, "=%02x", c)
		}
	}
	return b.String()
}

// verpUnescape undoes verpEscape on a lower-cased token.
func verpUnescape(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '.':
			b.WriteByte(':')
		case '=':
			x, ok := escapedByte(s, i)
			if !ok {
				return "", false
			}
			b.WriteByte(x)
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}
