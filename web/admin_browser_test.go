package web

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/courtesyhq/courtesy/report/reporttest"
)

// TestBrowserAdmin signs in to the dashboard in headless Chromium over a
// generated shop history and pauses a campaign with its button. With -update
// it saves the dashboard to testdata/screenshots/admin.png.
func TestBrowserAdmin(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	ds := reporttest.Generate(reporttest.Options{Customers: 5000, Days: 30, Until: start})
	e := newEnv(t, withAdmin(adminPassword), func(c *Config, _ *Deps) { c.Report.Campaigns = ds.Campaigns })
	if err := e.st.BulkLoad(context.Background(), ds.Bulk); err != nil {
		t.Fatal(err)
	}
	b := startBrowser(t)
	b.call(b.session, "Emulation.setDeviceMetricsOverride", map[string]any{"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": false}, nil)
	shots := screenshotDir(t)

	b.navigate(e.ts.URL + "/admin/")
	b.waitFor("Sign in")
	b.eval(`document.querySelector('#password').value = "`+adminPassword+`"; true`, nil)
	b.click("button.primary")
	b.waitFor("Opt-outs by purpose")
	if e.campaignPaused("saved-reminder") {
		t.Fatal("saved-reminder paused before the click")
	}
	b.click(`#control-saved-reminder button`)
	b.waitFor("manual pause on the dashboard")
	if !e.campaignPaused("saved-reminder") {
		t.Error("the Pause button did not pause the campaign in the store")
	}
	b.screenshot(filepath.Join(shots, "admin.png"))
}
