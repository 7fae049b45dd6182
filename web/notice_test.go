package web

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

const noticeDE = "Wir schreiben nur über das, was Sie ankreuzen, und nie öfter, als unsere Grenzen erlauben."

// withGermanNotice writes the sign-up notice in German beside the default.
func withGermanNotice(c *Config, _ *Deps) { c.Signup.NoticeTexts = map[string]string{"de": noticeDE} }

// signUpAndConfirm posts the form to path as /join's page would, with the
// page's hidden fields, confirms the link the person is sent and returns
// the notice their consent recorded.
func (se *signupEnv) signUpAndConfirm(path, email string, page response) string {
	se.t.Helper()
	form := signupForm(email, "birthday")
	if m := hiddenNoticeLocale.FindStringSubmatch(page.body); m != nil {
		form.Set("notice_locale", m[1])
	}
	res := se.postForm(se.ts.URL+path, form)
	se.srv.Wait()
	if res.code != http.StatusOK {
		se.t.Fatalf("join: %d\n%s", res.code, res.body)
	}
	_, notice := se.confirmAndRecorded(se.sink.Count()-1, email)
	return notice
}

// TestSignupNoticeInThePagesLanguage: /join shows each reader the notice
// of their language, and the consent records exactly the text they were
// shown, with its version — the German one for a German page, the default
// for a page in a language the shop did not write it in.
func TestSignupNoticeInThePagesLanguage(t *testing.T) {
	se := newSignupEnv(t, withGermanNotice)

	de := se.get(se.ts.URL + "/join?lang=de")
	if !strings.Contains(de.body, "Wir schreiben nur über das, was Sie ankreuzen") || strings.Contains(de.body, notice) {
		t.Fatalf("the German page does not show the German notice alone:\n%s", de.body)
	}
	if got, want := se.signUpAndConfirm("/join?lang=de", "jonas@example.de", de), noticeDE+" (notice 2026-11, de)"; got != want {
		t.Errorf("German sign-up recorded %q, want %q", got, want)
	}

	fr := se.get(se.ts.URL + "/join?lang=fr")
	if !strings.Contains(fr.body, notice) || strings.Contains(fr.body, "Wir schreiben") {
		t.Fatalf("the French page does not show the default notice:\n%s", fr.body)
	}
	if got, want := se.signUpAndConfirm("/join?lang=fr", "lea@example.fr", fr), notice+" (notice 2026-11)"; got != want {
		t.Errorf("French sign-up recorded %q, want %q", got, want)
	}
}

// TestSignupNoticeLocaleIsSealed: the locale of the notice shown travels
// in the sealed token; once the shop rewords that text, its links are
// refused, while the default's still confirm.
func TestSignupNoticeLocaleIsSealed(t *testing.T) {
	se := newSignupEnv(t, withGermanNotice)
	if res := se.postForm(se.ts.URL+"/join?lang=de", url.Values{"email": {"jonas@example.de"}, "purpose": {"birthday"},
		"notice": {"2026-11"}, "notice_locale": {"de"}}); res.code != http.StatusOK {
		t.Fatalf("join: %d\n%s", res.code, res.body)
	}
	se.srv.Wait()
	tok, err := se.sealer.Open(strings.TrimPrefix(se.confirmPath(0), "/c/"), se.clock.Now())
	if err != nil || tok.NoticeLocale != "de" {
		t.Fatalf("the token carries notice locale %q (%v), want de", tok.NoticeLocale, err)
	}
	se.srv.cfg.Signup.NoticeTexts = map[string]string{"de": noticeDE + " Versprochen."}
	if res := se.get(se.ts.URL + se.confirmPath(0)); res.code == http.StatusOK {
		t.Errorf("a link made under the old German wording opens: %d", res.code)
	}
}

var hiddenNoticeLocale = regexp.MustCompile(`<input type="hidden" name="notice_locale" value="([^"]+)">`)

// confirmAndRecorded confirms the sign-up the n-th message asks about and
// returns the customer's locale and the notice their consent recorded.
func (se *signupEnv) confirmAndRecorded(n int, email string) (string, string) {
	se.t.Helper()
	if res := se.postForm(se.ts.URL+se.confirmPath(n), nil); res.code != http.StatusOK {
		se.t.Fatalf("confirm: %d\n%s", res.code, res.body)
	}
	c, err := se.st.CustomerByEmail(context.Background(), email)
	if err != nil {
		se.t.Fatal(err)
	}
	hist, err := se.st.ConsentHistory(context.Background(), c.ID)
	if err != nil || len(hist) != 1 {
		se.t.Fatalf("consent history %+v, %v; want one record", hist, err)
	}
	return c.Locale, hist[0].Notice
}

// TestAPISignupRecordsTheNoticeOfItsLanguage: a sign-up a shop's backend
// starts is confirmed, and recorded, under the notice of the person's
// language — the request's locale, else the Accept-Language it passes on,
// else the business's — and the confirmation and its page show that text.
func TestAPISignupRecordsTheNoticeOfItsLanguage(t *testing.T) {
	tests := []struct {
		name, locale, acceptLanguage, business string
		wantLocale, wantNotice, wantLang       string
	}{
		{name: "the request's locale", locale: "de-AT", acceptLanguage: "fr", business: "en",
			wantLocale: "de-AT", wantNotice: noticeDE + " (notice 2026-11, de)", wantLang: "de"},
		{name: "Accept-Language", acceptLanguage: "de-DE,de;q=0.9", business: "en",
			wantLocale: "de-DE", wantNotice: noticeDE + " (notice 2026-11, de)", wantLang: "de"},
		{name: "the business's locale", business: "de",
			wantLocale: "", wantNotice: noticeDE + " (notice 2026-11, de)", wantLang: "de"},
		{name: "a language the notice is not written in", locale: "fr", business: "de",
			wantLocale: "fr", wantNotice: notice + " (notice 2026-11)", wantLang: "fr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			se := newSignupEnv(t, withGermanNotice, func(c *Config, _ *Deps) { c.Locale = tt.business })
			body := `{"email": "` + newEmail + `", "purposes": ["birthday"]`
			if tt.locale != "" {
				body += `, "locale": "` + tt.locale + `"`
			}
			req, _ := http.NewRequest(http.MethodPost, se.ts.URL+"/api/v1/signups", strings.NewReader(body+"}"))
			req.Header.Set("Authorization", "Bearer "+apiKey)
			req.Header.Set("Content-Type", "application/json")
			if tt.acceptLanguage != "" {
				req.Header.Set("Accept-Language", tt.acceptLanguage)
			}
			if res := se.do(req); res.code != http.StatusAccepted {
				t.Fatalf("sign-up = %d:\n%s", res.code, res.body)
			}
			se.srv.Wait()
			msgs := se.sink.Messages()
			if len(msgs) != 1 || msgs[0].Header.Get("Content-Language") != tt.wantLang {
				t.Fatalf("%d confirmations; Content-Language %q, want %s", len(msgs), msgs[0].Header.Get("Content-Language"), tt.wantLang)
			}
			text, _, _ := strings.Cut(tt.wantNotice, " (notice")
			page := se.get(se.ts.URL + se.confirmPath(0))
			if !strings.Contains(page.body, `<html lang="`+tt.wantLang+`">`) || !strings.Contains(page.body, html.EscapeString(text)) {
				t.Errorf("the confirmation page does not show the notice in %s:\n%s", tt.wantLang, page.body)
			}
			gotLocale, gotNotice := se.confirmAndRecorded(0, newEmail)
			if gotLocale != tt.wantLocale || gotNotice != tt.wantNotice {
				t.Errorf("recorded locale %q and notice %q, want %q and %q", gotLocale, gotNotice, tt.wantLocale, tt.wantNotice)
			}
		})
	}
}

// TestPastedFormInItsLanguage: `courtesy form --locale de` writes the form
// in German, with the German notice, and a sign-up from it is confirmed in
// German and records the German notice; a form in the business's language
// shows its notice but leaves the customer's language to the browser.
func TestPastedFormInItsLanguage(t *testing.T) {
	se := newSignupEnv(t, withGermanNotice)
	write := func(o FormOptions) string {
		t.Helper()
		o.BaseURL, o.Business, o.Purposes, o.Signup = se.ts.URL, "Crumb & Co. Bakery", testPurposes, se.srv.cfg.Signup
		var b strings.Builder
		if err := WriteForm(&b, o); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	de := write(FormOptions{Locale: "de"})
	for _, want := range []string{`lang="de"`, "Ihre E-Mail-Adresse", "Worüber Sie von uns hören möchten", ">Anmelden</button>", ">Dezember</option>",
		html.EscapeString(noticeDE), `name="notice_locale" value="de"`, `name="locale" value="de"`} {
		if !strings.Contains(de, want) {
			t.Errorf("the German form lacks %s:\n%s", want, de)
		}
	}
	if strings.Contains(de, "Your email address") || strings.Contains(de, html.EscapeString(notice)) {
		t.Errorf("the German form has English in it:\n%s", de)
	}

	// A person fills in the German form on the shop's site, whatever
	// their browser says.
	form := signupForm("jonas@example.de", "birthday")
	form.Set("notice_locale", hiddenValue(t, de, "notice_locale"))
	form.Set("locale", hiddenValue(t, de, "locale"))
	if res := se.joinFrom(shopOrigin, form); res.code != http.StatusOK || !strings.Contains(res.body, `<html lang="de">`) {
		t.Fatalf("join: %d\n%s", res.code, res.body)
	}
	if got := se.sink.Messages()[0].Header.Get("Content-Language"); got != "de" {
		t.Errorf("the confirmation's Content-Language = %q, want de", got)
	}
	if loc, got := se.confirmAndRecorded(0, "jonas@example.de"); loc != "de" || got != noticeDE+" (notice 2026-11, de)" {
		t.Errorf("recorded locale %q and notice %q, want de and the German notice", loc, got)
	}

	// Without --locale the form speaks the business's language and does
	// not name the customer's.
	biz := write(FormOptions{DefaultLocale: "de"})
	if !strings.Contains(biz, "Ihre E-Mail-Adresse") || !strings.Contains(biz, `name="notice_locale" value="de"`) || strings.Contains(biz, `name="locale"`) {
		t.Errorf("the form in the business's language:\n%s", biz)
	}
	en := write(FormOptions{})
	if !strings.Contains(en, "Your email address") || strings.Contains(en, "notice_locale") || !strings.Contains(en, html.EscapeString(notice)) {
		t.Errorf("the form without a language:\n%s", en)
	}
	if err := WriteForm(io.Discard, FormOptions{Locale: "no such language!"}); err == nil || !strings.Contains(err.Error(), "no such language!") {
		t.Errorf("a bad locale: %v", err)
	}
}

// hiddenValue is the value of the form's hidden field name.
func hiddenValue(t *testing.T, form, name string) string {
	t.Helper()
	m := regexp.MustCompile(`<input type="hidden" name="` + name + `" value="([^"]*)">`).FindStringSubmatch(form)
	if m == nil {
		t.Fatalf("no hidden %s in the form:\n%s", name, form)
	}
	return m[1]
}
