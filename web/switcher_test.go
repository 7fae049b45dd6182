package web

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

var switcherNav = regexp.MustCompile(`(?s)<nav class="languages" aria-label="([^"]+)">(.*?)</nav>`)

// switcherLinks are the (href, hreflang, name) of a page's language
// switcher, or fails when it has none.
func switcherLinks(t *testing.T, body string) (label string, links [][]string) {
	t.Helper()
	nav := switcherNav.FindStringSubmatch(body)
	if nav == nil {
		t.Fatalf("no language switcher:\n%s", body)
	}
	a := regexp.MustCompile(`<a href="([^"]+)" hreflang="([^"]+)" lang="([^"]+)"[^>]*>([^<]+)</a>`)
	for _, m := range a.FindAllStringSubmatch(nav[2], -1) {
		if m[2] != m[3] {
			t.Errorf("link %q: hreflang %q, lang %q", m[4], m[2], m[3])
		}
		links = append(links, []string{m[1], m[2], m[4]})
	}
	return nav[1], links
}

// TestJoinInTheLanguageAsked: ?lang= beats the browser's language; the
// switcher offers every shipped language, named in itself, on the same
// page; the form posts back in that language, and the sign-up it starts
// is in it too.
func TestJoinInTheLanguageAsked(t *testing.T) {
	se := newSignupEnv(t)
	req, _ := http.NewRequest(http.MethodGet, se.ts.URL+"/join?lang=de&purposes=birthday", nil)
	req.Header.Set("Accept-Language", "es-ES,es;q=0.9")
	res := se.do(req)
	if res.code != http.StatusOK || !strings.Contains(res.body, `<html lang="de">`) || !strings.Contains(res.body, "Von Crumb &amp; Co. Bakery hören") {
		t.Fatalf("%d:\n%s", res.code, res.body)
	}
	label, links := switcherLinks(t, res.body)
	if label != "Sprache" {
		t.Errorf("the switcher is labelled %q, want Sprache", label)
	}
	want := map[string]string{"de": "Deutsch", "en": "English", "es": "Español", "fr": "Français", "it": "Italiano",
		"nl": "Nederlands", "pt": "Português", "sv": "Svenska"}
	if len(links) != len(want) {
		t.Fatalf("%d languages offered, want %d: %v", len(links), len(want), links)
	}
	for _, l := range links {
		if want[l[1]] != l[2] || l[0] != "/join?lang="+l[1]+"&amp;purposes=birthday" {
			t.Errorf("link %v, want %q named %q keeping the page's query", l, l[1], want[l[1]])
		}
	}
	if !strings.Contains(res.body, `aria-current="page">Deutsch<`) {
		t.Errorf("the current language is not marked")
	}
	if !strings.Contains(res.body, `action="/join?lang=de"`) {
		t.Fatalf("the form does not post back in German:\n%s", res.body)
	}

	post, _ := http.NewRequest(http.MethodPost, se.ts.URL+"/join?lang=de", strings.NewReader(signupForm("jonas@example.de", "birthday").Encode()))
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	post.Header.Set("Accept-Language", "es-ES,es;q=0.9")
	if res := se.do(post); res.code != http.StatusOK || !strings.Contains(res.body, "Sehen Sie in Ihr Postfach") {
		t.Fatalf("join: %d\n%s", res.code, res.body)
	}
	se.srv.Wait()
	msgs := se.sink.Messages()
	if len(msgs) != 1 || msgs[0].Header.Get("Content-Language") != "de" {
		t.Fatalf("want one German confirmation, got %d", len(msgs))
	}
	confirm := se.postForm(se.ts.URL+se.confirmPath(0), nil)
	if confirm.code != http.StatusOK {
		t.Fatalf("confirm: %d\n%s", confirm.code, confirm.body)
	}
	c, err := se.st.CustomerByEmail(context.Background(), "jonas@example.de")
	if err != nil || c.Locale != "de" {
		t.Errorf("the customer's locale is %q (%v), want de", c.Locale, err)
	}
}

// TestAskedLanguageOnTokenPages: a customer's own locale wins over the
// browser, and ?lang= given on purpose wins over both.
func TestAskedLanguageOnTokenPages(t *testing.T) {
	e := newEnv(t)
	e.speaks("de-DE", "Europe/Berlin")
	req, _ := http.NewRequest(http.MethodGet, e.links().Preferences, nil)
	req.Header.Set("Accept-Language", "fr")
	if res := e.do(req); !strings.Contains(res.body, `<html lang="de">`) {
		t.Errorf("a German customer's page with a French browser is not German:\n%s", res.body)
	}
	req, _ = http.NewRequest(http.MethodGet, e.links().Preferences+"?lang=fr", nil)
	if res := e.do(req); res.code != http.StatusOK || !strings.Contains(res.body, `<html lang="fr">`) {
		t.Errorf("?lang=fr on a German customer's page: %d\n%s", res.code, res.body)
	}
	req, _ = http.NewRequest(http.MethodGet, e.links().Preferences+"?lang=xx", nil)
	if res := e.do(req); !strings.Contains(res.body, `<html lang="de">`) {
		t.Errorf("?lang= of a language not shipped does not fall back to the customer's:\n%s", res.body)
	}
}

// TestErrorPageOffersTheLanguages: a stranger lost on a missing page can
// read it in theirs.
func TestErrorPageOffersTheLanguages(t *testing.T) {
	e := newEnv(t)
	res := e.get(e.ts.URL + "/nothing-here?lang=it")
	if res.code != http.StatusNotFound || !strings.Contains(res.body, `<html lang="it">`) || !strings.Contains(res.body, "Qui non c&#39;è niente") {
		t.Fatalf("%d:\n%s", res.code, res.body)
	}
	if _, links := switcherLinks(t, res.body); len(links) != 8 || links[0][0] != "?lang="+links[0][1] {
		t.Errorf("switcher %v", links)
	}
}
