package feedback

import (
	"fmt"
	"strings"
)

// ReturnPath returns the VERP envelope sender "localPart+token@domain" for a
// message, so that a bounce sent back to it names the message even when the
// bounce itself is unreadable. The token should be URL-safe (base64url); any
// other byte is written as "=XX" so the address stays a valid dot-atom, and
// ParseReturnPath undoes it.
func ReturnPath(localPart, domain, token string) string {
	var b strings.Builder
	b.WriteString(localPart)
	b.WriteByte('+')
	for i := 0; i < len(token); i++ {
		c := token[i]
		if verpSafe(c) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "=%02X", c)
		}
	}
	b.WriteByte('@')
	b.WriteString(strings.ToLower(domain))
	return b.String()
}

// ParseReturnPath returns the token of a VERP address ReturnPath made with
// localPart, and false when addr is not one. The local part is compared
// without regard to case, since some servers fold it; the token is returned
// as written.
func ParseReturnPath(addr, localPart string) (token string, ok bool) {
	addr = strings.TrimSpace(addr)
	addr = strings.TrimSuffix(strings.TrimPrefix(addr, "<"), ">")
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return "", false
	}
	local := addr[:at]
	prefix := localPart + "+"
	if len(local) <= len(prefix) || !strings.EqualFold(local[:len(prefix)], prefix) {
		return "", false
	}
	enc := local[len(prefix):]
	var b strings.Builder
	for i := 0; i < len(enc); i++ {
		c := enc[i]
		switch {
		case c == '=':
			x, ok := escapedByte(enc, i)
			if !ok {
				return "", false
			}
			b.WriteByte(x)
			i += 2
		case verpSafe(c):
			b.WriteByte(c)
		default:
			return "", false
		}
	}
	return b.String(), true
}

func verpSafe(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

// escapedByte reads the "=XX" escape at s[i], in either case.
func escapedByte(s string, i int) (byte, bool) {
	if i+2 >= len(s) {
		return 0, false
	}
	hi, ok1 := unhex(s[i+1])
	lo, ok2 := unhex(s[i+2])
	return hi<<4 | lo, ok1 && ok2
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}
