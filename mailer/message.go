package mailer

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/textproto"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Message is one finished email; bodies already carry the footer.
type Message struct {
	From    string // "Name <addr>" or addr
	ReplyTo string // "Name <addr>" or addr; optional
	To      string // the recipient's address
	ToName  string // the recipient's name; optional
	Subject string
	Text    string // required
	HTML    string // optional; sent as the alternative to Text
	// Language is the BCP 47 language of the whole message, footer
	// included; it becomes the Content-Language header. Optional.
	Language string

	// MessageID is "<id@domain>"; NewMessageID makes one. Empty means one is
	// made on the From domain.
	MessageID string
	Date      time.Time // required: the caller's clock decides

	// UnsubscribeURL is the RFC 8058 one-click URL: it becomes
	// List-Unsubscribe <url> with List-Unsubscribe-Post:
	// List-Unsubscribe=One-Click. It must be https (http is accepted for a
	// loopback host only, so the demo works on one machine).
	UnsubscribeURL string
	// UnsubscribeMail is an optional mailto: address (with or without the
	// scheme) listed after the URL.
	UnsubscribeMail string

	// ReturnPath is the envelope sender (a VERP bounce address). Empty means
	// the From address.
	ReturnPath string

	// Headers are extra headers such as X-Courtesy-Campaign. A value with a
	// CR or LF is refused, and so is a header this package writes itself.
	Headers map[string]string

	// Commit, when set, is called once the whole message is with the
	// server and just before the final "." that makes the server take it:
	// the last moment at which the message can still be withdrawn. If it
	// returns an error the transaction is abandoned — the connection is
	// dropped without the final ".", so nothing is delivered — and Send
	// returns an error that wraps ErrAbandoned and the commit's error. The
	// file outbox calls it before the file appears.
	Commit func(ctx context.Context) error
}

// ErrInvalidMessage is wrapped by every error about a Message that cannot be
// sent as it is. Sending it again will not help.
var ErrInvalidMessage = errors.New("invalid message")

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidMessage, fmt.Sprintf(format, args...))
}

// NewMessageID returns a random Message-ID, "<random@domain>", on the
// business's domain. A domain that is not a valid host name is replaced by
// "localhost.invalid" rather than producing an invalid header.
func NewMessageID(domain string) string {
	var b [20]byte
	_, _ = rand.Read(b[:]) // never fails: crypto/rand panics rather than return an error
	id := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
	domain = strings.ToLower(strings.TrimSpace(domain))
	if !isHostname(domain) {
		domain = "localhost.invalid"
	}
	return "<" + id + "@" + domain + ">"
}

// isHostname reports whether s is a dot-separated list of LDH labels, which
// is also a valid dot-atom for the right-hand side of a Message-ID.
func isHostname(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// messageIDValue checks a "<left@right>" Message-ID and returns it without
// the angle brackets, as go-mail adds them.
func messageIDValue(id string) (string, error) {
	v := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(id), "<"), ">")
	left, right, ok := strings.Cut(v, "@")
	if !ok || left == "" || right == "" || strings.ContainsAny(v, " \t\r\n<>\"(),;:\\[]") ||
		strings.Count(v, "@") != 1 || !isPrintableASCII(v) {
		return "", invalidf("Message-ID %q is not of the form <id@domain>", id)
	}
	return v, nil
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// oneLine folds line breaks in text that came from a template or a customer
// record into spaces: a name or subject cannot start a new header.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return strings.TrimSpace(s)
	}
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\r' || r == '\n' }), " ")
}

// looksEncoded reports whether text contains what a mail client would take
// for the start of an RFC 2047 encoded word. Plain ASCII is written as it is,
// so a customer's name such as "=?utf-8?q?=0D=0ABcc:?=" would be decoded by
// the reader into a line break.
func looksEncoded(s string) bool { return strings.Contains(s, "=?") }

// forceEncode writes text as base64 encoded words, folded, however plain it
// is: a reader decodes them back to exactly this text.
func forceEncode(s string) string {
	const chunk = 45 // bytes per word: 60 base64 characters, within 75
	var words []string
	for len(s) > 0 {
		n := min(chunk, len(s))
		for n < len(s) && n > 1 && !utf8.RuneStart(s[n]) {
			n-- // never split a character between two words
		}
		words = append(words, "=?UTF-8?b?"+base64.StdEncoding.EncodeToString([]byte(s[:n]))+"?=")
		s = s[n:]
	}
	return strings.Join(words, "\r\n ")
}

// parseAddress reads "Name <addr>" or "addr". Addresses come from the
// configuration or the customer record; a line break in one is refused
// rather than repaired, as it can only be a mistake or an attack.
func parseAddress(field, s string) (*mail.Address, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, invalidf("%s %q contains a line break", field, s)
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return nil, invalidf("%s %q: %v", field, s, err)
	}
	return a, nil
}

// domainOf returns the part of an address after the last @.
func domainOf(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	return strings.ToLower(addr[i+1:])
}

// unsubscribeURL checks the RFC 8058 URL: https, with a host, nothing that
// would break out of the <...> of List-Unsubscribe.
func unsubscribeURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", invalidf("no unsubscribe URL: every message carries one")
	}
	if !isPrintableASCII(raw) || strings.ContainsAny(raw, "<>,") {
		return "", invalidf("unsubscribe URL %q has characters not allowed in List-Unsubscribe", raw)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", invalidf("unsubscribe URL %q is not an absolute URL", raw)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	default:
		return "", invalidf("unsubscribe URL %q must be https (RFC 8058)", raw)
	}
	return raw, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// contentLanguage checks a BCP 47 tag for the Content-Language header
// (RFC 3282): letters, digits and hyphens.
func contentLanguage(tag string) (string, error) {
	tag = strings.TrimSpace(tag)
	if tag == "" || len(tag) > 35 {
		return "", invalidf("language %q is not a BCP 47 tag", tag)
	}
	for i := 0; i < len(tag); i++ {
		c := tag[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return "", invalidf("language %q is not a BCP 47 tag", tag)
		}
	}
	return tag, nil
}

func unsubscribeMailto(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	addr := strings.TrimPrefix(raw, "mailto:")
	if addr == "" || !isPrintableASCII(addr) || strings.ContainsAny(addr, "<>,") {
		return "", invalidf("unsubscribe address %q is not a mailto: address", raw)
	}
	local, _, _ := strings.Cut(addr, "?")
	if _, err := mail.ParseAddress(local); err != nil {
		return "", invalidf("unsubscribe address %q: %v", raw, err)
	}
	return "mailto:" + addr, nil
}

// managedHeaders are written by this package and must appear exactly once,
// so Message.Headers may not set them.
var managedHeaders = map[string]bool{
	"From": true, "To": true, "Cc": true, "Bcc": true, "Reply-To": true, "Sender": true,
	"Subject": true, "Date": true, "Message-Id": true, "Mime-Version": true,
	"Content-Type": true, "Content-Transfer-Encoding": true, "Content-Language": true,
	"List-Unsubscribe": true, "List-Unsubscribe-Post": true,
	"Dkim-Signature": true, "Return-Path": true,
}

// extraHeader checks one entry of Message.Headers and returns its canonical
// name.
func extraHeader(name, value string) (string, error) {
	if name == "" || !isPrintableASCII(name) || strings.Contains(name, ":") {
		return "", invalidf("header name %q is not a valid field name", name)
	}
	canon := textproto.CanonicalMIMEHeaderKey(name)
	if managedHeaders[canon] {
		return "", invalidf("header %s is written by the mailer and cannot be set in Headers", name)
	}
	if strings.ContainsAny(value, "\r\n") {
		return "", invalidf("header %s: value contains a line break", name)
	}
	return canon, nil
}
