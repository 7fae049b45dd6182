// Package mailtest is an SMTP server for tests: it runs in the test process
// on 127.0.0.1, keeps what it receives, and fails on request — a 4xx or 5xx
// reply, a rejected recipient, a connection dropped before the final reply,
// a stalled server — so the mailer's error handling can be exercised
// against real SMTP.
package mailtest

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Received is one message the sink accepted.
type Received struct {
	From   string   // envelope sender
	To     []string // envelope recipients
	Data   []byte   // the message as sent
	Header mail.Header
	User   string // the authenticated user, if any
	At     time.Time
}

// Sink is an in-process SMTP server. Its methods are safe for concurrent
// use.
type Sink struct {
	srv      *smtp.Server
	addr     string
	tlsAddr  string      // implicit TLS listener; NewTLSSink only
	clientTL *tls.Config // trusts the sink's certificate; NewTLSSink only
	done     chan struct{}

	mu         sync.Mutex
	received   []Received
	count      int
	conns      int
	open       []net.Conn
	failNext   []fault
	rejects    map[string]*smtp.SMTPError
	dropAfter  int
	stall      time.Duration
	discard    bool
	user, pass string
	changed    chan struct{} // closed and replaced whenever count changes
	transcript bytes.Buffer  // both directions of every session, as sent
}

type fault struct {
	n   int
	err *smtp.SMTPError
}

// NewSink starts a plain SMTP sink on 127.0.0.1; it is closed when the test
// ends.
func NewSink(tb testing.TB) *Sink {
	tb.Helper()
	s := newSink()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("mailtest: listen: %v", err)
	}
	s.addr = ln.Addr().String()
	s.serve(&countingListener{Listener: ln, s: s})
	tb.Cleanup(s.close)
	return s
}

// NewTLSSink starts a sink with a self-signed certificate for 127.0.0.1: it
// offers STARTTLS on URL() and implicit TLS on SMTPSURL(). ClientTLSConfig
// trusts the certificate.
func NewTLSSink(tb testing.TB) *Sink {
	tb.Helper()
	cert, pool, err := selfSigned()
	if err != nil {
		tb.Fatalf("mailtest: certificate: %v", err)
	}
	s := newSink()
	s.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	s.clientTL = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("mailtest: listen: %v", err)
	}
	tln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = ln.Close()
		tb.Fatalf("mailtest: listen: %v", err)
	}
	s.addr, s.tlsAddr = ln.Addr().String(), tln.Addr().String()
	s.serve(&countingListener{Listener: ln, s: s})
	s.serve(tls.NewListener(&countingListener{Listener: tln, s: s}, s.srv.TLSConfig))
	tb.Cleanup(s.close)
	return s
}

func newSink() *Sink {
	s := &Sink{
		done:    make(chan struct{}),
		rejects: map[string]*smtp.SMTPError{},
		changed: make(chan struct{}),
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{sink: s, conn: c}, nil
	}))
	srv.Domain = "mailtest.localhost"
	srv.AllowInsecureAuth = true // so a client that would send credentials in the clear can be caught
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	srv.MaxMessageBytes = 10 << 20
	srv.ErrorLog = log.New(io.Discard, "", 0)
	srv.Debug = transcriptWriter{s}
	s.srv = srv
	return s
}

// transcriptWriter appends what the server reads and writes to the sink's
// transcript.
type transcriptWriter struct{ s *Sink }

func (w transcriptWriter) Write(p []byte) (int, error) {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	return w.s.transcript.Write(p)
}

// Transcript is every SMTP session so far, commands and replies, byte for
// byte: what a strict server would have read.
func (s *Sink) Transcript() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.transcript.String()
}

func (s *Sink) serve(ln net.Listener) {
	go func() { _ = s.srv.Serve(ln) }()
}

func (s *Sink) close() {
	close(s.done)
	_ = s.srv.Close()
}

// URL is "smtp://127.0.0.1:port".
func (s *Sink) URL() string { return "smtp://" + s.addr }

// SMTPSURL is "smtps://127.0.0.1:port", the implicit-TLS listener of a
// NewTLSSink; "" for a plain sink.
func (s *Sink) SMTPSURL() string {
	if s.tlsAddr == "" {
		return ""
	}
	return "smtps://" + s.tlsAddr
}

// ClientTLSConfig trusts a NewTLSSink's certificate; nil for a plain sink.
func (s *Sink) ClientTLSConfig() *tls.Config {
	if s.clientTL == nil {
		return nil
	}
	return s.clientTL.Clone()
}

// SetAuth makes the sink offer AUTH PLAIN and accept these credentials.
func (s *Sink) SetAuth(user, pass string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user, s.pass = user, pass
}

// Messages returns a copy of what was received, oldest first.
func (s *Sink) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// Count is the number of messages accepted (or, after DropAfterData, read
// and left unanswered), kept or discarded.
func (s *Sink) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

// Connections is the number of connections accepted so far.
func (s *Sink) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// DropConnections closes every connection accepted so far, as a server
// does with idle ones; the clients find out on their next command.
func (s *Sink) DropConnections() {
	s.mu.Lock()
	open := s.open
	s.open = nil
	s.mu.Unlock()
	for _, c := range open {
		_ = c.Close()
	}
}

// WaitFor waits until n messages have been counted, and fails the test
// after timeout.
func (s *Sink) WaitFor(tb testing.TB, n int, timeout time.Duration) {
	tb.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		count, changed := s.count, s.changed
		s.mu.Unlock()
		if count >= n {
			return
		}
		select {
		case <-changed:
		case <-deadline.C:
			tb.Fatalf("mailtest: %d messages after %v, want %d", count, timeout, n)
		}
	}
}

// FailNext makes the next n messages fail with this reply to the final "."
// of DATA — after the message was read, as a real server does when it
// checks content. enhanced is "4.3.0", "5.1.1" or "" (then X.0.0).
func (s *Sink) FailNext(n int, code int, enhanced, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = append(s.failNext, fault{n: n, err: smtpError(code, enhanced, msg)})
}

// RejectRecipient makes RCPT TO addr fail with this reply until the test
// ends.
func (s *Sink) RejectRecipient(addr string, code int, enhanced string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejects[strings.ToLower(addr)] = smtpError(code, enhanced, "recipient rejected")
}

// DropAfterData makes the sink close the connection after reading the next
// n messages, without a reply: the client cannot know whether they were
// delivered. They are counted and kept, as a real server may have
// delivered them.
func (s *Sink) DropAfterData(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropAfter += n
}

// Stall delays the reply to every later MAIL FROM and final "." by d; zero
// turns it off.
func (s *Sink) Stall(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stall = d
}

// SetDiscard makes the sink count messages without keeping them, for
// benchmarks.
func (s *Sink) SetDiscard(discard bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.discard = discard
}

func smtpError(code int, enhanced, msg string) *smtp.SMTPError {
	e := &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCodeNotSet, Message: msg}
	if e.Message == "" {
		e.Message = "failed by mailtest"
	}
	if parts := strings.Split(enhanced, "."); len(parts) == 3 {
		for i, p := range parts {
			e.EnhancedCode[i], _ = strconv.Atoi(p)
		}
	}
	return e
}

// sleep waits d, or less if the sink closes.
func (s *Sink) sleep(d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.done:
	}
}

func (s *Sink) stallFor() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stall
}

// finish decides what happens to a message whose data was read: dropped
// without a reply, failed, or accepted.
func (s *Sink) finish(r Received) (drop bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dropAfter > 0 {
		s.dropAfter--
		s.accept(r)
		return true, nil
	}
	if len(s.failNext) > 0 {
		f := &s.failNext[0]
		f.n--
		err := f.err
		if f.n <= 0 {
			s.failNext = s.failNext[1:]
		}
		return false, err
	}
	s.accept(r)
	return false, nil
}

// accept records a message; s.mu is held.
func (s *Sink) accept(r Received) {
	s.count++
	if !s.discard {
		if m, err := mail.ReadMessage(bytes.NewReader(r.Data)); err == nil {
			r.Header = m.Header
		}
		s.received = append(s.received, r)
	}
	close(s.changed)
	s.changed = make(chan struct{})
}

type session struct {
	sink *Sink
	conn *smtp.Conn
	from string
	to   []string
	user string
}

var _ smtp.AuthSession = (*session)(nil)

func (ss *session) AuthMechanisms() []string {
	ss.sink.mu.Lock()
	defer ss.sink.mu.Unlock()
	if ss.sink.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(_, user, pass string) error {
		ss.sink.mu.Lock()
		ok := ss.sink.user != "" && user == ss.sink.user && pass == ss.sink.pass
		ss.sink.mu.Unlock()
		if !ok {
			return smtp.ErrAuthFailed
		}
		ss.user = user
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.sink.sleep(ss.sink.stallFor())
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.sink.mu.Lock()
	rej := ss.sink.rejects[strings.ToLower(to)]
	ss.sink.mu.Unlock()
	if rej != nil {
		return rej
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	ss.sink.mu.Lock()
	discard := ss.sink.discard
	ss.sink.mu.Unlock()
	var data []byte
	if discard {
		if _, err := io.Copy(io.Discard, r); err != nil {
			return err
		}
	} else {
		var err error
		if data, err = io.ReadAll(r); err != nil {
			return err
		}
	}
	ss.sink.sleep(ss.sink.stallFor())
	drop, err := ss.sink.finish(Received{
		From: ss.from, To: append([]string(nil), ss.to...), Data: data, User: ss.user, At: time.Now(),
	})
	if drop {
		_ = ss.conn.Conn().Close()
		return errors.New("mailtest: connection dropped")
	}
	return err
}

func (ss *session) Reset() {
	ss.from, ss.to = "", nil
}

func (ss *session) Logout() error { return nil }

// countingListener counts the connections it accepts.
type countingListener struct {
	net.Listener
	s *Sink
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.s.mu.Lock()
		l.s.conns++
		l.s.open = append(l.s.open, c)
		l.s.mu.Unlock()
	}
	return c, err
}
