package web

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the screenshots in testdata/screenshots")

// screenshotDir is where a browser test saves its screenshots: a temporary
// directory, so that a test run leaves the committed pictures alone, or
// testdata/screenshots with -update.
func screenshotDir(t *testing.T) string {
	t.Helper()
	if !*update {
		return t.TempDir()
	}
	dir := filepath.Join("testdata", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestBrowserUnsubscribeAndPreferences walks a person through a real
// unsubscribe link and the preference page in headless Chromium, and checks
// the store after each step. With -update it saves what each step shows to
// testdata/screenshots.
func TestBrowserUnsubscribeAndPreferences(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	e := newEnv(t)
	b := startBrowser(t)
	shots := screenshotDir(t)
	links := e.links()

	b.navigate(links.Unsubscribe)
	b.waitFor("Unsubscribe from Birthday treats")
	b.screenshot(filepath.Join(shots, "unsubscribe.png"))
	if !e.granted("birthday") {
		t.Fatal("opening the unsubscribe page withdrew consent")
	}

	b.click("button.primary")
	b.waitFor("You're unsubscribed")
	b.screenshot(filepath.Join(shots, "unsubscribed.png"))
	if e.granted("birthday") {
		t.Fatal("birthday still granted after clicking the button")
	}
	outs := e.optOuts()
	if len(outs) != 1 || outs[0].Source != "unsubscribe-page" || outs[0].MessageKey != birthdayKey {
		t.Fatalf("opt-outs after the click: %+v", outs)
	}

	// The page's own link to the preference center.
	var prefs string
	b.eval(`document.querySelector('a[href^="/p/"]').href`, &prefs)
	b.navigate(prefs)
	b.waitFor("Your preferences")
	b.screenshot(filepath.Join(shots, "preferences.png"))

	b.click(`label[for="purpose-surveys"]`)
	b.click(`input[name="pause"][value="30"]`)
	b.click(`button.primary`)
	b.waitFor("Saved.")
	b.screenshot(filepath.Join(shots, "preferences-saved.png"))

	if e.granted("surveys") {
		t.Error("surveys still granted after turning it off in the browser")
	}
	if !e.granted("reminders") {
		t.Error("reminders withdrawn though left on")
	}
	p, err := e.st.Preferences(context.Background(), custID)
	if err != nil {
		t.Fatal(err)
	}
	if want := start.AddDate(0, 0, 30); !p.PausedUntil.Equal(want) {
		t.Errorf("paused until %v, want %v", p.PausedUntil, want)
	}

	b.navigate(links.Why)
	b.waitFor("Why you got this message")
	b.screenshot(filepath.Join(shots, "why.png"))

	survey := e.signer.Links(e.ts.URL, custID, "surveys", surveyKey, start).Survey[8]
	b.navigate(survey)
	b.waitFor("One quick question")
	b.screenshot(filepath.Join(shots, "survey.png"))

	b.navigate(e.ts.URL + "/u/" + "not-a-real-token")
	b.waitFor("This link doesn't work")
	b.screenshot(filepath.Join(shots, "bad-link.png"))
}

// TestBrowserUnsubscribeInSpanish: a Spanish customer's link opens the
// unsubscribe page in Spanish in a real browser, and its button works the
// same. With -update it saves the page beside the English one.
func TestBrowserUnsubscribeInSpanish(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	e := newEnv(t)
	e.speaks("es-ES", "Europe/Madrid")
	b := startBrowser(t)
	shots := screenshotDir(t)

	b.navigate(e.links().Unsubscribe)
	b.waitFor("Darse de baja de Birthday treats")
	b.screenshot(filepath.Join(shots, "unsubscribe.es.png"))
	var lang string
	b.eval(`document.documentElement.lang`, &lang)
	if lang != "es" {
		t.Errorf("<html lang> = %q, want es", lang)
	}
	b.click("button.primary")
	b.waitFor("Te has dado de baja")
	if e.granted("birthday") {
		t.Fatal("birthday still granted after clicking the Spanish button")
	}
}
