package mailer_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy/mailer"
	"github.com/courtesyhq/courtesy/mailer/mailtest"
)

func mustOpen(tb testing.TB, url string, cfg mailer.Config) mailer.Sender {
	tb.Helper()
	s, err := mailer.Open(url, cfg)
	if err != nil {
		tb.Fatalf("Open(%s): %v", url, err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

func withCredentials(url, user, pass string) string {
	scheme, rest, _ := strings.Cut(url, "://")
	return scheme + "://" + user + ":" + pass + "@" + rest
}

func TestSMTPDelivers(t *testing.T) {
	sink := mailtest.NewSink(t)
	d := rsaDKIM(t)
	s := mustOpen(t, sink.URL(), mailer.Config{DKIM: d, HelloName: "crumb.example"})
	m := withHTML(testMessage())
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	sink.WaitFor(t, 1, 5*time.Second)
	got := sink.Messages()[0]
	if diff := cmp.Diff([]string{"ana@example.org"}, got.To); diff != "" {
		t.Errorf("RCPT TO (-want +got):\n%s", diff)
	}
	if got.From != "bounce+tok123@crumb.example" {
		t.Errorf("MAIL FROM = %q, want the Return-Path", got.From)
	}
	if id := got.Header.Get("Message-Id"); id != m.MessageID {
		t.Errorf("Message-ID = %q, want %q", id, m.MessageID)
	}
	if v := verify(t, got.Data, d); v.Err != nil {
		t.Errorf("the delivered message's signature does not verify: %v", v.Err)
	}
	counts := countHeaders(t, got.Data)
	for _, h := range []string{"List-Unsubscribe", "List-Unsubscribe-Post", "Message-Id", "Dkim-Signature"} {
		if counts[h] != 1 {
			t.Errorf("%s appears %d times, want once", h, counts[h])
		}
	}
}

// TestSMTPEnvelopeAddressesAreBracketed: RFC 5321 writes the reverse and
// forward paths in angle brackets; strict servers refuse a bare address
// with 555, which would stop every send.
func TestSMTPEnvelopeAddressesAreBracketed(t *testing.T) {
	sink := mailtest.NewSink(t)
	s := mustOpen(t, sink.URL(), mailer.Config{HelloName: "crumb.example"})
	if err := s.Send(context.Background(), testMessage()); err != nil {
		t.Fatal(err)
	}
	sink.WaitFor(t, 1, 5*time.Second)
	var mail, rcpt []string
	for _, line := range strings.Split(sink.Transcript(), "\r\n") {
		switch {
		case strings.HasPrefix(line, "MAIL FROM:"):
			mail = append(mail, line)
		case strings.HasPrefix(line, "RCPT TO:"):
			rcpt = append(rcpt, line)
		}
	}
	want := []string{"MAIL FROM:<bounce+tok123@crumb.example> BODY=8BITMIME", "RCPT TO:<ana@example.org>"}
	if diff := cmp.Diff(want, append(mail, rcpt...)); diff != "" {
		t.Errorf("envelope commands on the wire (-want +got):\n%s", diff)
	}
}

func TestSMTPReusesConnections(t *testing.T) {
	sink := mailtest.NewSink(t)
	s := mustOpen(t, sink.URL(), mailer.Config{MaxConnections: 2})
	const n = 100
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			m := testMessage()
			m.To = fmt.Sprintf("customer%d@example.org", i)
			m.MessageID = mailer.NewMessageID("crumb.example")
			errs <- s.Send(context.Background(), m)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := sink.Count(); got != n {
		t.Errorf("sink received %d messages, want %d", got, n)
	}
	if c := sink.Connections(); c < 1 || c > 2 {
		t.Errorf("%d sends used %d connections, want 1 or 2", n, c)
	}
	seen := map[string]bool{}
	for _, r := range sink.Messages() {
		seen[r.To[0]] = true
	}
	if len(seen) != n {
		t.Errorf("%d distinct recipients, want %d: one transaction per message", len(seen), n)
	}
}

func TestSMTPReconnectsAfterServerDropsIdleConnection(t *testing.T) {
	sink := mailtest.NewSink(t)
	s := mustOpen(t, sink.URL(), mailer.Config{MaxConnections: 1})
	if err := s.Send(context.Background(), testMessage()); err != nil {
		t.Fatal(err)
	}
	sink.DropConnections()
	if err := s.Send(context.Background(), testMessage()); err != nil {
		t.Fatalf("send after the server closed the idle connection: %v", err)
	}
	if got, want := sink.Count(), 2; got != want {
		t.Errorf("count = %d, want %d", got, want)
	}
	if got := sink.Connections(); got != 2 {
		t.Errorf("connections = %d, want 2 (one replaced)", got)
	}
}

type classification struct {
	Temporary, Address, Unknown bool
	Code                        int
	Enhanced, Stage             string
}

func classify(err error) classification {
	c := classification{
		Temporary: mailer.IsTemporary(err),
		Address:   mailer.IsAddressFailure(err),
		Unknown:   mailer.IsUnknownOutcome(err),
	}
	var se *mailer.SendError
	if errors.As(err, &se) {
		c.Code, c.Enhanced, c.Stage = se.Code, se.Enhanced, se.Stage
	}
	return c
}

func TestSMTPFailureClassification(t *testing.T) {
	tests := []struct {
		name      string
		fault     func(*mailtest.Sink)
		timeout   time.Duration
		want      classification
		wantCount int // messages the sink counted for the failed send
	}{
		{
			name:  "451 after data",
			fault: func(s *mailtest.Sink) { s.FailNext(1, 451, "4.3.0", "try later") },
			want:  classification{Temporary: true, Code: 451, Enhanced: "4.3.0", Stage: mailer.StageDataEnd},
		},
		{
			name:  "550 5.1.1 after data",
			fault: func(s *mailtest.Sink) { s.FailNext(1, 550, "5.1.1", "no such user") },
			want:  classification{Address: true, Code: 550, Enhanced: "5.1.1", Stage: mailer.StageDataEnd},
		},
		{
			name:  "552 5.3.4 message too big",
			fault: func(s *mailtest.Sink) { s.FailNext(1, 552, "5.3.4", "too big") },
			want:  classification{Code: 552, Enhanced: "5.3.4", Stage: mailer.StageDataEnd},
		},
		{
			name:  "550 5.1.1 at RCPT",
			fault: func(s *mailtest.Sink) { s.RejectRecipient("ana@example.org", 550, "5.1.1") },
			want:  classification{Address: true, Code: 550, Enhanced: "5.1.1", Stage: mailer.StageRcpt},
		},
		{
			name:  "450 4.2.1 at RCPT",
			fault: func(s *mailtest.Sink) { s.RejectRecipient("ana@example.org", 450, "4.2.1") },
			want:  classification{Temporary: true, Code: 450, Enhanced: "4.2.1", Stage: mailer.StageRcpt},
		},
		{
			name:      "connection dropped after the data",
			fault:     func(s *mailtest.Sink) { s.DropAfterData(1) },
			want:      classification{Temporary: true, Unknown: true, Stage: mailer.StageDataEnd},
			wantCount: 1,
		},
		{
			name:    "server stalls",
			fault:   func(s *mailtest.Sink) { s.Stall(5 * time.Second) },
			timeout: time.Second,
			want:    classification{Temporary: true, Stage: mailer.StageMail},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := mailtest.NewSink(t)
			s := mustOpen(t, sink.URL(), mailer.Config{MaxConnections: 1, Timeout: tt.timeout})
			tt.fault(sink)
			err := s.Send(context.Background(), testMessage())
			if err == nil {
				t.Fatal("Send succeeded, want a failure")
			}
			if diff := cmp.Diff(tt.want, classify(err)); diff != "" {
				t.Errorf("classification of %v (-want +got):\n%s", err, diff)
			}
			if got := sink.Count(); got != tt.wantCount {
				t.Errorf("sink counted %d messages, want %d", got, tt.wantCount)
			}
		})
	}
}

func TestSMTPTemporaryThenSuccess(t *testing.T) {
	sink := mailtest.NewSink(t)
	s := mustOpen(t, sink.URL(), mailer.Config{MaxConnections: 1})
	sink.FailNext(1, 451, "4.3.0", "try later")
	err := s.Send(context.Background(), testMessage())
	if !mailer.IsTemporary(err) {
		t.Fatalf("first send = %v, want a temporary failure", err)
	}
	if err := s.Send(context.Background(), testMessage()); err != nil {
		t.Fatalf("retry = %v, want success", err)
	}
	if got := sink.Count(); got != 1 {
		t.Errorf("count = %d, want 1", got)
	}
	if got := sink.Connections(); got != 1 {
		t.Errorf("connections = %d, want 1: a refused message does not cost the connection", got)
	}
}

func TestSMTPConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // nothing listens there now
	s := mustOpen(t, "smtp://"+addr, mailer.Config{Timeout: 2 * time.Second})
	err = s.Send(context.Background(), testMessage())
	want := classification{Temporary: true, Stage: mailer.StageConnect}
	if diff := cmp.Diff(want, classify(err)); diff != "" {
		t.Errorf("classification of %v (-want +got):\n%s", err, diff)
	}
}

func TestSMTPRefusesCredentialsWithoutTLS(t *testing.T) {
	sink := mailtest.NewSink(t)
	sink.SetAuth("shop", "secret")
	s := mustOpen(t, withCredentials(sink.URL(), "shop", "secret"), mailer.Config{})
	err := s.Send(context.Background(), testMessage())
	if !errors.Is(err, mailer.ErrInsecureAuth) {
		t.Fatalf("Send = %v, want ErrInsecureAuth", err)
	}
	if mailer.IsTemporary(err) {
		t.Errorf("refusing to send credentials in the clear is not temporary")
	}
	if strings.Contains(err.Error(), "secret") {
		t.Errorf("the error shows the password: %v", err)
	}
	if got := sink.Count(); got != 0 {
		t.Errorf("count = %d, want 0", got)
	}
}

func TestSMTPTLS(t *testing.T) {
	sink := mailtest.NewTLSSink(t)
	sink.SetAuth("shop", "secret")
	tests := []struct {
		name, url string
		wantErr   bool
	}{
		{name: "STARTTLS with credentials", url: withCredentials(sink.URL(), "shop", "secret")},
		{name: "implicit TLS with credentials", url: withCredentials(sink.SMTPSURL(), "shop", "secret")},
		{name: "STARTTLS without credentials", url: sink.URL()},
		{name: "wrong password", url: withCredentials(sink.SMTPSURL(), "shop", "guess"), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := sink.Count()
			s := mustOpen(t, tt.url, mailer.Config{TLSConfig: sink.ClientTLSConfig()})
			err := s.Send(context.Background(), testMessage())
			if tt.wantErr {
				if err == nil || mailer.IsTemporary(err) {
					t.Errorf("Send = %v, want a permanent failure", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := sink.Count(); got != before+1 {
				t.Errorf("count = %d, want %d", got, before+1)
			}
		})
	}
	for _, r := range sink.Messages()[:2] {
		if r.User != "shop" {
			t.Errorf("message received from user %q, want shop", r.User)
		}
	}
}

func TestSMTPUntrustedCertificateIsPermanent(t *testing.T) {
	sink := mailtest.NewTLSSink(t)
	s := mustOpen(t, sink.SMTPSURL(), mailer.Config{}) // the system roots do not know the sink
	err := s.Send(context.Background(), testMessage())
	if err == nil || mailer.IsTemporary(err) {
		t.Errorf("Send = %v, want a permanent failure", err)
	}
}

func TestSMTPInvalidMessageAndClose(t *testing.T) {
	sink := mailtest.NewSink(t)
	s := mustOpen(t, sink.URL(), mailer.Config{})
	bad := testMessage()
	bad.UnsubscribeURL = ""
	err := s.Send(context.Background(), bad)
	if !errors.Is(err, mailer.ErrInvalidMessage) || mailer.IsTemporary(err) {
		t.Errorf("Send(invalid) = %v, want a permanent ErrInvalidMessage", err)
	}
	if sink.Connections() != 0 {
		t.Errorf("an invalid message opened a connection")
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Send(ctx, testMessage()); !errors.Is(err, context.Canceled) || !mailer.IsTemporary(err) {
		t.Errorf("Send(cancelled) = %v, want a temporary context.Canceled", err)
	}

	if err := s.Send(context.Background(), testMessage()); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), testMessage()); !errors.Is(err, mailer.ErrClosed) {
		t.Errorf("Send after Close = %v, want ErrClosed", err)
	}
}

func TestOpenRefusesBadURLs(t *testing.T) {
	tests := []struct{ name, url, want string }{
		{"no scheme", "mail.example.com", "no scheme"},
		{"unknown scheme", "ftp://mail.example.com", "unsupported scheme"},
		{"no host", "smtp://", "no host"},
		{"bad port", "smtp://mail.example.com:99999", "bad port"},
		{"file without a directory", "file://", "names no directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := mailer.Open(tt.url, mailer.Config{})
			if err == nil {
				_ = s.Close()
				t.Fatalf("Open(%q) succeeded", tt.url)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Open(%q) = %v, want it to say %q", tt.url, err, tt.want)
			}
		})
	}
}

// The sink's own record of a message is the message as sent.
func TestSMTPSendsRenderedBytes(t *testing.T) {
	sink := mailtest.NewSink(t)
	s := mustOpen(t, sink.URL(), mailer.Config{})
	m := testMessage() // text only: no random boundary
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	want, err := mailer.Render(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := sink.Messages()[0].Data
	if !bytes.Equal(want, got) {
		t.Errorf("sent bytes differ from Render:\n%s", cmp.Diff(string(want), string(got)))
	}
}
