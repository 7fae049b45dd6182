package worker_test

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/campaigns"
	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/internal/testenv"
	"github.com/courtesyhq/courtesy/mailer"
	"github.com/courtesyhq/courtesy/mailer/mailtest"
	"github.com/courtesyhq/courtesy/scheduler"
	"github.com/courtesyhq/courtesy/store"
	"github.com/courtesyhq/courtesy/throttle/throttleredis"
	"github.com/courtesyhq/courtesy/tone"
	"github.com/courtesyhq/courtesy/worker"
)

// The SMTP faults a real provider shows, each driven through the whole
// pipeline: what is retried, what is final, what suppresses the address, and
// what is never sent twice.

// swapSender lets a test replace the pipeline's sender after newEnv built
// it, once the sink's address is known.
type swapSender struct {
	mu sync.Mutex
	s  mailer.Sender
}

func (w *swapSender) Send(ctx context.Context, m *mailer.Message) error {
	w.mu.Lock()
	s := w.s
	w.mu.Unlock()
	return s.Send(ctx, m)
}

func (w *swapSender) Close() error { return nil }

func (w *swapSender) set(s mailer.Sender) {
	w.mu.Lock()
	w.s = s
	w.mu.Unlock()
}

var faultNow = time.Date(2026, 3, 14, 9, 45, 0, 0, time.UTC)

// faultEnv is an env with one consenting customer whose birthday message is
// planned and due, and the sender swappable.
func faultEnv(t *testing.T) (*env, *swapSender, string) {
	t.Helper()
	sw := &swapSender{}
	e := newEnv(t, options{sender: func(s mailer.Sender) mailer.Sender { sw.set(s); return sw }})
	e.clock.Set(faultNow)
	e.customer("c1", "ana@example.org", "Ana", "03-14", "UTC")
	e.consent("c1", "birthday", courtesy.Granted, faultNow.Add(-24*time.Hour))
	keys := e.plan()
	if len(keys) != 1 {
		t.Fatalf("planned %v, want one message", keys)
	}
	return e, sw, keys[0]
}

func faultOpenSender(t *testing.T, url string, cfg mailer.Config) mailer.Sender {
	t.Helper()
	s, err := mailer.Open(url, cfg)
	if err != nil {
		t.Fatalf("Open(%s): %v", url, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// faultProcess runs one delivery of the task, as asynq would.
func (e *env) faultProcess(key string, lastTry bool) error {
	e.t.Helper()
	return e.pipeline.Process(context.Background(), key, lastTry)
}

func TestFaultTemporaryReplyIsRetriedThenSent(t *testing.T) {
	for _, tt := range []struct {
		name     string
		code     int
		enhanced string
	}{
		{"421 service not available", 421, "4.3.2"},
		{"451 local error", 451, "4.3.0"},
		{"452 insufficient storage", 452, "4.3.1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e, _, key := faultEnv(t)
			e.sink.FailNext(1, tt.code, tt.enhanced, "try again later")

			err := e.faultProcess(key, false)
			if err == nil || errors.Is(err, asynq.SkipRetry) {
				t.Fatalf("first attempt: err = %v, want a retryable error", err)
			}
			if got := e.decision(key); got != "deferred:retry" {
				t.Errorf("after a %d: decision = %s, want deferred:retry", tt.code, got)
			}
			if err := e.faultProcess(key, false); err != nil {
				t.Fatalf("retry: %v", err)
			}
			if got := e.decision(key); got != "sent" {
				t.Errorf("after the retry: decision = %s, want sent", got)
			}
			if n := e.sink.Count(); n != 1 {
				t.Errorf("sink received %d messages, want 1", n)
			}
			// A redelivery of the finished task sends nothing more.
			if err := e.faultProcess(key, false); err != nil {
				t.Fatal(err)
			}
			if n := e.sink.Count(); n != 1 {
				t.Errorf("after a redelivery the sink received %d messages, want 1", n)
			}
		})
	}
}

func TestFaultTemporaryOnLastTryIsFinal(t *testing.T) {
	e, _, key := faultEnv(t)
	e.sink.FailNext(1, 451, "4.3.0", "try again later")
	err := e.faultProcess(key, true)
	if !errors.Is(err, asynq.SkipRetry) {
		t.Errorf("err = %v, want SkipRetry", err)
	}
	if got := e.decision(key); got != "failed:temporary-retries-exhausted" {
		t.Errorf("decision = %s, want failed:temporary-retries-exhausted", got)
	}
}

func TestFaultPermanentBadMailboxSuppressesAddress(t *testing.T) {
	for _, tt := range []struct {
		name   string
		inject func(e *env)
	}{
		{"550 5.1.1 after the data", func(e *env) { e.sink.FailNext(1, 550, "5.1.1", "no such user") }},
		{"550 5.1.1 at RCPT TO", func(e *env) { e.sink.RejectRecipient("ana@example.org", 550, "5.1.1") }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e, _, key := faultEnv(t)
			tt.inject(e)
			err := e.faultProcess(key, false)
			if !errors.Is(err, asynq.SkipRetry) {
				t.Errorf("err = %v, want SkipRetry: a 5xx is final", err)
			}
			if got := e.decision(key); got != "failed:rejected" {
				t.Errorf("decision = %s, want failed:rejected", got)
			}
			sup, s, err := e.db.Suppressed(context.Background(), "ana@example.org")
			if err != nil {
				t.Fatal(err)
			}
			if !sup || s.Reason != "hard-bounce" {
				t.Errorf("Suppressed = %v %+v, want a hard-bounce suppression", sup, s)
			}
			if n := e.sink.Count(); n != 0 {
				t.Errorf("sink accepted %d messages, want 0", n)
			}
		})
	}
}

func TestFaultPermanentOtherRejectionDoesNotSuppress(t *testing.T) {
	e, _, key := faultEnv(t)
	e.sink.FailNext(1, 554, "5.7.1", "message refused as spam")
	if err := e.faultProcess(key, false); !errors.Is(err, asynq.SkipRetry) {
		t.Errorf("err = %v, want SkipRetry", err)
	}
	if got := e.decision(key); got != "failed:rejected" {
		t.Errorf("decision = %s, want failed:rejected", got)
	}
	if sup, _, err := e.db.Suppressed(context.Background(), "ana@example.org"); err != nil || sup {
		t.Errorf("Suppressed = %v, %v; a content rejection is not the mailbox's fault", sup, err)
	}
}

// rawSMTP is a hand-written SMTP server that hangs up at a chosen command of
// its first connection and behaves on later ones, counting the messages it
// accepts. mailtest cannot drop a connection in the middle of a
// transaction, before the final ".".
type rawSMTP struct {
	ln     net.Listener
	dropAt string // "DATA": hang up instead of the 354 reply

	mu       sync.Mutex
	conns    int
	accepted int
}

func newRawSMTP(t *testing.T, dropAt string) *rawSMTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &rawSMTP{ln: ln, dropAt: dropAt}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			r.mu.Lock()
			r.conns++
			first := r.conns == 1
			r.mu.Unlock()
			go r.serve(c, first)
		}
	}()
	return r
}

func (r *rawSMTP) url() string { return "smtp://" + r.ln.Addr().String() }

func (r *rawSMTP) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.accepted
}

func (r *rawSMTP) serve(c net.Conn, first bool) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	say := func(s string) { _, _ = c.Write([]byte(s + "\r\n")) }
	say("220 raw.localhost ESMTP")
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		verb, _, _ := strings.Cut(cmd, " ")
		if first && verb == r.dropAt {
			return // hang up: no reply
		}
		switch verb {
		case "EHLO", "HELO":
			say("250-raw.localhost")
			say("250 8BITMIME")
		case "MAIL", "RCPT", "RSET", "NOOP":
			say("250 OK")
		case "DATA":
			say("354 go ahead")
			for {
				l, err := br.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
			}
			r.mu.Lock()
			r.accepted++
			r.mu.Unlock()
			say("250 queued")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("502 not implemented")
		}
	}
}

func TestFaultConnectionDroppedBeforeFinalDotIsTemporary(t *testing.T) {
	for _, at := range []string{"MAIL", "RCPT", "DATA"} {
		t.Run("hang up at "+at, func(t *testing.T) {
			e, sw, key := faultEnv(t)
			raw := newRawSMTP(t, at)
			sw.set(faultOpenSender(t, raw.url(), mailer.Config{MaxConnections: 1, Timeout: 5 * time.Second}))

			err := e.faultProcess(key, false)
			if err == nil || errors.Is(err, asynq.SkipRetry) {
				t.Fatalf("err = %v, want a retryable error", err)
			}
			if got := e.decision(key); got != "deferred:retry" {
				t.Errorf("decision = %s, want deferred:retry: the server never had the whole message", got)
			}
			if err := e.faultProcess(key, false); err != nil {
				t.Fatalf("retry: %v", err)
			}
			if got := e.decision(key); got != "sent" {
				t.Errorf("after the retry: decision = %s, want sent", got)
			}
			if n := raw.count(); n != 1 {
				t.Errorf("server accepted %d messages, want 1", n)
			}
		})
	}
}

func TestFaultConnectionDroppedAfterFinalDotIsNeverResent(t *testing.T) {
	e, _, key := faultEnv(t)
	e.sink.DropAfterData(1)
	if err := e.faultProcess(key, false); err != nil {
		t.Errorf("err = %v; an unknown outcome is recorded, not retried", err)
	}
	if got := e.decision(key); got != "failed:unknown-outcome" {
		t.Errorf("decision = %s, want failed:unknown-outcome", got)
	}
	for i := 0; i < 3; i++ { // asynq redelivers at least once
		if err := e.faultProcess(key, false); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.sink.Count(); n != 1 {
		t.Errorf("the server read %d copies, want 1", n)
	}
	if got := e.decision(key); got != "failed:unknown-outcome" {
		t.Errorf("after redeliveries: decision = %s, want failed:unknown-outcome", got)
	}
}

func TestFaultWorkerDiedAfterClaimIsNeverResent(t *testing.T) {
	e, _, key := faultEnv(t)
	// What a worker SIGKILLed between claim and SMTP reply leaves behind.
	if _, _, err := e.db.Claim(context.Background(), key, faultNow); err != nil {
		t.Fatal(err)
	}
	if err := e.faultProcess(key, false); err != nil {
		t.Fatal(err)
	}
	if got := e.decision(key); got != "failed:unknown-outcome" {
		t.Errorf("decision = %s, want failed:unknown-outcome", got)
	}
	if n := e.sink.Count(); n != 0 {
		t.Errorf("sink received %d messages, want 0: a claimed message is never sent again", n)
	}
}

func TestFaultStallingServerTimesOutAsTemporary(t *testing.T) {
	e, sw, key := faultEnv(t)
	sw.set(faultOpenSender(t, e.sink.URL(), mailer.Config{MaxConnections: 1, Timeout: 300 * time.Millisecond}))
	e.sink.Stall(3 * time.Second)

	err := e.faultProcess(key, false)
	if err == nil || errors.Is(err, asynq.SkipRetry) {
		t.Fatalf("err = %v, want a retryable timeout", err)
	}
	if !mailer.IsTemporary(err) {
		t.Errorf("err = %v, want a temporary SendError", err)
	}
	if got := e.decision(key); got != "deferred:retry" {
		t.Errorf("decision = %s, want deferred:retry", got)
	}
	e.sink.Stall(0)
	if err := e.faultProcess(key, false); err != nil {
		t.Fatalf("retry after the stall: %v", err)
	}
	if got := e.decision(key); got != "sent" {
		t.Errorf("after the stall: decision = %s, want sent", got)
	}
}

func TestFaultCredentialsWithoutTLSAreNeverSent(t *testing.T) {
	e, sw, key := faultEnv(t)
	e.sink.SetAuth("shop", "s3cret")
	url := strings.Replace(e.sink.URL(), "smtp://", "smtp://shop:s3cret@", 1)
	sw.set(faultOpenSender(t, url, mailer.Config{MaxConnections: 1}))

	err := e.faultProcess(key, false)
	if !errors.Is(err, asynq.SkipRetry) {
		t.Errorf("err = %v, want SkipRetry: a configuration problem is not weather", err)
	}
	if !errors.Is(err, mailer.ErrInsecureAuth) && !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("err = %v, want it to name the missing STARTTLS", err)
	}
	if got := e.decision(key); got != "failed:rejected" {
		t.Errorf("decision = %s, want failed:rejected", got)
	}
	if n := e.sink.Count(); n != 0 {
		t.Errorf("sink received %d messages, want 0", n)
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("the error shows the password: %v", err)
	}
}

// TestFaultDatabaseLockedIsRetried holds SQLite's write lock from another
// connection while the worker tries to claim a message: the claim waits out
// the busy timeout (10 s), the task fails with a retryable error and nothing
// reaches SMTP; once the lock is gone the retry sends it, once.
func TestFaultDatabaseLockedIsRetried(t *testing.T) {
	path := filepath.Join(t.TempDir(), "courtesy.db")
	db, err := store.Open(context.Background(), "sqlite://"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	sink := mailtest.NewSink(t)
	p, key := faultPipelineOn(t, db, sink)

	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	ctx := context.Background()
	conn, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	err = p.Process(ctx, key, false)
	if err == nil || errors.Is(err, asynq.SkipRetry) {
		t.Errorf("with the database locked: err = %v, want a retryable error", err)
	}
	if n := sink.Count(); n != 0 {
		t.Errorf("sink received %d messages while the claim could not be written", n)
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if m, err := db.Message(ctx, key); err != nil || m.Decision.Outcome.Final() {
		t.Fatalf("after the failed attempt: %v %v, want the message still waiting", m.Decision, err)
	}
	if err := p.Process(ctx, key, false); err != nil {
		t.Fatalf("retry after the lock: %v", err)
	}
	if m, _ := db.Message(ctx, key); m.Decision.String() != "sent" {
		t.Errorf("after the retry: decision = %s, want sent", m.Decision)
	}
	if n := sink.Count(); n != 1 {
		t.Errorf("sink received %d messages, want 1", n)
	}
}

// faultPipelineOn builds a pipeline like newEnv's over a store the test opened,
// with one consenting customer whose birthday message is planned and due.
func faultPipelineOn(t *testing.T, db *store.DB, sink *mailtest.Sink) (*worker.Pipeline, string) {
	t.Helper()
	c, diags := campaigns.Parse("campaigns/test.yaml", []byte(birthdayYAML), campaigns.Env{
		Purposes: []string{"birthday"}, Templates: templateFS, TemplatesDir: "templates", Location: time.UTC,
	})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	key, err := consent.GenerateKey("k1")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := consent.NewSigner([]consent.Key{key})
	if err != nil {
		t.Fatal(err)
	}
	sender := faultOpenSender(t, sink.URL(), mailer.Config{MaxConnections: 1})
	checker, err := tone.New("warm")
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return faultNow }
	q := &queue{}
	p, err := worker.New(worker.Config{
		Business: worker.Business{
			Name: "Crumb & Co. Bakery", PostalAddress: "12 Mill Lane, Bristol BS1 4DJ, UK",
			From: "Crumb & Co. <hello@crumb.example>", BaseURL: "https://crumb.example", Domain: "crumb.example",
		},
		Campaigns: map[string]*campaigns.Campaign{c.ID: c},
		Tone:      map[string]*tone.Checker{"warm": checker},
		Signer:    signer,
		Store:     db,
		Limiter:   throttleredis.NewLimiter(testenv.Redis(t, testenv.RedisDBWorker), "test:"+t.Name(), db),
		Sender:    sender,
		Scheduler: q,
		Now:       now,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	md, _ := courtesy.ParseMonthDay("03-14")
	if errs, err := db.UpsertCustomers(ctx, []courtesy.Customer{{ID: "c1", Email: "ana@example.org", FirstName: "Ana", Birthday: md, Timezone: "UTC"}}); err != nil || errs[0] != nil {
		t.Fatal(err, errs)
	}
	if _, err := db.AppendConsent(ctx, courtesy.ConsentRecord{CustomerID: "c1", Purpose: "birthday", Status: courtesy.Granted, Source: "form", Notice: "v1", RecordedAt: faultNow.Add(-24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	planner := &scheduler.Planner{Campaigns: []*campaigns.Campaign{c}, Store: db, Queue: q, Location: time.UTC}
	if _, err := planner.Plan(ctx, faultNow); err != nil {
		t.Fatal(err)
	}
	keys := q.take(faultNow)
	if len(keys) != 1 {
		t.Fatalf("planned %v, want one message", keys)
	}
	return p, keys[0]
}
