package main

import (
	"bytes"
	"context"
	"io"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy/mailer/mailtest"
	"github.com/courtesyhq/courtesy/report"
)

// TestSignupLeadsToOneWelcome follows the bakery's sign-up end to end: a
// form on the shop's own site, the confirmation over SMTP, the Confirm
// button, then run-once sends the welcome campaign through the pipeline,
// once.
func TestSignupLeadsToOneWelcome(t *testing.T) {
	sink := mailtest.NewSink(t)
	cfg, env := bakeryShop(t, sink.URL())
	appendFile(t, cfg, "\ndkim:\n  domain: crumb.example\n  selector: s2026\n  private_key_file: "+testdataFile(t, "doctor", "test-rsa2048.pem")+"\n")
	at := time.Date(2026, 12, 1, 11, 0, 0, 0, time.UTC) // 11:00 in London: outside quiet hours
	a := loadApp(t, cfg, env)
	a.now = clockFrom(at)
	srv, err := a.webServer()
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler)
	defer ts.Close()

	form := url.Values{"email": {"grace@example.org"}, "first_name": {"Grace"}, "purpose": {"birthday"},
		"notice": {"2026-11"}, "website": {""}}
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/join", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://www.crumb-shop.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res := do(t, req)
	srv.handler.Wait()
	if res.StatusCode != http.StatusOK || sink.Count() != 1 {
		t.Fatalf("POST /join = %d, %d messages; want 200 and one confirmation", res.StatusCode, sink.Count())
	}
	confirmation := sink.Messages()[0]
	if k := confirmation.Header.Get("X-Courtesy-Kind"); k != "confirmation" {
		t.Errorf("X-Courtesy-Kind = %q, want confirmation", k)
	}
	if !bytes.Contains(confirmation.Data, []byte("DKIM-Signature:")) {
		t.Error("the confirmation is not DKIM-signed")
	}
	link := regexp.MustCompile(`https://crumb\.example(/c/[A-Za-z0-9_-]+)`).FindStringSubmatch(bodyText(t, confirmation.Data))
	if link == nil {
		t.Fatalf("no /c/ link in the confirmation:\n%s", confirmation.Data)
	}
	req, _ = http.NewRequest(http.MethodPost, ts.URL+link[1], strings.NewReader(""))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if res := do(t, req); res.StatusCode != http.StatusOK {
		t.Fatalf("POST %s = %d", link[1], res.StatusCode)
	}

	// The owner's report, as the dashboard builds it: one started, one
	// confirmed.
	db, err := a.store()
	if err != nil {
		t.Fatal(err)
	}
	o := a.reportOptions()
	o.Since, o.Until = at.Add(-time.Hour), at.Add(time.Hour)
	rep, err := report.Build(context.Background(), db, o)
	if err != nil {
		t.Fatal(err)
	}
	if s := rep.Signups; !s.Counted || s.Started != 1 || s.Confirmed != 1 {
		t.Errorf("report sign-ups = %+v, want 1 started and 1 confirmed", s)
	}

	for range 2 {
		mustRun(t, env, "run-once", "--config", cfg, "--at", at.Add(5*time.Minute).Format(time.RFC3339))
	}
	msgs := sink.Messages()
	if len(msgs) != 2 {
		t.Fatalf("the sink holds %d messages, want the confirmation and one welcome", len(msgs))
	}
	welcome := msgs[1]
	if c := welcome.Header.Get("X-Courtesy-Campaign"); c != "welcome" || welcome.To[0] != "grace@example.org" {
		t.Errorf("second message: campaign %q to %v, want the welcome to grace@example.org", c, welcome.To)
	}
	if !strings.Contains(bodyText(t, welcome.Data), "Dear Grace") {
		t.Errorf("the welcome does not use the name given at sign-up:\n%s", welcome.Data)
	}
}

func do(t *testing.T, req *http.Request) *http.Response {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
	return res
}

// bodyText is the decoded text of a message, or of its first part.
func bodyText(t *testing.T, data []byte) string {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(m.Body)
	if strings.Contains(string(b), "Content-Transfer-Encoding: quoted-printable") || strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		d, _ := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(b)))
		return string(d)
	}
	return string(b)
}

// TestFormPrintsASelfContainedSignupForm: the pasted form posts to the
// shop's /join with the honeypot and the notice version, no script, only
// the purposes asked for; an unknown purpose is bad usage.
func TestFormPrintsASelfContainedSignupForm(t *testing.T) {
	cfg, env := bakeryShop(t, "smtp://127.0.0.1:1")
	r := mustRun(t, env, "form", "--config", cfg, "--purposes", "surveys,birthday")
	for _, want := range []string{`action="https://crumb.example/join"`, `name="website"`, `name="notice" value="2026-11"`,
		`value="birthday"`, `value="surveys"`, `href="https://crumb.example/privacy"`, "We&#39;ll email you only about the topics you tick"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("the form lacks %s:\n%s", want, r.out)
		}
	}
	for _, unwanted := range []string{"<script", `value="reminders"`, "checked"} {
		if strings.Contains(r.out, unwanted) {
			t.Errorf("the form holds %s", unwanted)
		}
	}
	if r := runCmd(t, env, "form", "--config", cfg, "--purposes", "newsletter"); r.code != exitUsage || !strings.Contains(r.err, `"newsletter" is not a purpose`) {
		t.Errorf("an unknown purpose: exit %d, %q; want 2 naming it", r.code, r.err)
	}
}

// TestFormInTheShopsLanguage: `courtesy form --locale es` writes the form,
// the purposes and the notice in Spanish and signs people up in Spanish;
// a locale that is not one is bad usage.
func TestFormInTheShopsLanguage(t *testing.T) {
	cfg, env := bakeryShop(t, "smtp://127.0.0.1:1")
	yaml, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	from, to := strings.Index(string(yaml), "    text: >-"), strings.Index(string(yaml), "  privacy_url:")
	if from < 0 || to < from {
		t.Fatalf("the bakery's notice is no longer where the test looks:\n%s", yaml)
	}
	const es = "Solo te escribiremos sobre lo que marques."
	yaml = append(yaml[:from:from], []byte("    text: { en: \"We'll email you only about what you tick.\", es: \""+es+"\" }\n"+string(yaml[to:]))...)
	if err := os.WriteFile(cfg, yaml, 0o600); err != nil {
		t.Fatal(err)
	}
	r := mustRun(t, env, "form", "--config", cfg, "--locale", "es")
	for _, want := range []string{`lang="es"`, "Tu correo electrónico", "Detalles de cumpleaños", es,
		`name="notice_locale" value="es"`, `name="locale" value="es"`} {
		if !strings.Contains(r.out, want) {
			t.Errorf("the Spanish form lacks %s:\n%s", want, r.out)
		}
	}
	if strings.Contains(r.out, "Birthday treats") || strings.Contains(r.out, "only about what you tick") {
		t.Errorf("the Spanish form has English in it:\n%s", r.out)
	}
	r = mustRun(t, env, "form", "--config", cfg)
	if !strings.Contains(r.out, "Birthday treats") || !strings.Contains(r.out, "only about what you tick") || strings.Contains(r.out, `name="locale"`) {
		t.Errorf("the form in the business's language:\n%s", r.out)
	}
	if r := runCmd(t, env, "form", "--config", cfg, "--locale", "not a locale"); r.code != exitUsage || !strings.Contains(r.err, "--locale") {
		t.Errorf("a bad locale: exit %d, %q; want 2 naming --locale", r.code, r.err)
	}
}
