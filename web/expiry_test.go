package web

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/consent"
)

var hrefPattern = regexp.MustCompile(`href="(/[a-z]+/[A-Za-z0-9_-]+)"`)

// hrefTo returns the first link on a page to the given path prefix.
func hrefTo(tb testing.TB, body, prefix string) string {
	tb.Helper()
	for _, m := range hrefPattern.FindAllStringSubmatch(body, -1) {
		if strings.HasPrefix(m[1], prefix) {
			return m[1]
		}
	}
	tb.Fatalf("no link to %s on the page:\n%s", prefix, body)
	return ""
}

// TestAnOldUnsubscribeLinkMintsNoFreshPreferenceLink: the unsubscribe link
// never expires, but the preference link its page offers carries the
// email's issue time. A year on, it leads to the expired page — no address,
// no birthday — and its erase POST erases nothing.
func TestAnOldUnsubscribeLinkMintsNoFreshPreferenceLink(t *testing.T) {
	e := newEnv(t)
	issued := start.Add(-time.Hour) // when the worker signed the email's links

	e.clock.Add(24 * time.Hour)
	fresh := hrefTo(t, e.get(e.links().Unsubscribe).body, "/p/")
	if res := e.get(e.ts.URL + fresh); res.code != http.StatusOK || !strings.Contains(res.body, custEmail) {
		t.Fatalf("derived preference link a day on: %d, want the page", res.code)
	}

	e.clock.t = issued.Add(consent.DefaultTTL + time.Second)
	old := hrefTo(t, e.get(e.links().Unsubscribe).body, "/p/")
	res := e.get(e.ts.URL + old)
	if res.code != http.StatusNotFound || !strings.Contains(res.body, "expired") {
		t.Errorf("preference link derived once the email's links expired: %d, want the expired page", res.code)
	}
	for _, secret := range []string{custEmail, "14 March", "Lovelace"} {
		if strings.Contains(res.body, secret) {
			t.Errorf("the expired page shows %q", secret)
		}
	}
	if res := e.postForm(e.ts.URL+old+"/erase", map[string][]string{"confirm": {"yes"}}); res.code == http.StatusOK {
		t.Errorf("erase through the derived link: %d", res.code)
	}
	if _, err := e.st.Customer(context.Background(), custID); err != nil {
		t.Errorf("the customer is gone: %v", err)
	}
	// The why page's own links inherit too.
	e.clock.t = issued.Add(time.Hour)
	why := e.get(e.links().Why).body
	e.clock.t = issued.Add(consent.DefaultTTL + time.Second)
	if res := e.get(e.ts.URL + hrefTo(t, why, "/p/")); res.code != http.StatusNotFound {
		t.Errorf("preference link from the why page, past the why link's life: %d, want 404", res.code)
	}
}

// TestExpiredLinkEmailsAFreshOne: the expired page's button sends the
// address on file a fresh link over SMTP and records it; the fresh link
// works. Everyone gets the same answer — a stranger's token for nobody, a
// customer over the limit — and a customer gets at most FreshLinkLimit.
func TestExpiredLinkEmailsAFreshOne(t *testing.T) {
	e := newEnv(t)
	e.clock.Add(consent.DefaultTTL + 24*time.Hour)
	page := e.get(e.links().Why)
	if page.code != http.StatusNotFound || !strings.Contains(page.body, "Email me a fresh link") {
		t.Fatalf("expired why link: %d, want the expired page with its button:\n%s", page.code, page.body)
	}
	action := regexp.MustCompile(`action="(/fresh/[A-Za-z0-9_-]+)"`).FindStringSubmatch(page.body)
	if action == nil {
		t.Fatalf("no form on the expired page:\n%s", page.body)
	}
	answer := e.postForm(e.ts.URL+action[1], nil)
	if answer.code != http.StatusOK || !strings.Contains(answer.body, "Check your inbox") {
		t.Fatalf("fresh link POST: %d\n%s", answer.code, answer.body)
	}
	e.srv.Wait()
	got := e.sink.Messages()
	if len(got) != 1 || got[0].To[0] != custEmail || got[0].Header.Get("X-Courtesy-Kind") != KindLink {
		t.Fatalf("sink holds %+v, want one link message to %s", got, custEmail)
	}
	link := regexp.MustCompile(`https?://\S+/why/[A-Za-z0-9_-]+`).FindString(strings.ReplaceAll(string(got[0].Data), "=\r\n", "")) // quoted-printable soft breaks
	if link == "" {
		t.Fatalf("no why link in the message:\n%s", got[0].Data)
	}
	if res := e.get(e.ts.URL + pathOf(t, link)); res.code != http.StatusOK || !strings.Contains(res.body, "Birthday treat") {
		t.Errorf("the fresh link: %d, want the why page", res.code)
	}
	engs, err := e.st.Engagements(context.Background(), courtesy.Filter{CustomerID: custID})
	if err != nil || len(engs) != 1 || engs[0].Kind != "link-emailed" {
		t.Errorf("engagements %+v (%v), want the link-emailed record", engs, err)
	}

	stranger := e.signer.Sign(consent.Token{Action: consent.ActionPreferences, CustomerID: "c-nobody", IssuedAt: start.Add(-time.Hour)})
	for i := range 5 {
		for _, tok := range []string{strings.TrimPrefix(action[1], "/fresh/"), stranger} {
			res := e.postForm(e.ts.URL+"/fresh/"+tok, nil)
			if res.code != answer.code || res.body != answer.body {
				t.Fatalf("round %d: answer %d differs from the first:\n%s", i, res.code, res.body)
			}
		}
	}
	e.srv.Wait()
	if n := e.sink.Count(); n != 3 {
		t.Errorf("%d fresh-link messages after 11 requests, want 3 (the limit a day)", n)
	}

	e.clock.Add(24 * time.Hour)
	e.postForm(e.ts.URL+action[1], nil)
	e.srv.Wait()
	if n := e.sink.Count(); n != 4 {
		t.Errorf("a day later: %d messages, want 4", n)
	}

	forged := flip(t, strings.TrimPrefix(action[1], "/fresh/"), 40)
	if res := e.postForm(e.ts.URL+"/fresh/"+forged, nil); res.code != http.StatusNotFound {
		t.Errorf("forged token: %d, want 404", res.code)
	}
	crossSite, _ := http.NewRequest(http.MethodPost, e.ts.URL+action[1], nil)
	crossSite.Header.Set("Sec-Fetch-Site", "cross-site")
	if res := e.do(crossSite); res.code != http.StatusForbidden {
		t.Errorf("cross-site fresh-link POST: %d, want 403", res.code)
	}
	e.srv.Wait()
	if n := e.sink.Count(); n != 4 {
		t.Errorf("refused requests sent mail: %d messages, want 4", n)
	}
}

// TestFreshLinkEmailInTheCustomersLanguage: a German customer's fresh link
// arrives in German, subject and body, marked as German.
func TestFreshLinkEmailInTheCustomersLanguage(t *testing.T) {
	e := newEnv(t)
	e.speaks("de-DE", "Europe/Berlin")
	e.clock.Add(consent.DefaultTTL + 24*time.Hour)
	page := e.get(e.links().Why)
	action := regexp.MustCompile(`action="(/fresh/[A-Za-z0-9_-]+)"`).FindStringSubmatch(page.body)
	if action == nil {
		t.Fatalf("no form on the expired page:\n%s", page.body)
	}
	if res := e.postForm(e.ts.URL+action[1], nil); res.code != http.StatusOK {
		t.Fatalf("fresh link POST: %d\n%s", res.code, res.body)
	}
	e.srv.Wait()
	got := e.sink.Messages()
	if len(got) != 1 {
		t.Fatalf("sink holds %d messages, want 1", len(got))
	}
	m := got[0]
	if lang := m.Header.Get("Content-Language"); lang != "de" {
		t.Errorf("Content-Language %q, want de", lang)
	}
	c, err := m.Content()
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject != "Ihr Link zu Crumb & Co. Bakery" {
		t.Errorf("subject %q, want German", c.Subject)
	}
	body := c.Text
	for _, want := range []string{"Hallo Ada,", "einen neuen Link angefordert", "Um unsere Nachrichten ganz abzubestellen:"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
}
