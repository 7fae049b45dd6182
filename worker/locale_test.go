package worker_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
)

const greetingYAML = `id: birthday-treat
name: Birthday treat
kind: birthday
purpose: birthday
send:
  at: "09:30"
  window: 3h
template:
  subject: "Happy birthday, {{.Customer.FirstName}}"
  subjects:
    de: "Alles Gute zum Geburtstag, {{.Customer.FirstName}}"
  text: greeting.txt
  html: greeting.html
tone: warm
`

// TestAMessageIsInOneLanguage is invariant 12: the customer's locale picks
// the subject, the text, the HTML and the footer together, and a customer
// whose language has no template gets all of it in the default language.
func TestAMessageIsInOneLanguage(t *testing.T) {
	e := newEnv(t, options{campaignYAML: greetingYAML})
	e.customerIn("de1", "jonas@example.de", "Jonas", "12-01", "de-DE")
	e.customerIn("pt1", "joao@example.pt", "João", "12-01", "pt-BR")
	for _, id := range []string{"de1", "pt1"} {
		e.consent(id, "birthday", courtesy.Granted, signedUp)
	}
	e.clock.Set(mustTime(t, "2026-12-01T10:00:00Z"))
	e.work(e.plan())
	msgs := e.sink.Messages()
	if len(msgs) != 2 {
		t.Fatalf("sink has %d messages, want 2", len(msgs))
	}
	type seen struct {
		Lang, Subject, TextStart, HTMLStart string
		TextFooter, HTMLFooter              bool
	}
	got := map[string]seen{}
	for _, m := range msgs {
		c, err := m.Content()
		if err != nil {
			t.Fatal(err)
		}
		words := map[string][]string{
			"de": {"Warum habe ich das bekommen? ", "Ihre Einstellungen: ", "Abmelden: "},
			"en": {"Why did I get this? ", "Your preferences: ", "Unsubscribe: "},
		}[m.Header.Get("Content-Language")]
		textFooter, htmlFooter := len(words) > 0, len(words) > 0
		for _, w := range words {
			textFooter = textFooter && strings.Contains(c.Text, "\n"+w+"https://crumb.example/")
			htmlFooter = htmlFooter && strings.Contains(c.HTML, ">"+strings.TrimRight(w, ": ")+"</a>")
		}
		got[m.To[0]] = seen{
			Lang: m.Header.Get("Content-Language"), Subject: c.Subject,
			TextStart: strings.SplitN(c.Text, "\n", 2)[0], HTMLStart: c.HTML[:strings.Index(c.HTML, "</p>")],
			TextFooter: textFooter, HTMLFooter: htmlFooter,
		}
		for _, english := range []string{"Unsubscribe", "Why did I get this", "Dear", "Happy"} {
			if m.Header.Get("Content-Language") == "de" && strings.Contains(c.Subject+c.Text+c.HTML, english) {
				t.Errorf("the German message has English in it: %q", english)
			}
		}
	}
	want := map[string]seen{
		"jonas@example.de": {"de", "Alles Gute zum Geburtstag, Jonas", "Liebe(r) Jonas,", "<p>Liebe(r) Jonas,", true, true},
		"joao@example.pt":  {"en", "Happy birthday, João", "Dear João,", "<p>Dear João,", true, true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
}
