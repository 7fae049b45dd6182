package report_test

import (
	"bytes"
	"context"
	"flag"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy/internal/testenv"
	"github.com/courtesyhq/courtesy/report"
	"github.com/courtesyhq/courtesy/report/reporttest"
)

var update = flag.Bool("update", false, "rewrite the screenshots in testdata/screenshots")

// TestHTMLScreenshot renders the seeded report in headless Chromium and
// checks that what an owner would see is drawn. With -update it saves the
// picture to testdata/screenshots/report.png.
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
	out := filepath.Join(dir, "report.png")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--hide-scrollbars", "--user-data-dir="+filepath.Join(dir, "profile"), "--window-size=1280,2600",
		"--screenshot="+out, "file://"+page)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, b)
	}
	shot, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	if len(shot) < 20_000 {
		t.Errorf("screenshot is %d bytes: the page looks empty", len(shot))
	}
	// The size alone passes for a page of text and tables. The report's
	// charts draw about 2,600 distinct colours; without them the same page
	// draws under 1,000 (the anti-aliased text and the table tints), a
	// blank one draws one.
	n := distinctColours(t, shot)
	t.Logf("screenshot: %d bytes, %d distinct colours", len(shot), n)
	if n < 1500 {
		t.Errorf("screenshot has %d distinct colours, want at least 1500: the charts look missing", n)
	}
	if *update && !t.Failed() {
		golden := filepath.Join("testdata", "screenshots", "report.png")
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func distinctColours(tb testing.TB, pngData []byte) int {
	tb.Helper()
	img, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		tb.Fatalf("decode screenshot: %v", err)
	}
	// Chromium writes 8-bit RGB or RGBA; reading the pixels directly rather
	// than through At keeps this quick under -race.
	var pix []byte
	switch img := img.(type) {
	case *image.RGBA:
		pix = img.Pix
	case *image.NRGBA:
		pix = img.Pix
	default:
		tb.Fatalf("screenshot decodes to %T, want 8-bit RGB(A)", img)
	}
	seen := map[[4]byte]bool{}
	for i := 0; i+4 <= len(pix); i += 4 {
		seen[[4]byte(pix[i:i+4])] = true
	}
	return len(seen)
}
