package report_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy/internal/testenv"
	"github.com/courtesyhq/courtesy/report"
	"github.com/courtesyhq/courtesy/report/reporttest"
)

// TestHTMLScreenshot renders the seeded report in headless Chromium and
// saves what an owner would see to testdata/screenshots/report.png.
func TestHTMLScreenshot(t *testing.T) {
	if testing.Short() {
		t.Skip("browser screenshot skipped in -short mode")
	}
	chromium, err := exec.LookPath("/usr/bin/chromium")
	if err != nil {
		if testenv.InCI() {
			t.Fatal("headless Chromium is not installed in CI (apt-get install -y chromium)")
		}
		t.Skip("headless Chromium not found; install it with `apt-get install -y chromium`")
	}
	db, ds, _ := sqliteSeeded(t, reporttest.Options{Customers: 8000, Days: 60})
	r := build(t, db, ds)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	f, err := os.Create(page)
	if err != nil {
		t.Fatal(err)
	}
	if err := report.WriteHTML(f, r); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	out, err := filepath.Abs(filepath.Join("testdata", "screenshots", "report.png"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	_ = os.Remove(out)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--hide-scrollbars", "--user-data-dir="+filepath.Join(dir, "profile"), "--window-size=1280,2600",
		"--screenshot="+out, "file://"+page)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, b)
	}
	st, err := os.Stat(out)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	if st.Size() < 20_000 {
		t.Errorf("screenshot is %d bytes: the page looks empty", st.Size())
	}
}
