package web

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/consent"
	"github.com/courtesyhq/courtesy/feedback"
	"github.com/courtesyhq/courtesy/store"
)

const webhookSecret = "hook-secret-0123456789"

// withFeedback wires a feedback processor over the env's store (whichever
// backend it is), the webhook secret and a log the test can read.
func withFeedback(log *syncBuffer) envOption {
	return func(c *Config, d *Deps) {
		c.WebhookSecret = webhookSecret
		c.Logger = slog.New(slog.NewTextHandler(log, nil))
		d.Feedback = &feedback.Processor{Store: d.Store.(*store.DB), ReturnPath: "bounce@crumb.example", Now: c.Now,
			Keys: []consent.Key{keyNew}}
	}
}

// adaBounce is a DSN for the seeded birthday message, found by its VERP
// address alone.
func adaBounce() string {
	return "From: MAILER-DAEMON@mx.example.com\r\nTo: " + feedback.VERP{ReturnPath: "bounce@crumb.example", Keys: []consent.Key{keyNew}}.Address(birthdayKey) +
		"\r\nSubject: Undelivered\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nNo such user.\r\n" +
		"--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.com\r\n\r\n" +
		"Final-Recipient: rfc822; ada@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--b--\r\n"
}

func fixture(tb testing.TB, name string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("..", "feedback", "testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// state is what a report may change, to compare before and after.
type state struct {
	Suppressions, OptOuts, Ledger int
	AdaSuppressed                 string
}

func (e *env) feedbackState() state {
	e.t.Helper()
	ctx := context.Background()
	sups, err := e.st.Suppressions(ctx, courtesy.Filter{})
	if err != nil {
		e.t.Fatal(err)
	}
	outs, err := e.st.OptOuts(ctx, courtesy.Filter{})
	if err != nil {
		e.t.Fatal(err)
	}
	ok, s, err := e.st.Suppressed(ctx, custEmail)
	if err != nil {
		e.t.Fatal(err)
	}
	st := state{Suppressions: len(sups), OptOuts: len(outs), Ledger: len(e.history())}
	if ok {
		st.AdaSuppressed = s.Reason + "/" + s.Source
	}
	return st
}

func (e *env) postRaw(path, body string, auth func(*http.Request)) response {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "text/plain")
	if auth != nil {
		auth(req)
	}
	return e.do(req)
}

func bearer(key string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+key) }
}

func basic(user, pass string) func(*http.Request) {
	return func(r *http.Request) { r.SetBasicAuth(user, pass) }
}

func TestFeedbackEndpoints(t *testing.T) {
	postmarkSpam := strings.Replace(fixture(t, "postmark-spam.json"), "alex@mailbox.example", custEmail, 1)
	tests := []struct {
		name, path, body string
		auth             func(*http.Request)
		wantCode         int
		wantBody         string // a part of the answer
		wantState        state  // after, from a fresh env (0 suppressions, 0 opt-outs, 3 ledger rows)
		wantLog          string // a part of the log
	}{
		{name: "api without key", path: "/api/v1/feedback", body: adaBounce(),
			wantCode: 401, wantBody: "unauthorized", wantState: state{Ledger: 3}},
		{name: "api with a wrong key", path: "/api/v1/feedback", body: adaBounce(), auth: bearer("nope"),
			wantCode: 401, wantState: state{Ledger: 3}},
		{name: "api with a webhook password", path: "/api/v1/feedback", body: adaBounce(), auth: basic("x", webhookSecret),
			wantCode: 401, wantState: state{Ledger: 3}},
		{name: "api malformed", path: "/api/v1/feedback", body: fixture(t, "plain.eml"), auth: bearer(apiKey),
			wantCode: 422, wantBody: "not a delivery status or feedback report", wantState: state{Ledger: 3}},
		{name: "api report without recipient", path: "/api/v1/feedback", body: fixture(t, "dsn-no-recipient.eml"), auth: bearer(apiKey),
			wantCode: 422, wantBody: "no Final-Recipient", wantState: state{Ledger: 3}},
		{name: "api hard bounce by VERP", path: "/api/v1/feedback", body: adaBounce(), auth: bearer(apiKey),
			wantCode: 200, wantBody: "hard-bounce ada@example.com 5.1.1 → suppressed (birthday-treat)",
			wantState: state{Suppressions: 1, Ledger: 3, AdaSuppressed: "hard-bounce/dsn"}},

		{name: "ses without credentials", path: "/hooks/ses", body: fixture(t, "ses-bounce.json"),
			wantCode: 401, wantState: state{Ledger: 3}},
		{name: "ses with the API key", path: "/hooks/ses", body: fixture(t, "ses-bounce.json"), auth: bearer(apiKey),
			wantCode: 401, wantState: state{Ledger: 3}},
		{name: "ses with a wrong secret", path: "/hooks/ses", body: fixture(t, "ses-bounce.json"), auth: basic("sns", "guess"),
			wantCode: 401, wantState: state{Ledger: 3}},
		{name: "ses truncated", path: "/hooks/ses", body: fixture(t, "ses-truncated.json"), auth: basic("sns", webhookSecret),
			wantCode: 422, wantBody: "not JSON", wantState: state{Ledger: 3}},
		{name: "ses subscription is logged, not fetched", path: "/hooks/ses", body: fixture(t, "ses-subscription.json"), auth: basic("sns", webhookSecret),
			wantCode: 200, wantBody: "subscription confirmation logged", wantState: state{Ledger: 3},
			wantLog: "subscribe_url=\"https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription"},
		{name: "ses bounce of an unknown address", path: "/hooks/ses", body: fixture(t, "ses-bounce.json"), auth: basic("sns", webhookSecret),
			wantCode: 200, wantBody: "hard-bounce Lee@nowhere.example 5.1.1 → suppressed", wantState: state{Suppressions: 1, Ledger: 3}},

		{name: "postmark without credentials", path: "/hooks/postmark", body: postmarkSpam,
			wantCode: 401, wantState: state{Ledger: 3}},
		{name: "postmark truncated", path: "/hooks/postmark", body: fixture(t, "postmark-truncated.json"), auth: basic("pm", webhookSecret),
			wantCode: 422, wantBody: "not JSON", wantState: state{Ledger: 3}},
		{name: "postmark complaint", path: "/hooks/postmark", body: postmarkSpam, auth: basic("pm", webhookSecret),
			wantCode: 200, wantBody: "complaint ada@example.com abuse → every purpose withdrawn, suppressed",
			wantState: state{Suppressions: 1, OptOuts: 1, Ledger: 4, AdaSuppressed: "complaint/postmark"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log syncBuffer
			e := newEnv(t, withFeedback(&log))
			before := e.feedbackState()
			res := e.postRaw(tt.path, tt.body, tt.auth)
			if res.code != tt.wantCode || !strings.Contains(res.body, tt.wantBody) {
				t.Fatalf("POST %s = %d %s; want %d with %q", tt.path, res.code, res.body, tt.wantCode, tt.wantBody)
			}
			if res.code == 401 && res.header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			if diff := cmp.Diff(state{Ledger: 3}, before); diff != "" {
				t.Fatalf("seeded state (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantState, e.feedbackState()); diff != "" {
				t.Errorf("state after (-want +got):\n%s", diff)
			}
			if tt.wantLog != "" && !strings.Contains(log.String(), tt.wantLog) {
				t.Errorf("log lacks %q:\n%s", tt.wantLog, log.String())
			}
			if tt.name == "postmark complaint" && (e.granted("birthday") || e.granted("surveys")) {
				t.Error("a complaint left a purpose granted")
			}
		})
	}
}

func TestFeedbackWithoutProcessor(t *testing.T) {
	e := newEnv(t, func(c *Config, _ *Deps) { c.WebhookSecret = webhookSecret })
	if res := e.postRaw("/api/v1/feedback", adaBounce(), bearer(apiKey)); res.code != http.StatusServiceUnavailable {
		t.Errorf("POST /api/v1/feedback with no processor = %d, want 503", res.code)
	}
	if ok, _, _ := e.st.Suppressed(context.Background(), custEmail); ok {
		t.Error("suppressed with no processor")
	}
}

func TestWebhooksClosedWithoutSecret(t *testing.T) {
	var log syncBuffer
	e := newEnv(t, withFeedback(&log), func(c *Config, _ *Deps) { c.WebhookSecret = "" })
	for _, p := range []string{"/hooks/ses", "/hooks/postmark"} {
		if res := e.postRaw(p, fixture(t, "postmark-spam.json"), basic("x", "")); res.code != http.StatusUnauthorized {
			t.Errorf("POST %s with no secret configured = %d, want 401", p, res.code)
		}
	}
}
