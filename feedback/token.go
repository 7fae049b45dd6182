package feedback

import (
	"encoding/base64"
	"strings"
)

// maxLocalPart is the longest local part RFC 5321 §4.5.3.1.1 promises every
// server takes. A VERP address longer than that could be refused at MAIL
// FROM, so MessageReturnPath falls back to the plain address instead.
const maxLocalPart = 64

// MessageToken encodes a message key for a VERP address: base64url without
// padding, so the address stays a dot-atom and needs no escaping. It is an
// encoding, not a signature: a report is trusted for what its transport
// (the mail pipe, an authenticated webhook) vouches for, and the token only
// says which message it is about, which the report's own headers say too.
func MessageToken(key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(key))
}

// MessageKeyOf decodes a MessageToken; false when token is not one.
func MessageKeyOf(token string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) == 0 {
		return "", false
	}
	return string(b), true
}

// MessageReturnPath returns the envelope sender of the message with this
// key: "local+token@domain" for a configured return path "local@domain".
// When returnPath is empty, is not an address, or the VERP local part would
// be longer than servers must accept, returnPath is returned unchanged and a
// bounce is matched by its Message-ID or address instead.
func MessageReturnPath(returnPath, key string) string {
	local, domain, ok := splitAddress(returnPath)
	if !ok || key == "" {
		return returnPath
	}
	token := MessageToken(key)
	if len(local)+1+len(token) > maxLocalPart {
		return returnPath
	}
	return ReturnPath(local, domain, token)
}

// MessageKeyFromReturnPath returns the message key a VERP address made by
// MessageReturnPath carries; false when addr is not one for returnPath.
func MessageKeyFromReturnPath(addr, returnPath string) (string, bool) {
	local, domain, ok := splitAddress(returnPath)
	if !ok {
		return "", false
	}
	addr = normaliseAddress(addr)
	if !strings.HasSuffix(addr, "@"+strings.ToLower(domain)) {
		return "", false
	}
	token, ok := ParseReturnPath(addr, local)
	if !ok {
		return "", false
	}
	return MessageKeyOf(token)
}

func splitAddress(addr string) (local, domain string, ok bool) {
	addr = normaliseAddress(addr)
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 {
		return "", "", false
	}
	return addr[:at], addr[at+1:], true
}
