package mailer

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/textproto"
	"regexp"
	"strings"
)

// Stages of an SMTP transaction at which a send can fail.
const (
	StageMessage = "message" // building the message: nothing was sent
	StageConnect = "connect" // dial, greeting, EHLO, STARTTLS, AUTH
	StageMail    = "mail"    // MAIL FROM: about the sender, never the recipient
	StageRcpt    = "rcpt"    // RCPT TO
	StageData    = "data"    // DATA and the message content, before the final "."
	StageDataEnd = "data-end"
	StageOutbox  = "outbox" // writing the file outbox
)

// ErrAbandoned is wrapped by the error of a Send whose Commit refused: the
// message was withdrawn before the server took it.
var ErrAbandoned = errors.New("abandoned before the server took the message")

// SendError is the error of every failed Send.
type SendError struct {
	Temporary bool   // trying again later may succeed
	Code      int    // the SMTP reply code; 0 when there was no reply
	Enhanced  string // the RFC 3463 status code, such as "5.1.1"; empty when unknown
	Stage     string // where it failed: StageConnect, StageRcpt, ...
	// UnknownOutcome is set when the whole message was sent but no reply
	// came: the server may have accepted it.
	UnknownOutcome bool
	Err            error
}

func (e *SendError) Error() string {
	var b strings.Builder
	b.WriteString("send")
	if e.Stage != "" {
		b.WriteString(" (" + e.Stage + ")")
	}
	switch {
	case e.UnknownOutcome:
		b.WriteString(": outcome unknown")
	case e.Temporary:
		b.WriteString(": temporary")
	default:
		b.WriteString(": permanent")
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *SendError) Unwrap() error { return e.Err }

// IsTemporary reports whether a later attempt may succeed: a 4xx reply, a
// connection refused or dropped, a timeout. An unknown outcome is temporary
// too, so check IsUnknownOutcome first.
func IsTemporary(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.Temporary
}

// IsAddressFailure reports whether the server refused the recipient's
// mailbox for good (a 5xx with a 5.1.x status other than the sender's own
// 5.1.7 and 5.1.8): the caller suppresses the address.
func IsAddressFailure(err error) bool {
	var se *SendError
	if !errors.As(err, &se) || se.Temporary || se.Code/100 != 5 || se.Stage == StageMail {
		return false
	}
	if !strings.HasPrefix(se.Enhanced, "5.1.") {
		return false
	}
	return se.Enhanced != "5.1.7" && se.Enhanced != "5.1.8"
}

// IsUnknownOutcome reports whether the message was sent in full but the
// connection failed before the server replied: it may have been delivered,
// so it must not be sent again.
func IsUnknownOutcome(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.UnknownOutcome
}

// ErrInsecureAuth is returned when credentials would have to cross the
// network in the clear.
var ErrInsecureAuth = errors.New("the server does not offer STARTTLS, and credentials are never sent " +
	"without TLS: use smtps:// or a server with STARTTLS, or a local relay without credentials")

// ErrClosed is returned by Send after Close.
var ErrClosed = errors.New("mailer: sender closed")

var enhancedRe = regexp.MustCompile(`^([245])\.\d{1,3}\.\d{1,3}\b`)

// enhancedCode returns the RFC 3463 code that opens an SMTP reply text, if
// its class agrees with the reply code.
func enhancedCode(code int, msg string) string {
	ec := enhancedRe.FindString(msg)
	if ec == "" || int(ec[0]-'0') != code/100 {
		return ""
	}
	return ec
}

// classify turns an error at one stage of a transaction into a SendError.
// A reply from the server says what it means (4xx temporary, 5xx final); no
// reply means the connection broke or timed out. Before the final "." the
// server discards a half-sent message, so that is temporary; after it, the
// server may already have taken the message.
func classify(stage string, err error) *SendError {
	se := &SendError{Stage: stage, Err: err}
	var tp *textproto.Error
	if errors.As(err, &tp) {
		se.Code = tp.Code
		se.Enhanced = enhancedCode(tp.Code, tp.Msg)
		se.Temporary = tp.Code/100 != 5
		return se
	}
	se.Temporary = true
	se.UnknownOutcome = stage == StageDataEnd
	return se
}

// fromDial classifies an error from opening a connection: nothing was sent.
func fromDial(err error) *SendError {
	se := &SendError{Stage: StageConnect, Err: err, Temporary: true}
	var tp *textproto.Error
	var cert *tls.CertificateVerificationError
	switch {
	case errors.As(err, &tp):
		se.Code = tp.Code
		se.Enhanced = enhancedCode(tp.Code, tp.Msg)
		se.Temporary = tp.Code/100 != 5
	case errors.Is(err, ErrInsecureAuth), errors.As(err, &cert):
		// Configuration, not weather: retrying will not change it.
		se.Temporary = false
	}
	return se
}

func invalidMessage(err error) *SendError {
	return &SendError{Stage: StageMessage, Err: err}
}

func wrapTemporary(stage string, err error) *SendError {
	return &SendError{Stage: stage, Temporary: true, Err: err}
}

// redact hides the password of a URL for error messages.
func redact(user, host string) string {
	if user == "" {
		return host
	}
	return fmt.Sprintf("%s@%s", user, host)
}
