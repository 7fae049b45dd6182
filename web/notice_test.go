package web

import (
	"context"
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
	if res := se.postForm(se.ts.URL+se.confirmPath(se.sink.Count()-1), nil); res.code != http.StatusOK {
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
	return hist[0].Notice
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
