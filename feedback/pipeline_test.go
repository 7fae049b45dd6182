package feedback_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/emersion/go-msgauth/dkim"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/campaigns"
	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/feedback"
	"github.com/courtesyhq/courtesy/mailer"
	"github.com/courtesyhq/courtesy/mailer/mailtest"
	"github.com/courtesyhq/courtesy/throttle"
	"github.com/courtesyhq/courtesy/worker"
)

// The harness below follows worker/harness_test.go: a real store, the real
// pipeline and an in-process SMTP server, with the queue and the limits
// replaced by stand-ins, since what is tested here is what the pipeline
// does with a suppression, not how Redis counts.

type noLimits struct{}

func (noLimits) Reserve(context.Context, throttle.Request) (throttle.Reservation, error) {
	return throttle.Reservation{OK: true}, nil
}
func (noLimits) Release(context.Context, string, string) error { return nil }

type noQueue struct{}

func (noQueue) Enqueue(context.Context, string, time.Time, time.Time) error { return nil }

var (
	_ worker.Limiter   = noLimits{}
	_ worker.Scheduler = noQueue{}
)

const birthdayYAML = `id: birthday-treat
name: Birthday treat
kind: birthday
purpose: birthday
send:
  at: "09:30"
  window: 3h
template:
  subject: "Happy birthday, {{.Customer.FirstName}}"
  text: birthday.txt
tone: warm
`

// sender is a pipeline sending to a sink, over the world's store.
type sender struct {
	w        *world
	sink     *mailtest.Sink
	pipeline *worker.Pipeline
}

func newSender(t *testing.T, w *world, dkim *mailer.DKIM) *sender {
	t.Helper()
	c, diags := campaigns.Parse("campaigns/birthday.yaml", []byte(birthdayYAML), campaigns.Env{
		Purposes:     purposes,
		Templates:    fstest.MapFS{"templates/birthday.txt": {Data: []byte("Dear {{.Customer.FirstName}},\n\nHappy birthday from all of us at {{.Business.Name}}.\n")}},
		TemplatesDir: "templates",
	})
	if diags.HasErrors() {
		t.Fatalf("campaign: %v", diags)
	}
	key, err := consent.GenerateKey("k1")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := consent.NewSigner([]consent.Key{key})
	if err != nil {
		t.Fatal(err)
	}
	sink := mailtest.NewSink(t)
	m, err := mailer.Open(sink.URL(), mailer.Config{MaxConnections: 1, DKIM: dkim})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	p, err := worker.New(worker.Config{
		Business: worker.Business{
			Name: "Crumb & Co. Bakery", PostalAddress: "12 Mill Lane, Bristol BS1 4DJ, UK",
			From: "Crumb & Co. <hello@crumb.example>", BaseURL: "https://crumb.example", Domain: "crumb.example",
			ReturnPath: w.p.ReturnPath, VERPKeys: w.p.Keys,
		},
		Campaigns: map[string]*campaigns.Campaign{c.ID: c},
		Signer:    signer,
		Store:     w.db,
		Limiter:   noLimits{},
		Sender:    m,
		Scheduler: noQueue{},
		Now:       func() time.Time { return w.now },
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return &sender{w: w, sink: sink, pipeline: p}
}

// send plans the customer's birthday message for year and runs it through
// the pipeline; it returns the message as decided.
func (s *sender) send(customerID, year string) courtesy.Message {
	t := s.w.t
	t.Helper()
	ctx := context.Background()
	key := courtesy.MessageKey("birthday-treat", customerID, year)
	if _, _, err := s.w.db.PlanMessage(ctx, courtesy.Message{Key: key, CampaignID: "birthday-treat",
		CustomerID: customerID, Occurrence: year, Purpose: "birthday", DueAt: s.w.now,
		NotAfter: s.w.now.Add(3 * time.Hour), CreatedAt: s.w.now}); err != nil {
		t.Fatal(err)
	}
	if err := s.pipeline.Process(ctx, key, false); err != nil {
		t.Logf("process %s: %v", key, err)
	}
	m, err := s.w.db.Message(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// bounceTo is a DSN sent back to the envelope sender envFrom that quotes
// nothing of the original and names a forwarding address, so only the VERP
// address can tell which message bounced.
func bounceTo(envFrom string) string {
	return fmt.Sprintf(`From: MAILER-DAEMON@mx.example.net
To: %s
Date: Tue, 10 Mar 2026 12:00:00 +0000
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b"

--b
Content-Type: text/plain

The mail system could not deliver your message.

--b
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; forwarded-somewhere@elsewhere.example
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 no such user

--b--
`, envFrom)
}

// A message the worker sent carries a VERP envelope sender; its bounce,
// matched by that alone, suppresses the customer's address, and the next
// message to it is not sent even though every consent still stands.
func TestVERPRoundTripThroughThePipeline(t *testing.T) {
	w := newWorld(t)
	w.now = time.Date(2026, 3, 10, 9, 45, 0, 0, time.UTC) // inside the send window
	s := newSender(t, w, nil)

	first := s.send("jo", "2031")
	if first.Decision.Outcome != courtesy.Sent {
		t.Fatalf("first message: %s, want sent", first.Decision)
	}
	got := s.sink.Messages()
	if len(got) != 1 {
		t.Fatalf("sink holds %d messages, want 1", len(got))
	}
	envFrom := got[0].From
	if want := (feedback.VERP{ReturnPath: "bounce@crumb.example", Keys: w.p.Keys}).Address(first.Key); envFrom != want || !strings.HasPrefix(envFrom, "bounce+") {
		t.Fatalf("MAIL FROM = %q, want the VERP address %q", envFrom, want)
	}

	reports, err := feedback.Parse([]byte(bounceTo(envFrom)))
	if err != nil {
		t.Fatal(err)
	}
	outs, err := w.p.Apply(context.Background(), reports)
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 1 {
		t.Fatalf("%d outcomes, want 1", len(outs))
	}
	o := outs[0]
	if o.MatchedBy != feedback.MatchVERP || o.MessageKey != first.Key || o.Address != "jo.baker@mail.example.net" || !o.Suppressed {
		t.Fatalf("outcome = %+v; want matched by VERP to %s, jo's address suppressed", o, first.Key)
	}

	w.now = w.now.Add(time.Minute)
	second := s.send("jo", "2032")
	if want := (courtesy.Decision{Outcome: courtesy.Suppressed, Reason: courtesy.ReasonAddress}); second.Decision != want {
		t.Errorf("message after the bounce: %s, want %s", second.Decision, want)
	}
	if n := s.sink.Count(); n != 1 {
		t.Errorf("sink holds %d messages after the bounce, want still 1", n)
	}
	if g := w.granted("jo"); !g["birthday"] {
		t.Errorf("a hard bounce withdrew consent: %v", g)
	}
}

// A complaint about a message the pipeline sent stops every later one.
func TestComplaintStopsThePipeline(t *testing.T) {
	w := newWorld(t)
	w.now = time.Date(2026, 3, 10, 9, 45, 0, 0, time.UTC)
	s := newSender(t, w, nil)
	first := s.send("pat", "2031")
	if first.Decision.Outcome != courtesy.Sent {
		t.Fatalf("first message: %s, want sent", first.Decision)
	}
	arf := strings.NewReplacer("<b1rthd4y.9f2e@crumb.example>", first.MessageID).Replace(string(readTestdata(t, "arf-abuse.eml")))
	reports, err := feedback.Parse([]byte(arf))
	if err != nil {
		t.Fatal(err)
	}
	outs, err := w.p.Apply(context.Background(), reports)
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 1 || outs[0].MessageKey != first.Key || !outs[0].Withdrawn {
		t.Fatalf("outcomes = %+v; want the complaint matched to %s and every purpose withdrawn", outs, first.Key)
	}
	w.now = w.now.Add(time.Minute)
	if second := s.send("pat", "2032"); second.Decision.Outcome != courtesy.Suppressed {
		t.Errorf("message after the complaint: %s, want suppressed", second.Decision)
	}
	if n := s.sink.Count(); n != 1 {
		t.Errorf("sink holds %d messages, want 1", n)
	}
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A message the pipeline sends through a DKIM-configured mailer, VERP
// envelope and all, verifies with an independent verifier, and the
// signature covers both unsubscribe headers.
func TestPipelineMessageIsDKIMSigned(t *testing.T) {
	pem, err := os.ReadFile(filepath.Join("..", "doctor", "testdata", "test-rsa2048.pem"))
	if err != nil {
		t.Fatal(err)
	}
	key := &mailer.DKIM{Domain: "crumb.example", Selector: "s2026", PrivateKeyPEM: pem}
	name, value, err := key.DNSRecord()
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(t)
	w.now = time.Date(2026, 3, 10, 9, 45, 0, 0, time.UTC)
	s := newSender(t, w, key)
	if m := s.send("kim", "2031"); m.Decision.Outcome != courtesy.Sent {
		t.Fatalf("message: %s, want sent", m.Decision)
	}
	got := s.sink.Messages()
	if len(got) != 1 {
		t.Fatalf("sink holds %d messages, want 1", len(got))
	}
	if !strings.HasPrefix(got[0].From, "bounce+") {
		t.Errorf("MAIL FROM = %q, want a VERP address", got[0].From)
	}
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(got[0].Data), &dkim.VerifyOptions{
		LookupTXT: func(domain string) ([]string, error) {
			if domain != name {
				return nil, fmt.Errorf("no TXT record for %s", domain)
			}
			return []string{value}, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 1 || vs[0].Err != nil || vs[0].Domain != "crumb.example" {
		t.Fatalf("verifications = %+v; want one valid signature by crumb.example", vs)
	}
	signed := strings.Join(vs[0].HeaderKeys, ",")
	for _, h := range []string{"list-unsubscribe", "list-unsubscribe-post"} {
		if !strings.Contains(","+strings.ToLower(signed)+",", ","+h+",") {
			t.Errorf("signature covers %s, not %s", signed, h)
		}
	}
}
