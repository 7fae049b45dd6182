package mailtest

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
)

// Content is what a reader sees of a message: its subject and its text and
// HTML parts, decoded, with plain line ends.
type Content struct {
	Subject string
	Text    string
	HTML    string
}

// Content decodes the message as a mail client would.
func (r Received) Content() (Content, error) {
	return Decode(r.Data)
}

// Decode reads a raw message as a mail client would.
func Decode(raw []byte) (Content, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Content{}, err
	}
	var c Content
	dec := new(mime.WordDecoder)
	if c.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return Content{}, fmt.Errorf("subject: %w", err)
	}
	err = c.part(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	return c, err
}

func (c *Content) part(contentType, encoding string, body io.Reader) error {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if err := c.part(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
				return err
			}
		}
	}
	if strings.EqualFold(encoding, "quoted-printable") {
		body = quotedprintable.NewReader(body)
	}
	data, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n") // as a reader's client shows it
	switch mt {
	case "text/plain":
		c.Text = text
	case "text/html":
		c.HTML = text
	}
	return nil
}
