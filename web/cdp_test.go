package web

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/courtesyhq/courtesy/internal/testenv"
)

// browser drives a headless Chromium over the DevTools protocol on a pipe
// (--remote-debugging-pipe: NUL-terminated JSON on file descriptors 3 and
// 4), which needs no WebSocket client and no dependency.
type browser struct {
	tb      testing.TB
	cmd     *exec.Cmd
	in      *os.File // our end of Chromium's fd 3
	session string

	mu      sync.Mutex
	nextID  int
	waiting map[int]chan cdpReply
}

type cdpReply struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"error"`
}

func chromiumPath(tb testing.TB) string {
	tb.Helper()
	for _, p := range []string{os.Getenv("COURTESY_TEST_CHROMIUM"), "/usr/bin/chromium", "chromium", "chromium-browser"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if testenv.InCI() {
		tb.Fatal("headless Chromium is not installed in CI (apt-get install -y chromium)")
	}
	tb.Skip("headless Chromium not found; install it with `apt-get install -y chromium` to run the browser test")
	return ""
}

func startBrowser(tb testing.TB) *browser {
	tb.Helper()
	path := chromiumPath(tb)
	// Not tb.TempDir: Chromium's helpers may still be writing to the profile
	// for a moment after it exits, which would fail the test's cleanup.
	profile, err := os.MkdirTemp("", "courtesy-chromium-")
	if err != nil {
		tb.Fatal(err)
	}
	cmdR, ourW, err := os.Pipe() // we write commands, Chromium reads them on fd 3
	if err != nil {
		tb.Fatal(err)
	}
	ourR, cmdW, err := os.Pipe() // Chromium writes replies on fd 4
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(path,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
		"--user-data-dir="+profile, "--remote-debugging-pipe", "about:blank")
	cmd.ExtraFiles = []*os.File{cmdR, cmdW}
	// Its own process group, so its helper processes can be stopped with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start chromium: %v", err)
	}
	cmdR.Close()
	cmdW.Close()
	b := &browser{tb: tb, cmd: cmd, in: ourW, waiting: map[int]chan cdpReply{}}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	tb.Cleanup(func() {
		b.send("", "Browser.close", map[string]any{})
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		ourW.Close()
		ourR.Close()
		_ = os.RemoveAll(profile)
	})
	go b.read(ourR)

	var target struct{ TargetID string }
	b.call("", "Target.createTarget", map[string]any{"url": "about:blank"}, &target)
	var att struct{ SessionID string }
	b.call("", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &att)
	b.session = att.SessionID
	// A phone-sized window: the pages must read well there.
	b.call(b.session, "Emulation.setDeviceMetricsOverride", map[string]any{"width": 412, "height": 900, "deviceScaleFactor": 1, "mobile": true}, nil)
	return b
}

func (b *browser) read(r *os.File) {
	br := bufio.NewReader(r)
	for {
		msg, err := br.ReadBytes(0)
		if err != nil {
			return
		}
		var m struct {
			ID int `json:"id"`
			cdpReply
		}
		if json.Unmarshal(msg[:len(msg)-1], &m) != nil || m.ID == 0 {
			continue // an event: not needed here
		}
		b.mu.Lock()
		ch := b.waiting[m.ID]
		delete(b.waiting, m.ID)
		b.mu.Unlock()
		if ch != nil {
			ch <- m.cdpReply
		}
	}
}

// send writes one command and returns the channel its reply comes on.
func (b *browser) send(session, method string, params any) (chan cdpReply, error) {
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	ch := make(chan cdpReply, 1)
	b.waiting[id] = ch
	b.mu.Unlock()
	msg := map[string]any{"id": id, "method": method, "params": params}
	if session != "" {
		msg["sessionId"] = session
	}
	data, _ := json.Marshal(msg)
	_, err := b.in.Write(append(data, 0))
	return ch, err
}

// call sends one command and decodes its result into out (when not nil).
func (b *browser) call(session, method string, params any, out any) {
	b.tb.Helper()
	ch, err := b.send(session, method, params)
	if err != nil {
		b.tb.Fatalf("cdp %s: %v", method, err)
	}
	select {
	case rep := <-ch:
		if rep.Error != nil {
			b.tb.Fatalf("cdp %s: %s", method, rep.Error.Message)
		}
		if out != nil {
			if err := json.Unmarshal(rep.Result, out); err != nil {
				b.tb.Fatalf("cdp %s result: %v", method, err)
			}
		}
	case <-time.After(30 * time.Second):
		b.tb.Fatalf("cdp %s: no reply in 30s", method)
	}
}

// eval evaluates a JavaScript expression in the page (DevTools evaluation;
// the pages themselves have no scripts) and decodes its value.
func (b *browser) eval(expr string, out any) {
	b.tb.Helper()
	var res struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	b.call(b.session, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true}, &res)
	if res.ExceptionDetails != nil {
		b.tb.Fatalf("eval %s: %s", expr, res.ExceptionDetails.Text)
	}
	if out != nil {
		if err := json.Unmarshal(res.Result.Value, out); err != nil {
			b.tb.Fatalf("eval %s: %v (%s)", expr, err, res.Result.Value)
		}
	}
}

func (b *browser) navigate(url string) {
	b.tb.Helper()
	b.call(b.session, "Page.navigate", map[string]any{"url": url}, nil)
}

// waitFor polls until the loaded page's text contains want.
func (b *browser) waitFor(want string) {
	b.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	expr := fmt.Sprintf("document.readyState === 'complete' && document.body !== null && document.body.innerText.includes(%q)", want)
	for {
		var ok bool
		b.eval(expr, &ok)
		if ok {
			return
		}
		select {
		case <-ctx.Done():
			var text string
			b.eval("document.body ? document.body.innerText : ''", &text)
			b.tb.Fatalf("page never showed %q; it shows:\n%s", want, text)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// click presses the mouse on the middle of the element the selector finds,
// as a person would.
func (b *browser) click(selector string) {
	b.tb.Helper()
	var pt struct{ X, Y float64 }
	b.eval(fmt.Sprintf(`(() => { const s = %q; const e = document.querySelector(s); if (!e) throw new Error("no element " + s);
		e.scrollIntoView({block: "center"}); const r = e.getBoundingClientRect();
		return {X: r.left + r.width / 2, Y: r.top + r.height / 2}; })()`, selector), &pt)
	for _, typ := range []string{"mousePressed", "mouseReleased"} {
		b.call(b.session, "Input.dispatchMouseEvent", map[string]any{"type": typ, "x": pt.X, "y": pt.Y, "button": "left", "clickCount": 1}, nil)
	}
}

// screenshot saves the whole page as a PNG.
func (b *browser) screenshot(path string) {
	b.tb.Helper()
	var metrics struct {
		CSSContentSize struct{ Width, Height float64 } `json:"cssContentSize"`
	}
	b.call(b.session, "Page.getLayoutMetrics", map[string]any{}, &metrics)
	var shot struct{ Data string }
	b.call(b.session, "Page.captureScreenshot", map[string]any{
		"format": "png", "captureBeyondViewport": true,
		"clip": map[string]any{"x": 0, "y": 0, "width": metrics.CSSContentSize.Width, "height": metrics.CSSContentSize.Height, "scale": 1},
	}, &shot)
	png, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil {
		b.tb.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.tb.Fatal(err)
	}
}
