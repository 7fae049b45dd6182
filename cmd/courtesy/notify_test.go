package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/prometheus/common/expfmt"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/mailer"
	"github.com/courtesyhq/courtesy/mailer/mailtest"
	"github.com/courtesyhq/courtesy/web"
)

// signingShop is the bakery sending to sink with a DKIM key, loaded; it
// returns the app and the key's file.
func signingShop(t *testing.T, sink *mailtest.Sink) (*app, string) {
	t.Helper()
	cfg, env := bakeryShop(t, sink.URL())
	keyFile := testdataFile(t, "doctor", "test-rsa2048.pem")
	appendFile(t, cfg, "\ndkim:\n  domain: crumb.example\n  selector: s2026\n  private_key_file: "+keyFile+"\n")
	return loadApp(t, cfg, env), keyFile
}

// TestTransactionalMessagesGoOutSignedOverSMTP sends a fresh-link message
// through the wired notifier: it reaches the SMTP sink DKIM-signed by the
// From domain, carries its kind and language, and is counted.
func TestTransactionalMessagesGoOutSignedOverSMTP(t *testing.T) {
	sink := mailtest.NewSink(t)
	a, keyFile := signingShop(t, sink)
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

// TestExpiredLinkBringsAFreshOneThroughTheWiredServer: the web role as
// wired — store, Redis limits, SMTP pool with DKIM — answers an expired
// preference link with the page's button, and the button's POST sends the
// customer a signed message with a link that works.
func TestExpiredLinkBringsAFreshOneThroughTheWiredServer(t *testing.T) {
	sink := mailtest.NewSink(t)
	a, _ := signingShop(t, sink)
	sent := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	a.now = clockFrom(sent.AddDate(1, 0, 0))
	db, err := a.store()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if errs, err := db.UpsertCustomers(ctx, []courtesy.Customer{{ID: "c-jo", Email: "jo@example.net", FirstName: "Jo", CreatedAt: sent}}); err != nil || errs[0] != nil {
		t.Fatalf("seed: %v %v", err, errs)
	}
	signer, err := a.signer()
	if err != nil {
		t.Fatal(err)
	}
	ws, err := a.webServer()
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(ws.Handler)
	defer ts.Close()
	links := signer.Links(ts.URL, "c-jo", "birthday", "birthday-treat:c-jo:2026", sent)

	res, err := http.Get(links.Preferences)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	action := regexp.MustCompile(`action="(/fresh/[A-Za-z0-9_-]+)"`).FindSubmatch(body)
	if res.StatusCode != http.StatusNotFound || action == nil {
		t.Fatalf("a year-old preference link: %d, want the expired page with its button:\n%s", res.StatusCode, body)
	}
	req, _ := http.NewRequest(http.MethodPost, ts.URL+string(action[1]), nil)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("the button: %d", res.StatusCode)
	}
	sink.WaitFor(t, 1, 10*time.Second)
	ws.handler.Wait()
	got := sink.Messages()[0]
	if !slices.Equal(got.To, []string{"jo@example.net"}) || got.Header.Get("X-Courtesy-Kind") != web.KindLink {
		t.Fatalf("message to %v, kind %q; want a link message to jo@example.net", got.To, got.Header.Get("X-Courtesy-Kind"))
	}
	if !bytes.Contains(got.Data, []byte("DKIM-Signature:")) {
		t.Error("the fresh-link message is not DKIM-signed")
	}
	text := strings.ReplaceAll(string(got.Data), "=\r\n", "")
	fresh := regexp.MustCompile(`https://crumb\.example(/p/[A-Za-z0-9_-]+)`).FindStringSubmatch(text)
	if fresh == nil {
		t.Fatalf("no preference link in the message:\n%s", text)
	}
	res, err = http.Get(ts.URL + fresh[1])
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("the fresh preference link: %d, want 200", res.StatusCode)
	}
}
