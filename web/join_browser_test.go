package web

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
)

// typeInto clicks a field and types text into it, as a person would.
func (b *browser) typeInto(selector, text string) {
	b.tb.Helper()
	b.click(selector)
	b.call(b.session, "Input.insertText", map[string]any{"text": text}, nil)
}

// TestBrowserSignupFromTheShopsOwnSite fills in the form `courtesy form`
// prints, served from another origin, in headless Chromium; opens the link
// the confirmation brought; presses Confirm; and follows the page to the
// preferences. With -update it saves what each step shows to
// testdata/screenshots.
func TestBrowserSignupFromTheShopsOwnSite(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	se := newSignupEnv(t)
	b := startBrowser(t)
	shots := screenshotDir(t)

	var form bytes.Buffer
	if err := WriteForm(&form, FormOptions{BaseURL: se.ts.URL, Business: "Crumb & Co. Bakery", Purposes: testPurposes,
		Signup: SignupConfig{NoticeVersion: "2026-11", NoticeText: notice, PrivacyURL: "https://crumb.example/privacy"}}); err != nil {
		t.Fatal(err)
	}
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>Crumb &amp; Co. — news</title></head>" +
			"<body style=\"font-family:sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem\"><h1>Stay in touch</h1>" + form.String() + "</body></html>"))
	}))
	t.Cleanup(shop.Close)

	b.navigate(se.ts.URL + "/join")
	b.waitFor("Hear from Crumb & Co. Bakery")
	b.screenshot(filepath.Join(shots, "join.png"))

	b.navigate(shop.URL)
	b.waitFor("Stay in touch")
	b.typeInto("#courtesy-email", newEmail)
	b.typeInto("#courtesy-first-name", "Grace")
	b.click(`input[name="purpose"][value="birthday"]`)
	b.click(`input[name="purpose"][value="reminders"]`)
	b.screenshot(filepath.Join(shots, "join-shop-form.png"))
	b.click(`button[type="submit"]`)
	b.waitFor("Check your inbox")
	b.screenshot(filepath.Join(shots, "join-check-inbox.png"))
	se.srv.Wait()

	if n := se.sink.Count(); n != 1 {
		t.Fatalf("the sink holds %d messages, want the one confirmation", n)
	}
	before := se.rowCounts()
	b.navigate(se.ts.URL + se.confirmPath(0))
	b.waitFor("Confirm your sign-up")
	b.screenshot(filepath.Join(shots, "confirm.png"))
	if after := se.rowCounts(); len(after) != len(before) || after["customers"] != before["customers"] || after["consent_ledger"] != before["consent_ledger"] {
		t.Fatalf("opening the link changed the database: %v → %v", before, after)
	}

	b.click("button.primary")
	b.waitFor("you're signed up")
	b.screenshot(filepath.Join(shots, "confirmed.png"))
	c, err := se.st.CustomerByEmail(context.Background(), newEmail)
	if err != nil {
		t.Fatal(err)
	}
	hist, err := se.st.ConsentHistory(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range hist {
		got = append(got, h.Purpose+":"+string(h.Status)+":"+h.Source)
	}
	if len(got) != 2 || got[0] != "birthday:granted:signup-form" || got[1] != "reminders:granted:signup-form" {
		t.Errorf("consents after Confirm = %v, want birthday and reminders from the sign-up form", got)
	}

	b.click(`a[href^="/p/"]`)
	b.waitFor("Your preferences")
	var on []string
	b.eval(`[...document.querySelectorAll('input[name="purpose"]:checked')].map(e => e.value)`, &on)
	if len(on) != 2 || on[0] != "birthday" || on[1] != "reminders" {
		t.Errorf("the preference page shows %v on, want birthday and reminders", on)
	}
}
