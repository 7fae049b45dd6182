package web

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/locale"
)

// speaks makes the seeded customer one who reads lang and lives in zone.
func (e *env) speaks(lang, zone string) {
	e.t.Helper()
	md, _ := courtesy.ParseMonthDay("03-14")
	if _, err := e.st.UpsertCustomers(context.Background(), []courtesy.Customer{{ID: custID, Email: custEmail, FirstName: "Ada",
		LastName: "Lovelace", Birthday: md, Timezone: zone, Locale: lang}}); err != nil {
		e.t.Fatal(err)
	}
}

// TestPagesInTheCustomersLanguage: a German customer's links open German
// pages, with German dates in the customer's own zone.
func TestPagesInTheCustomersLanguage(t *testing.T) {
	e := newEnv(t)
	e.speaks("de-DE", "Europe/Berlin")
	pages := map[string]struct {
		url  string
		want []string
	}{
		"unsubscribe": {e.links().Unsubscribe, []string{"Von Birthday treats abmelden", "Ein Klick, und Sie bekommen diese E-Mails an"}},
		"preferences": {e.links().Preferences, []string{"<h1>Ihre Einstellungen</h1>", "Geburtstag", "14. März (das Jahr speichern wir nie)", "Höchstens eine Nachricht pro Woche"}},
		"why":         {e.links().Why, []string{"Warum Sie diese Nachricht bekommen haben", "gesendet am 28. November 2026, 10:00 CET", "Ihre Einwilligung"}},
		"survey":      {e.surveyLinks().Survey[9], []string{"Eine kurze Frage", "Wie wahrscheinlich ist es, dass Sie Crumb &amp; Co. Bakery einem Freund empfehlen?", "0 = überhaupt nicht wahrscheinlich"}},
	}
	for name, p := range pages {
		t.Run(name, func(t *testing.T) {
			res := e.get(p.url)
			if res.code != http.StatusOK || !strings.Contains(res.body, `<html lang="de">`) || res.header.Get("Content-Language") != "de" {
				t.Fatalf("%d, Content-Language %q:\n%s", res.code, res.header.Get("Content-Language"), res.body)
			}
			for _, want := range p.want {
				if !strings.Contains(res.body, want) {
					t.Errorf("lacks %q:\n%s", want, res.body)
				}
			}
		})
	}
}

// TestAcceptLanguageForVisitors: a visitor with no customer behind the
// page gets the best of what the browser asks for.
func TestAcceptLanguageForVisitors(t *testing.T) {
	se := newSignupEnv(t)
	req, _ := http.NewRequest(http.MethodGet, se.ts.URL+"/join", nil)
	req.Header.Set("Accept-Language", "ja, es-MX;q=0.9, en;q=0.5")
	res := se.do(req)
	for _, want := range []string{`<html lang="es">`, "Recibe noticias de Crumb", "Tu correo electrónico", `<option value="03">marzo</option>`} {
		if !strings.Contains(res.body, want) {
			t.Errorf("/join for Accept-Language es lacks %q:\n%s", want, res.body)
		}
	}
	req, _ = http.NewRequest(http.MethodGet, se.ts.URL+"/no-such-page", nil)
	req.Header.Set("Accept-Language", "fr-CH")
	if res := se.do(req); res.code != http.StatusNotFound || !strings.Contains(res.body, "Rien ici") {
		t.Errorf("a French visitor's 404: %d\n%s", res.code, res.body)
	}
}

// englishWords are words of courtesy's English pages that no other shipped
// language writes.
var englishWords = regexp.MustCompile(`\b(?i:the|you|your|our|with|please|what|why)\b`)

// TestEveryPageInEveryLanguage: every customer page, in every language
// courtesy ships, says what it says in that language: no English word of
// courtesy's own is left, and no placeholder shows.
func TestEveryPageInEveryLanguage(t *testing.T) {
	// What the business and the records wrote stays as written: the pages
	// show it in its own words.
	data := []string{"Crumb & Co. Bakery", "12 Mill Lane, Bristol BS1 4DJ, UK", "Happy birthday, Ada", "How did we do?",
		"today is your birthday in Europe/London", "birthday (month and day)", "time zone", "at most 1 message a day",
		"Birthday treat", "nps-after-purchase"}
	for _, p := range testPurposes {
		data = append(data, p.Title, p.Description, "signup form v3: "+p.Description)
	}
	for _, tag := range locale.Shipped()[1:] {
		lang := tag.String()
		t.Run(lang, func(t *testing.T) {
			e := newEnv(t) // a fresh one: each asks as many pages as a person would
			e.speaks(lang, "Europe/Madrid")
			pages := map[string]response{
				"unsubscribe":  e.get(e.links().Unsubscribe),
				"preferences":  e.get(e.links().Preferences),
				"erase":        e.get(pathJoin(e.links().Preferences, "/erase")),
				"why":          e.get(e.links().Why),
				"survey":       e.get(e.surveyLinks().Survey[3]),
				"thanks":       e.postForm(e.surveyLinks().Survey[3], url.Values{"score": {"3"}}),
				"unsubscribed": e.postForm(e.links().Unsubscribe, url.Values{"via": {"page"}}),
			}
			for name, res := range pages {
				if res.code != http.StatusOK {
					t.Errorf("%s: %d", name, res.code)
					continue
				}
				if !strings.Contains(res.body, `<html lang="`+lang+`">`) {
					t.Errorf("%s: not marked as %s", name, lang)
				}
				text := visibleText(res.body)
				for _, d := range data {
					text = strings.ReplaceAll(text, d, " ")
				}
				if m := englishWords.FindAllString(text, -1); len(m) > 0 || strings.Contains(text, "%!") {
					t.Errorf("%s in %s has English left: %q\n%s", name, lang, m, text)
				}
			}
		})
	}
}

var tags = regexp.MustCompile(`(?s)<head>.*?</head>|<[^>]*>`)

// visibleText is what a reader sees of a page, and the labels of its
// buttons: the tags go, entities are decoded, white space collapses.
func visibleText(page string) string {
	return strings.Join(strings.Fields(html.UnescapeString(tags.ReplaceAllString(page, " "))), " ")
}

// TestSignUpInTheVisitorsLanguage: a Spanish visitor's sign-up sends a
// Spanish confirmation, whole, and its link opens a Spanish page.
func TestSignUpInTheVisitorsLanguage(t *testing.T) {
	se := newSignupEnv(t)
	req, _ := http.NewRequest(http.MethodPost, se.ts.URL+"/join", strings.NewReader(signupForm("lucia@example.es", "birthday").Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "es-ES,es;q=0.9")
	if res := se.do(req); res.code != http.StatusOK || !strings.Contains(res.body, "Revisa tu bandeja de entrada") {
		t.Fatalf("join: %d\n%s", res.code, res.body)
	}
	se.srv.Wait() // the confirmation goes after the answer
	msgs := se.sink.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	c, err := msgs[0].Content()
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject != "Confirma, por favor: mensajes de Crumb & Co. Bakery" || msgs[0].Header.Get("Content-Language") != "es" ||
		!strings.Contains(c.Text, "Para decir que sí, abre este enlace y pulsa Confirmar:") || strings.Contains(c.Text, "Confirm:") {
		t.Errorf("confirmation: %q, Content-Language %q:\n%s", c.Subject, msgs[0].Header.Get("Content-Language"), c.Text)
	}
	page := se.get(se.ts.URL + se.confirmPath(0))
	if !strings.Contains(page.body, `<html lang="es">`) || !strings.Contains(page.body, "Confirma tu suscripción") {
		t.Errorf("the confirmation page:\n%s", page.body)
	}
}

// TestWhyPageWordsTheRuleInTheReadersLanguage: what started a message is
// kept as data, so the why page says it in the reader's language.
func TestWhyPageWordsTheRuleInTheReadersLanguage(t *testing.T) {
	e := newEnv(t)
	e.speaks("de", "Europe/Berlin")
	const key = "birthday-treat:c-ada:2027"
	m := courtesy.Message{Key: key, CampaignID: "birthday-treat", CustomerID: custID, Occurrence: "2027", Purpose: "birthday",
		Subject: "Alles Gute, Ada", Decision: courtesy.Decision{Outcome: courtesy.Sent},
		Detail: `{"rule":"today, 1 December, is your birthday in Europe/Berlin","fired":{"kind":"birthday","on":"2026-12-01T08:30:00Z","zone":"Europe/Berlin"},"data":["first name","birthday (month and day)"]}`}
	m.DueAt, m.CreatedAt, m.DecidedAt = start.Add(-time.Hour), start.Add(-2*time.Hour), start.Add(-time.Hour)
	if _, _, err := e.st.PlanMessage(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	res := e.get(e.signer.Links(e.ts.URL, custID, "birthday", key, start.Add(-time.Hour)).Why)
	for _, want := range []string{"Weil: heute, am 1. Dezember, ist Ihr Geburtstag in Europe/Berlin.", "<li>Vorname</li>", "<li>Geburtstag (Monat und Tag)</li>"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the German why page lacks %q:\n%s", want, res.body)
		}
	}
	if strings.Contains(res.body, "is your birthday in") {
		t.Error("the German why page gives the rule in English")
	}
}

// TestWhyPageWordsTheLimitsInTheReadersLanguage: the limits a message
// passed are kept as data, so a German customer reads them in German; a
// row written when they were kept as English words still shows them.
func TestWhyPageWordsTheLimitsInTheReadersLanguage(t *testing.T) {
	e := newEnv(t)
	e.speaks("de", "Europe/Berlin")
	detail, err := json.Marshal(courtesy.Detail{Limits: []courtesy.LimitHit{
		{Scope: courtesy.LimitGlobal, Count: 2, Window: 7 * 24 * time.Hour},
		{Scope: courtesy.LimitCampaign, Count: 1, Window: 365 * 24 * time.Hour},
		{Scope: courtesy.LimitPreference, Count: 1, Window: 30 * 24 * time.Hour},
	}})
	if err != nil {
		t.Fatal(err)
	}
	const key = "birthday-treat:c-ada:2027"
	m := courtesy.Message{Key: key, CampaignID: "birthday-treat", CustomerID: custID, Occurrence: "2027", Purpose: "birthday",
		Subject: "Alles Gute, Ada", Decision: courtesy.Decision{Outcome: courtesy.Sent}, Detail: string(detail)}
	m.DueAt, m.CreatedAt, m.DecidedAt = start.Add(-time.Hour), start.Add(-2*time.Hour), start.Add(-time.Hour)
	if _, _, err := e.st.PlanMessage(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	res := e.get(e.signer.Links(e.ts.URL, custID, "birthday", key, start.Add(-time.Hour)).Why)
	for _, want := range []string{"<li>höchstens 2 Nachrichten pro Woche von uns</li>", "<li>höchstens 1 Nachricht dieser Art pro Jahr</li>",
		"<li>höchstens 1 Nachricht pro Monat, wie Sie es gewünscht haben</li>"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the German why page lacks %q:\n%s", want, res.body)
		}
	}
	if strings.Contains(res.body, "at most") {
		t.Error("the German why page gives a limit in English")
	}

	// The seeded birthday message was written with its limits as words.
	old := e.get(e.links().Why)
	if old.code != http.StatusOK || !strings.Contains(old.body, "<li>at most 1 message a day</li>") {
		t.Errorf("an older row's limits: %d\n%s", old.code, old.body)
	}
}
