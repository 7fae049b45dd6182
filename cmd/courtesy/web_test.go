package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/courtesyhq/courtesy/mailer/mailtest"
)

// TestWebSectionIsWired: web.metrics_listen moves /metrics off the pages'
// listener onto its own server.
func TestWebSectionIsWired(t *testing.T) {
	sink := mailtest.NewSink(t)
	cfg, env := bakeryShop(t, sink.URL())
	appendFile(t, cfg, "\nweb:\n  listen: 127.0.0.1:0\n  metrics_listen: 127.0.0.1:9\n  client_ip_header: X-Forwarded-For\n  trusted_proxies: [127.0.0.1]\n")
	a := loadApp(t, cfg, env)
	ws, err := a.webServer()
	if err != nil {
		t.Fatal(err)
	}
	if ws.metrics == nil || ws.metrics.Addr != "127.0.0.1:9" {
		t.Fatalf("metrics server %+v, want one on 127.0.0.1:9", ws.metrics)
	}
	rec := httptest.NewRecorder()
	ws.Handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("/metrics on the pages' listener: %d, want 404", rec.Code)
	}
	rec = httptest.NewRecorder()
	ws.metrics.Handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "courtesy_") {
		t.Errorf("/metrics on its own listener: %d\n%s", rec.Code, rec.Body)
	}
}

// TestShortSecretStopsTheStart: a short admin password is refused before
// anything runs, with the variable named.
func TestShortSecretStopsTheStart(t *testing.T) {
	cfg, env := bakeryShop(t, "smtp://127.0.0.1:9")
	env["COURTESY_ADMIN_PASSWORD"] = "letmein"
	r := runCmd(t, env, "web", "--config", cfg)
	if r.code != 2 || !strings.Contains(r.err, "COURTESY_ADMIN_PASSWORD: 7 characters is too short") || strings.Contains(r.err, "letmein") {
		t.Errorf("exit %d, stderr:\n%s\nwant exit 2 naming COURTESY_ADMIN_PASSWORD, without the value", r.code, r.err)
	}
}

// loadApp loads the shop's configuration as a command would; the app is
// closed when the test ends.
func loadApp(t *testing.T, cfg string, env map[string]string) *app {
	t.Helper()
	inv := &invocation{ctx: context.Background(), stdio: stdio{out: &bytes.Buffer{}, err: &bytes.Buffer{}},
		getenv: func(k string) string { return env[k] }, config: cfg, logLevel: "error"}
	a, err := inv.load()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.close)
	return a
}
