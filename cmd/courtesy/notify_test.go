package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/prometheus/common/expfmt"

	"github.com/courtesyhq/courtesy/mailer"
	"github.com/courtesyhq/courtesy/mailer/mailtest"
	"github.com/courtesyhq/courtesy/web"
)

// TestTransactionalMessagesGoOutSignedOverSMTP sends a fresh-link message
// through the wired notifier: it reaches the SMTP sink DKIM-signed by the
// From domain, carries its kind and language, and is counted.
func TestTransactionalMessagesGoOutSignedOverSMTP(t *testing.T) {
	sink := mailtest.NewSink(t)
	cfg, env := bakeryShop(t, sink.URL())
	keyFile := testdataFile(t, "doctor", "test-rsa2048.pem")
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = fmt.Fprintf(f, "\ndkim:\n  domain: crumb.example\n  selector: s2026\n  private_key_file: %s\n", keyFile)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	inv := &invocation{ctx: context.Background(), stdio: stdio{out: &bytes.Buffer{}, err: &bytes.Buffer{}},
		getenv: func(k string) string { return env[k] }, config: cfg, logLevel: "error"}
	a, err := inv.load()
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	a.now = clockFrom(at)
	n, err := a.notifier()
	if err != nil {
		t.Fatal(err)
	}
	err = n.Notify(context.Background(), web.Transactional{
		Kind: web.KindLink, To: "ada@example.com", ToName: "Ada", Locale: "de",
		Subject: "Ihr neuer Link", Text: "Hier ist Ihr Link: https://crumb.example/p/x\n",
		UnsubscribeURL: "https://crumb.example/u/x", CustomerID: "c-ada",
	})
	if err != nil {
		t.Fatal(err)
	}
	got := sink.Messages()
	if len(got) != 1 || !slices.Equal(got[0].To, []string{"ada@example.com"}) {
		t.Fatalf("sink holds %d messages (%v), want one to ada@example.com", len(got), got)
	}
	h := got[0].Header
	for name, want := range map[string]string{
		"X-Courtesy-Kind": "link", "Content-Language": "de", "Subject": "=?UTF-8?q?Ihr_neuer_Link?=",
		"List-Unsubscribe": "<https://crumb.example/u/x>",
	} {
		if g := h.Get(name); g != want && !(name == "Subject" && g == "Ihr neuer Link") {
			t.Errorf("%s = %q, want %q", name, g, want)
		}
	}
	if d, err := h.Date(); err != nil || !d.Equal(at) {
		t.Errorf("Date = %v (%v), want the injected clock's %v", d, err, at)
	}

	pem, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	name, value, err := (&mailer.DKIM{Domain: "crumb.example", Selector: "s2026", PrivateKeyPEM: pem}).DNSRecord()
	if err != nil {
		t.Fatal(err)
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

	sink.FailNext(1, 550, "5.1.1", "no such mailbox")
	if err := n.Notify(context.Background(), web.Transactional{Kind: web.KindConfirmation, To: "nobody@example.com",
		Subject: "Confirm", Text: "Confirm.\n", UnsubscribeURL: "https://crumb.example/u/y"}); err == nil || !strings.Contains(err.Error(), "confirmation") {
		t.Errorf("a refused message: err = %v, want an error naming its kind", err)
	}
	families, err := a.registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	for _, f := range families {
		if _, err := expfmt.MetricFamilyToText(&text, f); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []string{
		`courtesy_transactional_messages_total{kind="link",result="sent"} 1`,
		`courtesy_transactional_messages_total{kind="confirmation",result="failed"} 1`,
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("metrics lack %q:\n%s", want, text.String())
		}
	}
}
