package mailer_test

import (
	"bytes"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy/mailer"
	"github.com/courtesyhq/courtesy/templates"
)

// A customer's name is the one thing in a message the customer — or an
// attacker who filled in a shop's sign-up form — wrote. These tests render a
// message the way the worker does, with hostile names, and check that the
// name cannot add a header, break out of the HTML, or change the recipient.

var hostileTemplate = templates.Source{
	SubjectName: "campaigns/birthday.yaml", Subject: "Happy birthday, {{.Customer.FirstName}}",
	TextName: "templates/birthday.txt", Text: "Dear {{.Customer.FirstName}} {{.Customer.LastName}},\nHappy birthday.\n",
	// \x01 and \x02 mark where the names land: a name cannot hold them
	// (control characters in names are shown as spaces).
	HTMLName: "templates/birthday.html", HTML: "<p>Dear \x01{{.Customer.FirstName}}\x02 \x01{{.Customer.LastName}}\x02,</p><p>Happy birthday.</p>",
}

// renderFor renders the message a customer with these names would get, or
// reports why it was refused.
func renderFor(tb testing.TB, first, last string) ([]byte, templates.Rendered, error) {
	tb.Helper()
	tpl, err := templates.Parse(hostileTemplate)
	if err != nil {
		tb.Fatal(err)
	}
	data := templates.SampleData("https://crumb.example",
		templates.Business{Name: "Crumb & Co. Bakery", PostalAddress: "12 Mill Lane, Bristol BS1 4DJ, UK"},
		templates.Campaign{ID: "birthday-treat", Name: "Birthday treat"})
	data.Customer.FirstName, data.Customer.LastName = first, last
	out, err := tpl.Render(data)
	if err != nil {
		return nil, out, err
	}
	raw, err := mailer.Render(&mailer.Message{
		From: "Crumb & Co. <hello@crumb.example>", ReplyTo: "hello@crumb.example",
		To: "ana@example.org", ToName: strings.TrimSpace(first + " " + last),
		Subject: out.Subject, Text: out.Text, HTML: out.HTML,
		MessageID: "<fixed0123456789@crumb.example>", Date: time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC),
		UnsubscribeURL: "https://crumb.example/u/tok123",
		Headers:        map[string]string{"X-Courtesy-Campaign": "birthday-treat"},
	}, nil)
	return raw, out, err
}

// checkHostile holds whatever names were given.
func checkHostile(t *testing.T, first, last string, baseline map[string]int) {
	t.Helper()
	raw, out, err := renderFor(t, first, last)
	if err != nil {
		return // refusing to build the message is safe
	}
	if strings.ContainsAny(out.Subject, "\r\n") {
		t.Fatalf("subject has a line break: %q", out.Subject)
	}
	if diffHeaders(countHeaders(t, raw), baseline) {
		t.Fatalf("names %q %q changed the header set: %v, want %v\n%s", first, last, countHeaders(t, raw), baseline, raw)
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("the rendered message does not parse: %v", err)
	}
	to, err := mail.ParseAddressList(m.Header.Get("To"))
	if err != nil || len(to) != 1 || to[0].Address != "ana@example.org" {
		t.Fatalf("To = %q (%v), want only ana@example.org", m.Header.Get("To"), err)
	}
	// The HTML part carries the names escaped: nothing the customer typed
	// opens a tag or an attribute.
	for rest := out.HTML; ; {
		_, after, ok := strings.Cut(rest, "\x01")
		if !ok {
			break
		}
		name, next, ok := strings.Cut(after, "\x02")
		if !ok {
			t.Fatalf("unterminated name in the HTML part: %q", after)
		}
		if strings.ContainsAny(name, "<>\"'") {
			t.Fatalf("names %q %q appear unescaped in the HTML part: %q", first, last, name)
		}
		rest = next
	}
	if n := strings.Count(strings.ToLower(out.HTML), "<script"); n != 0 {
		t.Fatalf("the HTML part has %d script tags", n)
	}
	dec := new(mime.WordDecoder)
	if subj, err := dec.DecodeHeader(m.Header.Get("Subject")); err == nil && strings.ContainsAny(subj, "\r\n") {
		t.Fatalf("decoded Subject has a line break: %q", subj)
	}
}

func diffHeaders(got, want map[string]int) bool {
	if len(got) != len(want) {
		return true
	}
	for k, v := range want {
		if got[k] != v {
			return true
		}
	}
	return false
}

func baselineHeaders(tb testing.TB) map[string]int {
	tb.Helper()
	raw, _, err := renderFor(tb, "Ana", "Müller")
	if err != nil {
		tb.Fatal(err)
	}
	return countHeaders(tb, raw)
}

func FuzzRenderHostileName(f *testing.F) {
	for _, s := range [][2]string{
		{"Sam\r\nBcc: eve@evil.example", "Lee"},
		{"Sam", "Lee\nX-Injected: 1"},
		{"\r\n\r\n<html>body takeover", ""},
		{"<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>"},
		{"=?utf-8?q?=0D=0ABcc:_eve@evil.example?=", "x"},
		{"\xff\xfe\xc0\xaf", "\xed\xa0\x80"},
		{"Ana\u2028Bcc: eve@evil.example", "\u0085Lee"},
		{"Eve <eve@evil.example>, Mallory", "mallory@evil.example;"},
		{"\x00\x07\x1b[31m", "\t\v\f"},
		{"MARIA", "GARCÍA"},
	} {
		f.Add(s[0], s[1])
	}
	baseline := baselineHeaders(f)
	f.Fuzz(func(t *testing.T, first, last string) {
		checkHostile(t, first, last, baseline)
	})
}

// A name of a megabyte, with line breaks in it, still renders to one
// message with the usual headers, or is refused.
func TestFuzzHugeName(t *testing.T) {
	baseline := baselineHeaders(t)
	for _, name := range []string{
		strings.Repeat("A", 1<<20),
		strings.Repeat("Ab\r\nBcc: eve@evil.example\r\n", 1<<20/26),
		strings.Repeat("<script>", 1<<17),
		strings.Repeat("\xff", 1<<20),
	} {
		checkHostile(t, name, name, baseline)
	}
}
