package mailer

import (
	"bytes"
	"fmt"
	"sort"

	gomail "github.com/wneessen/go-mail"
)

// Renderer builds messages with one parsed DKIM key. It is safe for
// concurrent use; senders keep one so the key is parsed once.
type Renderer struct {
	dkim *signer // nil: unsigned

	// boundary fixes the MIME boundary; only tests set it, so golden files
	// are stable.
	boundary string
}

// NewRenderer parses the DKIM key (nil means unsigned).
func NewRenderer(d *DKIM) (*Renderer, error) {
	r := &Renderer{}
	if d != nil {
		s, err := d.signer()
		if err != nil {
			return nil, err
		}
		r.dkim = s
	}
	return r, nil
}

// Render returns the exact bytes of the message, signed with dkim when it is
// not nil: what the file outbox writes and what SMTP carries. Unsigned, the
// same message renders to the same bytes but for the random MIME boundary
// of a text+HTML message; a signature's t= tag is the signing time.
func Render(m *Message, dkim *DKIM) ([]byte, error) {
	r, err := NewRenderer(dkim)
	if err != nil {
		return nil, err
	}
	return r.Render(m)
}

// Render returns the exact bytes of the message.
func (r *Renderer) Render(m *Message) ([]byte, error) {
	e, err := r.render(m)
	if err != nil {
		return nil, err
	}
	return e.data, nil
}

// envelope is a rendered message with the addresses SMTP needs.
type envelope struct {
	from, to string // bare addresses for MAIL FROM and RCPT TO
	data     []byte
}

func (r *Renderer) render(m *Message) (*envelope, error) {
	msg, e, err := r.build(m)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Grow(len(m.Text) + len(m.HTML) + 2048)
	if _, err := msg.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("render message %s: %w", m.MessageID, err)
	}
	e.data = buf.Bytes()
	if r.dkim != nil {
		sig, err := r.dkim.sign(e.data, m.ReplyTo != "")
		if err != nil {
			return nil, err
		}
		signed := make([]byte, 0, len(sig)+len(e.data))
		e.data = append(append(signed, sig...), e.data...)
	}
	return e, nil
}

// build turns a Message into a go-mail Msg, checking every field on the way.
func (r *Renderer) build(m *Message) (*gomail.Msg, *envelope, error) {
	if m == nil {
		return nil, nil, invalidf("nil message")
	}
	opts := []gomail.MsgOption{
		gomail.WithNoDefaultUserAgent(), // nothing about the software goes in a customer's mail
		gomail.WithCharset(gomail.CharsetUTF8),
		gomail.WithEncoding(gomail.EncodingQP),
	}
	if r.boundary != "" {
		opts = append(opts, gomail.WithBoundary(r.boundary))
	}
	msg := gomail.NewMsg(opts...)

	from, err := parseAddress("From", m.From)
	if err != nil {
		return nil, nil, err
	}
	msg.FromMailAddress(from)
	if m.To == "" {
		return nil, nil, invalidf("no recipient")
	}
	to, err := parseAddress("To", m.To)
	if err != nil {
		return nil, nil, err
	}
	if m.ToName != "" && !looksEncoded(m.ToName) {
		// A name that looks like an RFC 2047 encoded word would be decoded
		// by the reader's mail client; the address alone is safer.
		to.Name = oneLine(m.ToName)
	}
	msg.ToMailAddress(to)
	e := &envelope{from: from.Address, to: to.Address}
	if m.ReplyTo != "" {
		replyTo, err := parseAddress("Reply-To", m.ReplyTo)
		if err != nil {
			return nil, nil, err
		}
		msg.ReplyToMailAddress(replyTo)
	}
	if m.ReturnPath != "" {
		rp, err := parseAddress("Return-Path", m.ReturnPath)
		if err != nil {
			return nil, nil, err
		}
		e.from = rp.Address
	}

	if subj := oneLine(m.Subject); looksEncoded(subj) {
		msg.SetGenHeaderPreformatted(gomail.HeaderSubject, forceEncode(subj))
	} else {
		msg.Subject(subj)
	}
	if m.Date.IsZero() {
		return nil, nil, invalidf("no Date")
	}
	msg.SetDateWithValue(m.Date)
	id := m.MessageID
	if id == "" {
		id = NewMessageID(domainOf(from.Address))
	}
	idValue, err := messageIDValue(id)
	if err != nil {
		return nil, nil, err
	}
	msg.SetMessageIDWithValue(idValue)

	// The RFC 8058 pair goes in as ordinary headers rather than through
	// SetListUnsubscribeOneClick: go-mail writes its preformatted headers in
	// map order, and a message must render to the same bytes every time.
	unsub, err := unsubscribeURL(m.UnsubscribeURL)
	if err != nil {
		return nil, nil, err
	}
	list := "<" + unsub + ">"
	if m.UnsubscribeMail != "" {
		mailto, err := unsubscribeMailto(m.UnsubscribeMail)
		if err != nil {
			return nil, nil, err
		}
		list += ", <" + mailto + ">"
	}
	msg.SetGenHeader(gomail.HeaderListUnsubscribe, list)
	msg.SetGenHeader(gomail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")

	if m.Language != "" {
		lang, err := contentLanguage(m.Language)
		if err != nil {
			return nil, nil, err
		}
		msg.SetGenHeader("Content-Language", lang)
	}

	names := make([]string, 0, len(m.Headers))
	for name := range m.Headers {
		names = append(names, name)
	}
	sort.Strings(names)
	seen := make(map[string]bool, len(names))
	for _, name := range names {
		canon, err := extraHeader(name, m.Headers[name])
		if err != nil {
			return nil, nil, err
		}
		if seen[canon] {
			return nil, nil, invalidf("header %s is given twice", canon)
		}
		seen[canon] = true
		msg.SetGenHeader(gomail.Header(canon), m.Headers[name])
	}

	if m.Text == "" {
		return nil, nil, invalidf("no text body")
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}

	return msg, e, nil
}
