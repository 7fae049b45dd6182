package mailer_test

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy/mailer"
)

var update = flag.Bool("update", false, "rewrite the golden .eml files in testdata")

const boundary = "courtesy-test-boundary-0123456789"

// testMessage is a birthday greeting as the worker builds it.
func testMessage() *mailer.Message {
	return &mailer.Message{
		From:    "Crumb & Co. <hello@crumb.example>",
		ReplyTo: "hello@crumb.example",
		To:      "ana@example.org",
		ToName:  "Ana Müller",
		Subject: "Happy birthday, Ana — a treat is waiting",
		Text: "Hello Ana,\n\nHappy birthday! A croissant ☕ is on us this week.\n\n" +
			"--\nUnsubscribe: https://crumb.example/u/tok123\nPreferences: https://crumb.example/p/tok123\n" +
			"Why did I get this? https://crumb.example/why/tok123\nCrumb & Co., 12 Mill Lane, Bristol BS1 4DJ, UK\n",
		MessageID:      "<fixedid0123456789@crumb.example>",
		Date:           time.Date(2026, 11, 28, 9, 30, 0, 0, time.FixedZone("GMT", 0)),
		UnsubscribeURL: "https://crumb.example/u/tok123",
		ReturnPath:     "bounce+tok123@crumb.example",
		Headers:        map[string]string{"X-Courtesy-Campaign": "birthday-treat"},
	}
}

func withHTML(m *mailer.Message) *mailer.Message {
	m.HTML = `<p>Hello Ana,</p><p>Happy birthday! A croissant ☕ is on us this week.</p>` +
		`<p><a href="https://crumb.example/u/tok123">Unsubscribe</a></p>`
	m.UnsubscribeMail = "mailto:unsubscribe+tok123@crumb.example"
	return m
}

func readKey(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func ed25519DKIM(tb testing.TB) *mailer.DKIM {
	tb.Helper()
	return &mailer.DKIM{Domain: "crumb.example", Selector: "s2026", PrivateKeyPEM: readKey(tb, "ed25519.pem")}
}

func rsaDKIM(tb testing.TB) *mailer.DKIM {
	tb.Helper()
	return &mailer.DKIM{Domain: "crumb.example", Selector: "s2026", PrivateKeyPEM: readKey(tb, "rsa2048.pem")}
}

func TestRenderGolden(t *testing.T) {
	tests := []struct {
		name string
		msg  *mailer.Message
	}{
		{name: "text", msg: testMessage()},
		{name: "alternative", msg: withHTML(testMessage())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Signed messages have no golden file: the signature's t= tag
			// is the signing time. They are checked by verifying them.
			got, err := mailer.RenderWithBoundary(tt.msg, nil, boundary)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", tt.name+".eml")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("rendered message differs from %s (-want +got):\n%s", golden, diff)
			}
			again, err := mailer.RenderWithBoundary(tt.msg, nil, boundary)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, again) {
				t.Errorf("two renders of the same message differ")
			}
		})
	}
}

// countHeaders counts every header field of the top-level header block by
// canonical name.
func countHeaders(tb testing.TB, raw []byte) map[string]int {
	tb.Helper()
	head, _, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !ok {
		tb.Fatalf("no end of header block in:\n%s", raw)
	}
	counts := map[string]int{}
	for line := range strings.SplitSeq(string(head), "\r\n") {
		if line == "" || line[0] == ' ' || line[0] == '\t' {
			continue
		}
		name, _, ok := strings.Cut(line, ":")
		if !ok {
			tb.Fatalf("header line without a colon: %q", line)
		}
		counts[textproto.CanonicalMIMEHeaderKey(name)]++
	}
	return counts
}

func parse(tb testing.TB, raw []byte) *mail.Message {
	tb.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		tb.Fatalf("parse rendered message: %v\n%s", err, raw)
	}
	return m
}

func lf(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

func decodeQP(tb testing.TB, enc string, r io.Reader) string {
	tb.Helper()
	if enc != "quoted-printable" {
		tb.Errorf("Content-Transfer-Encoding = %q, want quoted-printable", enc)
	}
	b, err := io.ReadAll(quotedprintable.NewReader(r))
	if err != nil {
		tb.Fatalf("decode quoted-printable: %v", err)
	}
	return lf(string(b))
}

func TestRenderStructure(t *testing.T) {
	tests := []struct {
		name      string
		msg       *mailer.Message
		wantParts []string // content types
		wantList  string
	}{
		{
			name: "text only", msg: testMessage(), wantParts: []string{"text/plain"},
			wantList: "<https://crumb.example/u/tok123>",
		},
		{
			name: "text and html", msg: withHTML(testMessage()), wantParts: []string{"text/plain", "text/html"},
			wantList: "<https://crumb.example/u/tok123>, <mailto:unsubscribe+tok123@crumb.example>",
		},
	}
	once := []string{"Message-Id", "Date", "From", "To", "Subject", "Mime-Version",
		"List-Unsubscribe", "List-Unsubscribe-Post", "Content-Type", "Reply-To", "X-Courtesy-Campaign"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := mailer.Render(tt.msg, nil)
			if err != nil {
				t.Fatal(err)
			}
			counts := countHeaders(t, raw)
			for _, h := range once {
				if counts[h] != 1 {
					t.Errorf("%s appears %d times, want once", h, counts[h])
				}
			}
			for _, h := range []string{"Return-Path", "User-Agent", "X-Mailer", "Bcc"} {
				if counts[h] != 0 {
					t.Errorf("%s appears %d times, want never", h, counts[h])
				}
			}
			m := parse(t, raw)
			var dec mime.WordDecoder
			got := map[string]string{}
			for _, h := range []string{"Subject", "List-Unsubscribe", "List-Unsubscribe-Post", "Message-Id"} {
				v, err := dec.DecodeHeader(m.Header.Get(h))
				if err != nil {
					t.Fatalf("decode %s: %v", h, err)
				}
				got[h] = v
			}
			want := map[string]string{
				"Subject":               tt.msg.Subject,
				"List-Unsubscribe":      tt.wantList,
				"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
				"Message-Id":            tt.msg.MessageID,
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("headers (-want +got):\n%s", diff)
			}
			to, err := m.Header.AddressList("To")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]*mail.Address{{Name: "Ana Müller", Address: "ana@example.org"}}, to); diff != "" {
				t.Errorf("To (-want +got):\n%s", diff)
			}
			date, err := m.Header.Date()
			if err != nil || !date.Equal(tt.msg.Date) {
				t.Errorf("Date = %v, %v; want %v", date, err, tt.msg.Date)
			}

			mediaType, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
			if err != nil {
				t.Fatal(err)
			}
			var types, bodies []string
			if len(tt.wantParts) == 1 {
				types = append(types, mediaType)
				if params["charset"] != "UTF-8" {
					t.Errorf("charset = %q, want UTF-8", params["charset"])
				}
				bodies = append(bodies, decodeQP(t, m.Header.Get("Content-Transfer-Encoding"), m.Body))
			} else {
				if mediaType != "multipart/alternative" {
					t.Fatalf("Content-Type = %q, want multipart/alternative", mediaType)
				}
				mr := multipart.NewReader(m.Body, params["boundary"])
				for {
					p, err := mr.NextRawPart()
					if err == io.EOF {
						break
					}
					if err != nil {
						t.Fatal(err)
					}
					pt, pp, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
					if pp["charset"] != "UTF-8" {
						t.Errorf("%s charset = %q, want UTF-8", pt, pp["charset"])
					}
					types = append(types, pt)
					bodies = append(bodies, decodeQP(t, p.Header.Get("Content-Transfer-Encoding"), p))
				}
			}
			if diff := cmp.Diff(tt.wantParts, types); diff != "" {
				t.Errorf("parts (-want +got):\n%s", diff)
			}
			wantBodies := []string{tt.msg.Text}
			if tt.msg.HTML != "" {
				wantBodies = append(wantBodies, tt.msg.HTML)
			}
			if diff := cmp.Diff(wantBodies, bodies); diff != "" {
				t.Errorf("bodies (-want +got):\n%s", diff)
			}
			if bytes.Contains(raw, []byte("\n")) && bytes.Count(raw, []byte("\n")) != bytes.Count(raw, []byte("\r\n")) {
				t.Errorf("a line ends in a bare LF")
			}
		})
	}
}

func TestRenderHeaderInjection(t *testing.T) {
	m := testMessage()
	m.Subject = "Hello\r\nBcc: victim@example.net\r\n\r\nbody"
	m.ToName = "Ana\nX-Injected: yes"
	raw, err := mailer.Render(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	counts := countHeaders(t, raw)
	for _, h := range []string{"Bcc", "X-Injected"} {
		if counts[h] != 0 {
			t.Errorf("injected header %s made it into the message:\n%s", h, raw)
		}
	}
	parsed := parse(t, raw)
	var dec mime.WordDecoder
	subject, _ := dec.DecodeHeader(parsed.Header.Get("Subject"))
	if want := "Hello Bcc: victim@example.net body"; subject != want {
		t.Errorf("Subject = %q, want %q", subject, want)
	}
	to, err := parsed.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Name != "Ana X-Injected: yes" || to[0].Address != "ana@example.org" {
		t.Errorf("To = %v, %v; want one address named %q", to, err, "Ana X-Injected: yes")
	}

	refused := []struct {
		name string
		edit func(*mailer.Message)
	}{
		{"header value", func(m *mailer.Message) { m.Headers["X-Courtesy-Campaign"] = "a\r\nBcc: victim@example.net" }},
		{"header name", func(m *mailer.Message) { m.Headers["X-A\r\nBcc"] = "x" }},
		{"from", func(m *mailer.Message) { m.From = "Shop\r\nBcc: victim@example.net <hello@crumb.example>" }},
		{"managed header", func(m *mailer.Message) { m.Headers["bcc"] = "victim@example.net" }},
		{"second subject", func(m *mailer.Message) { m.Headers["Subject"] = "again" }},
		{"unsubscribe url", func(m *mailer.Message) { m.UnsubscribeURL = "https://crumb.example/u/x>\r\nBcc: v@e.net" }},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			m := testMessage()
			tt.edit(m)
			raw, err := mailer.Render(m, nil)
			if !errors.Is(err, mailer.ErrInvalidMessage) {
				t.Fatalf("Render = %v, want ErrInvalidMessage; message:\n%s", err, raw)
			}
		})
	}
}

func TestRenderRefusesIncompleteMessages(t *testing.T) {
	tests := []struct {
		name string
		edit func(*mailer.Message)
		want string // in the error
	}{
		{"no unsubscribe URL", func(m *mailer.Message) { m.UnsubscribeURL = "" }, "unsubscribe URL"},
		{"http unsubscribe URL", func(m *mailer.Message) { m.UnsubscribeURL = "http://crumb.example/u/x" }, "must be https"},
		{"relative unsubscribe URL", func(m *mailer.Message) { m.UnsubscribeURL = "/u/x" }, "not an absolute URL"},
		{"bad mailto", func(m *mailer.Message) { m.UnsubscribeMail = "mailto:not an address" }, "unsubscribe address"},
		{"no date", func(m *mailer.Message) { m.Date = time.Time{} }, "no Date"},
		{"no text", func(m *mailer.Message) { m.Text = "" }, "no text body"},
		{"no recipient", func(m *mailer.Message) { m.To = "" }, "no recipient"},
		{"bad recipient", func(m *mailer.Message) { m.To = "ana at example.org" }, "To"},
		{"bad from", func(m *mailer.Message) { m.From = "" }, "From"},
		{"bad message id", func(m *mailer.Message) { m.MessageID = "<no-at-sign>" }, "Message-ID"},
		{"language that would add a header", func(m *mailer.Message) { m.Language = "de\r\nBcc: x@example.com" }, "BCP 47"},
		{"Content-Language among the extra headers", func(m *mailer.Message) { m.Headers["Content-Language"] = "de" }, "Content-Language"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testMessage()
			tt.edit(m)
			_, err := mailer.Render(m, nil)
			if !errors.Is(err, mailer.ErrInvalidMessage) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Render = %v, want ErrInvalidMessage mentioning %q", err, tt.want)
			}
		})
	}
}

// TestRenderContentLanguage: the message says once which language it is
// in, and says nothing when the caller does not know.
func TestRenderContentLanguage(t *testing.T) {
	for lang, want := range map[string][]string{"pt-BR": {"pt-BR"}, "": nil} {
		m := testMessage()
		m.Language = lang
		data, err := mailer.Render(m, nil)
		if err != nil {
			t.Fatal(err)
		}
		msg, err := mail.ReadMessage(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, msg.Header["Content-Language"]); diff != "" {
			t.Errorf("language %q: Content-Language (-want +got):\n%s", lang, diff)
		}
	}
}

func TestRenderAcceptsLoopbackHTTPAndMakesMessageID(t *testing.T) {
	m := testMessage()
	m.UnsubscribeURL = "http://127.0.0.1:8080/u/tok"
	m.MessageID = ""
	raw, err := mailer.Render(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := parse(t, raw).Header
	if got := h.Get("List-Unsubscribe"); got != "<http://127.0.0.1:8080/u/tok>" {
		t.Errorf("List-Unsubscribe = %q", got)
	}
	if id := h.Get("Message-Id"); !strings.HasSuffix(id, "@crumb.example>") {
		t.Errorf("Message-ID = %q, want one on the From domain", id)
	}
}

func TestNewMessageID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := mailer.NewMessageID("Crumb.Example")
		if seen[id] {
			t.Fatalf("NewMessageID repeated %s", id)
		}
		seen[id] = true
		// net/mail's parser checks the RFC 5322 msg-id syntax.
		h := mail.Header{"Message-Id": {id}}
		ids, err := h.AddressList("Message-Id")
		if err != nil || len(ids) != 1 || !strings.HasSuffix(ids[0].Address, "@crumb.example") {
			t.Fatalf("NewMessageID = %q: %v %v", id, ids, err)
		}
	}
	if id := mailer.NewMessageID("not a domain"); !strings.HasSuffix(id, "@localhost.invalid>") {
		t.Errorf("NewMessageID(invalid) = %q", id)
	}
}

func TestFileName(t *testing.T) {
	tests := []struct{ name, id, want string }{
		{"plain", "<abc123@crumb.example>", "abc123@crumb.example.eml"},
		{"path tricks", "<../../etc/passwd@x>", "_._.._etc_passwd@x.eml"},
		{"leading dot", "<.hidden@x>", "_hidden@x.eml"},
		{"empty", "<>", "message.eml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mailer.FileName(tt.id); got != tt.want {
				t.Errorf("FileName(%q) = %q, want %q", tt.id, got, tt.want)
			}
		})
	}
}
