package web

import (
	"net/http"
	"net/url"

	"github.com/courtesyhq/courtesy/locale"
)

// A reader whose browser asks for the wrong language, or who borrows
// someone else's, picks theirs from a short list of links on the pages a
// stranger may land on. The choice lives in the address, ?lang=xx, so it
// needs no cookie and no script, and a link shared keeps its language.

// langParam is the shipped language ?lang= asks for, or "" when it asks
// for none or for one courtesy does not speak.
func langParam(r *http.Request) string {
	tag, err := locale.Parse(r.URL.Query().Get("lang"))
	if err != nil {
		return ""
	}
	shipped := locale.Shipped()
	i, ok := locale.Match(tag, shipped)
	if !ok {
		return ""
	}
	return shipped[i].String()
}

// langLink is one language offered: its tag, its own name for itself, and
// the page in it.
type langLink struct {
	Lang, Name, Href string
	Current          bool
}

// switching is t with the links to r's page in every shipped language,
// keeping its query.
func switching(r *http.Request, t tongue) tongue { return switchTo(t, r.URL.Path, r.URL.Query()) }

// switchingHere is t with links that change only the language of whatever
// page the browser is on: "?lang=de". An error page uses these, so that it
// echoes nothing of the address that led to it and every bad link's page
// reads the same.
func switchingHere(t tongue) tongue { return switchTo(t, "", nil) }

func switchTo(t tongue, path string, query url.Values) tongue {
	t.langs = nil
	for _, tag := range locale.Shipped() {
		q := url.Values{}
		for k, v := range query {
			q[k] = v
		}
		q.Set("lang", tag.String())
		u := url.URL{Path: path, RawQuery: q.Encode()}
		t.langs = append(t.langs, langLink{
			Lang: tag.String(), Name: locale.For(tag).T("language.self"), Href: u.String(), Current: tag.String() == t.Lang(),
		})
	}
	return t
}

// Languages are the links of the page's language switcher, none on pages
// that offer it not.
func (t tongue) Languages() []langLink { return t.langs }
