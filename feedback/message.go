package feedback

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
)

// MaxMessageSize bounds the report ParseMessage reads. Bounces that return
// the whole original can be large, but not this large; anything bigger is
// refused rather than held in memory.
const MaxMessageSize = 10 << 20

// part is one body part of a multipart/report, its transfer encoding undone.
type part struct {
	mediaType string
	body      []byte
}

// ParseMessage reads a raw RFC 5322 message and returns the reports it holds.
//
// A multipart/report with report-type=delivery-status (RFC 3464) yields one
// Report per recipient that failed (a hard bounce for a 5.x.x status, a soft
// one for 4.x.x) or was delayed (soft); delivered, relayed and expanded
// recipients are skipped, so a DSN that reports only successes yields none.
// A multipart/report with report-type=feedback-report (RFC 5965) yields one
// complaint per reported recipient. Anything else is an error.
func ParseMessage(r io.Reader) ([]Report, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxMessageSize+1))
	if err != nil {
		return nil, fmt.Errorf("read report: %w", err)
	}
	if len(data) > MaxMessageSize {
		return nil, fmt.Errorf("report is larger than %d bytes", MaxMessageSize)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("report is not a mail message: %w", err)
	}
	ct := msg.Header.Get("Content-Type")
	if strings.TrimSpace(ct) == "" {
		ct = "text/plain" // RFC 2045's default
	}
	mediaType, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return nil, fmt.Errorf("not a delivery status or feedback report: Content-Type %q: %w", ct, err)
	}
	reportType := strings.ToLower(params["report-type"])
	if mediaType != "multipart/report" || (reportType != "delivery-status" && reportType != "feedback-report") {
		desc := mediaType
		if reportType != "" {
			desc += "; report-type=" + reportType
		}
		return nil, fmt.Errorf("not a delivery status or feedback report: Content-Type %s", desc)
	}
	if params["boundary"] == "" {
		return nil, errors.New("multipart/report has no boundary")
	}
	parts, err := readParts(msg.Body, params["boundary"])
	if err != nil {
		return nil, err
	}
	env := envelope{
		returnPath: firstAddress(msg.Header.Get("To")),
		date:       parseTime(msg.Header.Get("Date")),
	}
	if reportType == "delivery-status" {
		return parseDSN(parts, env)
	}
	return parseARF(parts, env)
}

// envelope is what the report's own headers say: where it was sent (the VERP
// return path) and when it was written.
type envelope struct {
	returnPath string
	date       time.Time
}

func readParts(body io.Reader, boundary string) ([]part, error) {
	mr := multipart.NewReader(body, boundary)
	var parts []part
	for {
		p, err := mr.NextPart() // undoes quoted-printable itself
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read report part %d: %w", len(parts)+1, err)
		}
		b, err := io.ReadAll(p)
		if err != nil {
			return nil, fmt.Errorf("read report part %d: %w", len(parts)+1, err)
		}
		if strings.EqualFold(strings.TrimSpace(p.Header.Get("Content-Transfer-Encoding")), "base64") {
			dec, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, newlineStripper{bytes.NewReader(b)}))
			if err != nil {
				return nil, fmt.Errorf("report part %d: bad base64: %w", len(parts)+1, err)
			}
			b = dec
		}
		mt := "text/plain"
		if ct := p.Header.Get("Content-Type"); ct != "" {
			if t, _, err := mime.ParseMediaType(ct); err == nil {
				mt = t
			}
		}
		parts = append(parts, part{mediaType: mt, body: b})
	}
	if len(parts) == 0 {
		return nil, errors.New("multipart/report has no parts")
	}
	return parts, nil
}

// newlineStripper drops CR, LF and blanks so base64 lines decode as one run.
type newlineStripper struct{ r io.Reader }

func (n newlineStripper) Read(p []byte) (int, error) {
	for {
		c, err := n.r.Read(p)
		k := 0
		for _, b := range p[:c] {
			if b != '\r' && b != '\n' && b != ' ' && b != '\t' {
				p[k] = b
				k++
			}
		}
		if k > 0 || err != nil {
			return k, err
		}
	}
}

func findPart(parts []part, types ...string) (part, bool) {
	for _, p := range parts {
		for _, t := range types {
			if p.mediaType == t {
				return p, true
			}
		}
	}
	return part{}, false
}

// original is what a report tells about the message it is about.
type original struct {
	messageID string
	campaign  string
	to        string
}

// readOriginal reads the headers of the returned message (text/rfc822-headers
// or message/rfc822). It is lenient: the original is often truncated, and
// what could be read is better than refusing the report over it.
func readOriginal(parts []part) original {
	p, ok := findPart(parts, "text/rfc822-headers", "message/rfc822", "message/global", "message/global-headers")
	if !ok {
		return original{}
	}
	h, _ := readHeader(bytes.TrimLeft(p.body, "\r\n"))
	return original{
		messageID: normaliseMessageID(h.Get("Message-Id")),
		campaign:  strings.TrimSpace(h.Get(campaignHeader)),
		to:        h.Get("To"),
	}
}

// readHeader reads one header block; a block that lacks its closing blank
// line (a truncated original, the last group of a delivery-status part) is
// read to its end.
func readHeader(b []byte) (textproto.MIMEHeader, error) {
	r := textproto.NewReader(bufio.NewReader(io.MultiReader(bytes.NewReader(b), strings.NewReader("\r\n\r\n"))))
	return r.ReadMIMEHeader()
}

// fieldGroups splits a machine-readable report part (RFC 3464's
// delivery-status, RFC 5965's feedback-report) into its blank-line separated
// groups of fields.
func fieldGroups(body []byte) ([]textproto.MIMEHeader, error) {
	var groups []textproto.MIMEHeader
	var cur bytes.Buffer
	flush := func() error {
		if cur.Len() == 0 {
			return nil
		}
		h, err := readHeader(cur.Bytes())
		if err != nil {
			return err
		}
		groups = append(groups, h)
		cur.Reset()
		return nil
	}
	for line := range strings.Lines(string(body)) {
		if strings.TrimSpace(line) == "" {
			if err := flush(); err != nil {
				return nil, err
			}
			continue
		}
		cur.WriteString(strings.TrimRight(line, "\r\n"))
		cur.WriteString("\r\n")
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return groups, nil
}

// typedValue returns the value of a "type; value" field (Final-Recipient:
// rfc822; a@b, Diagnostic-Code: smtp; 550 …), or the whole field when it has
// no type.
func typedValue(s string) string {
	if _, v, ok := strings.Cut(s, ";"); ok {
		return strings.TrimSpace(v)
	}
	return strings.TrimSpace(s)
}

func firstAddress(s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	if list, err := mail.ParseAddressList(s); err == nil && len(list) > 0 {
		return normaliseAddress(list[0].Address)
	}
	return normaliseAddress(s)
}

// firstTime returns the first of ts that is set.
func firstTime(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}
