package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/courtesyhq/courtesy/mailer/mailtest"
)

const (
	birthdayDE = "{{with .Customer.FirstName}}Liebe(r) {{.}},{{else}}Hallo,{{end}}\n\n" +
		"alles Gute zum Geburtstag von uns allen bei {{.Business.Name}}.\n\n" +
		"Wenn Sie diese Woche vorbeikommen, geht ein Stück Kuchen auf uns.\n\n" +
		"Einen schönen Tag wünscht\ndas Team von Crumb & Co.\n"
	birthdayDEHTML = "<p>{{with .Customer.FirstName}}Liebe(r) {{.}},{{else}}Hallo,{{end}}</p>\n" +
		"<p>alles Gute zum Geburtstag von uns allen bei {{.Business.Name}}.</p>\n"
)

// germanBakery is the bakery with its birthday greeting in German too, a
// German customer in Berlin and a Brazilian one in Lisbon, for whom the
// bakery writes no Portuguese, both with a birthday on 1 December and no
// control group.
func germanBakery(t *testing.T, smtpURL string) (string, map[string]string) {
	t.Helper()
	cfg, env := bakeryShop(t, smtpURL)
	dir := filepath.Dir(cfg)
	yaml := mustRead(t, filepath.Join(dir, "campaigns", "birthday.yaml"))
	for old, new := range map[string]string{
		"holdout: 10": "holdout: 0",
		`    es: "Feliz cumpleaños{{with .Customer.FirstName}}, {{.}}{{end}}"`: `    es: "Feliz cumpleaños{{with .Customer.FirstName}}, {{.}}{{end}}"` +
			"\n" + `    de: "Alles Gute zum Geburtstag{{with .Customer.FirstName}}, {{.}}{{end}}"`,
		`subjects: { es: "Un detalle de cumpleaños de Crumb & Co." }`: `subjects: { es: "Un detalle de cumpleaños de Crumb & Co.", de: "Ein Geburtstagsgruß von Crumb & Co." }`,
	} {
		if !strings.Contains(yaml, old) {
			t.Fatalf("the bakery's birthday campaign no longer has %q", old)
		}
		yaml = strings.Replace(yaml, old, new, 1)
	}
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("campaigns/birthday.yaml", yaml)
	write("templates/birthday.de.txt", birthdayDE)
	write("templates/birthday.de.html", birthdayDEHTML)
	write("de-customers.csv", "id,email,first_name,last_name,birthday,timezone,locale\n"+
		"d1,jonas.becker@example.de,Jonas,Becker,12-01,Europe/Berlin,de-DE\n"+
		"d2,joao.silva@example.pt,João,Silva,12-01,Europe/Lisbon,pt-BR\n"+
		"d3,lena.wolf@example.de,Lena,Wolf,12-02,Europe/Berlin,de\n")
	write("de-consents.csv", "customer_id,purpose,status,source,notice,recorded_at\n"+
		"d1,birthday,granted,form,signup-form-v2,2026-03-14T10:02:00Z\n"+
		"d2,birthday,granted,form,signup-form-v2,2026-03-14T10:02:00Z\n"+
		"d3,birthday,granted,form,signup-form-v2,2026-03-14T10:02:00Z\n")
	mustRun(t, env, "import", "customers", filepath.Join(dir, "de-customers.csv"), "--config", cfg)
	mustRun(t, env, "import", "consents", filepath.Join(dir, "de-consents.csv"), "--config", cfg)
	return cfg, env
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var pageLink = regexp.MustCompile(`https://crumb\.example(/(?:why|p|u)/[A-Za-z0-9_-]+)`)

// TestAGermanCustomerEndToEnd: through the command and its wiring, a
// German customer of a shop with a German greeting gets German from
// subject to footer, text and HTML, and the links open German pages with
// German dates in Berlin's time; a Brazilian customer the shop writes no
// Portuguese for gets one message wholly in the default language. Then a
// pushy German greeting is held by lint and again when it would be sent.
func TestAGermanCustomerEndToEnd(t *testing.T) {
	sink := mailtest.NewSink(t)
	cfg, env := germanBakery(t, sink.URL())
	mustRun(t, env, "lint", filepath.Dir(cfg))
	mustRun(t, env, "run-once", "--config", cfg, "--at", "2026-12-01T10:00:00Z")

	var german, brazilian *mailtest.Received
	for _, m := range sink.Messages() {
		switch m.To[0] {
		case "jonas.becker@example.de":
			german = &m
		case "joao.silva@example.pt":
			brazilian = &m
		}
	}
	if german == nil || brazilian == nil {
		t.Fatalf("the German and the Brazilian customer did not both get a greeting (%d messages)", sink.Count())
	}
	de, err := german.Content()
	if err != nil {
		t.Fatal(err)
	}
	if got := german.Header.Get("Content-Language"); got != "de" {
		t.Errorf("the German greeting's Content-Language = %q", got)
	}
	if de.Subject != "Alles Gute zum Geburtstag, Jonas" && de.Subject != "Ein Geburtstagsgruß von Crumb & Co." {
		t.Errorf("the German greeting's subject: %q", de.Subject)
	}
	for _, want := range []string{"Liebe(r) Jonas,", "alles Gute zum Geburtstag", "\nWarum habe ich das bekommen? https://", "\nIhre Einstellungen: https://", "\nAbmelden: https://"} {
		if !strings.Contains(de.Text, want) {
			t.Errorf("the German text lacks %q:\n%s", want, de.Text)
		}
	}
	for _, want := range []string{"<p>Liebe(r) Jonas,</p>", ">Warum habe ich das bekommen?</a>", ">Abmelden</a>"} {
		if !strings.Contains(de.HTML, want) {
			t.Errorf("the German HTML lacks %q:\n%s", want, de.HTML)
		}
	}
	for _, english := range []string{"Dear", "Happy", "Unsubscribe", "Why did I get this", "preferences"} {
		if strings.Contains(de.Subject+de.Text+de.HTML, english) {
			t.Errorf("the German greeting has %q in it", english)
		}
	}

	pt, err := brazilian.Content()
	if err != nil {
		t.Fatal(err)
	}
	if got := brazilian.Header.Get("Content-Language"); got != "en" || !strings.HasPrefix(pt.Text, "Dear João,") ||
		!strings.Contains(pt.Text, "\nUnsubscribe: https://") || !strings.Contains(pt.HTML, ">Unsubscribe</a>") ||
		(pt.Subject != "Happy birthday, João" && pt.Subject != "A birthday treat from Crumb & Co.") {
		t.Errorf("the Brazilian greeting is not wholly in English (Content-Language %q, subject %q):\n%s\n%s", got, pt.Subject, pt.Text, pt.HTML)
	}

	// The German greeting's links open German pages, dates in Berlin's time.
	a := loadApp(t, cfg, env)
	ws, err := a.webServer()
	if err != nil {
		t.Fatal(err)
	}
	pages := map[string]string{}
	for _, m := range pageLink.FindAllStringSubmatch(de.Text, -1) {
		rec := httptest.NewRecorder()
		ws.Handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, m[1], nil))
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `<html lang="de">`) {
			t.Errorf("%s: %d, not German:\n%s", m[1], rec.Code, rec.Body)
		}
		pages[m[1][:strings.Index(m[1][1:], "/")+1]] = rec.Body.String()
	}
	for page, wants := range map[string][]string{
		"/why": {"Warum Sie diese Nachricht bekommen haben", "gesendet am 1. Dezember 2026, 11:00 CET", "heute, am 1. Dezember, ist Ihr Geburtstag in Europe/Berlin",
			"Sie haben am 14. März 2026, 11:02 CET", "höchstens 3 Nachrichten pro Woche von uns", "höchstens 1 Nachricht dieser Art pro Jahr"},
		"/p": {"Ihre Einstellungen", "1. Dezember (das Jahr speichern wir nie)"},
		"/u": {"Von Birthday treats abmelden"},
	} {
		for _, want := range wants {
			if !strings.Contains(pages[page], want) {
				t.Errorf("the German %s page lacks %q:\n%s", page, want, pages[page])
			}
		}
	}

	// A pushy German greeting: lint refuses it, and were it sent anyway,
	// the German rules hold it.
	pushy := strings.Replace(birthdayDE, "geht ein Stück Kuchen auf uns.", "geht ein Stück Kuchen auf uns. Nur noch heute! Greifen Sie schnell zu.", 1)
	if err := os.WriteFile(filepath.Join(filepath.Dir(cfg), "templates", "birthday.de.txt"), []byte(pushy), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCmd(t, env, "lint", filepath.Dir(cfg))
	if r.code != exitFailure || !strings.Contains(r.out, "templates/birthday.de.txt:5:") || !strings.Contains(r.out, `error: courteous.false-urgency: "Nur noch heute"`) {
		t.Errorf("lint of the pushy German greeting: exit %d\n%s", r.code, r.out)
	}
	before := sink.Count()
	mustRun(t, env, "run-once", "--config", cfg, "--at", "2026-12-02T10:00:00Z")
	r = mustRun(t, env, "log", "decisions", "--customer", "d3", "--format", "csv", "--config", cfg)
	if sink.Count() != before || !strings.Contains(r.out, "held:tone:courteous.false-urgency") {
		t.Errorf("the pushy German greeting: %d sent, decisions:\n%s", sink.Count()-before, r.out)
	}
}
