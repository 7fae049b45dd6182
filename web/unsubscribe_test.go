package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/consent"
)

func TestOneClickUnsubscribe(t *testing.T) {
	tests := []struct {
		name string
		body func(tb testing.TB) (contentType string, body io.Reader)
	}{
		{name: "form", body: func(testing.TB) (string, io.Reader) {
			return "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click")
		}},
		{name: "multipart", body: func(tb testing.TB) (string, io.Reader) {
			return multipartBody(tb, map[string]string{"List-Unsubscribe": "One-Click"})
		}},
		{name: "empty body", body: func(testing.TB) (string, io.Reader) { return "", http.NoBody }},
	}
	backends := []struct {
		name string
		opts func(t *testing.T) []envOption
	}{
		{name: "sqlite", opts: func(*testing.T) []envOption { return nil }},
		{name: "postgres", opts: func(t *testing.T) []envOption { return []envOption{onPostgres(t)} }},
	}
	for _, be := range backends {
		for _, tt := range tests {
			t.Run(be.name+"/"+tt.name, func(t *testing.T) {
				e := newEnv(t, be.opts(t)...)
				link := e.links().Unsubscribe
				post := func() response {
					ct, body := tt.body(t)
					req, _ := http.NewRequest(http.MethodPost, link, body)
					if ct != "" {
						req.Header.Set("Content-Type", ct)
					}
					// A mail provider's POST: no cookie, no Origin, no Sec-Fetch-*.
					return e.do(req)
				}
				for i := range 2 {
					res := post()
					if res.code != http.StatusOK {
						t.Fatalf("POST %d: status %d, want 200\n%s", i+1, res.code, res.body)
					}
					if loc := res.header.Get("Location"); loc != "" {
						t.Errorf("POST %d answered with Location %q; RFC 8058 wants no redirect", i+1, loc)
					}
					if !strings.Contains(html.UnescapeString(res.body), "You're unsubscribed") {
						t.Errorf("POST %d: no confirmation in the page", i+1)
					}
				}
				want := []courtesy.OptOut{{CustomerID: custID, Purpose: "birthday", Source: "one-click", MessageKey: birthdayKey, CampaignID: "birthday-treat", Variant: "personal", At: start}}
				if diff := cmp.Diff(want, e.optOuts(), cmpopts.IgnoreFields(courtesy.OptOut{}, "ID"), cmpopts.EquateApproxTime(0)); diff != "" {
					t.Errorf("opt-outs after two POSTs (-want +got):\n%s", diff)
				}
				if e.granted("birthday") {
					t.Error("birthday is still granted after the unsubscribe")
				}
				if !e.granted("surveys") {
					t.Error("unsubscribing from birthday withdrew surveys too")
				}
				withdrawals := 0
				for _, r := range e.history() {
					if r.Status == courtesy.Withdrawn {
						withdrawals++
						if r.Source != "one-click" || r.MessageKey != birthdayKey {
							t.Errorf("withdrawal recorded as source %q message %q", r.Source, r.MessageKey)
						}
					}
				}
				if withdrawals != 1 {
					t.Errorf("%d withdrawals in the ledger, want 1", withdrawals)
				}
			})
		}
	}
}

func TestUnsubscribeGetAndHeadChangeNothing(t *testing.T) {
	e := newEnv(t)
	link := e.links().Unsubscribe
	before := e.history()
	res := e.get(link)
	if res.code != http.StatusOK {
		t.Fatalf("GET: status %d", res.code)
	}
	for _, want := range []string{"Unsubscribe from Birthday treats", "Stop all messages from Crumb &amp; Co. Bakery", `name="via" value="page"`, "/p/", "a•••@example.com"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("GET page lacks %q", want)
		}
	}
	req, _ := http.NewRequest(http.MethodHead, link, nil)
	if res := e.do(req); res.code != http.StatusOK {
		t.Errorf("HEAD: status %d", res.code)
	}
	if diff := cmp.Diff(before, e.history()); diff != "" {
		t.Errorf("GET/HEAD changed the ledger (-before +after):\n%s", diff)
	}
	if n := len(e.optOuts()); n != 0 {
		t.Errorf("GET/HEAD recorded %d opt-outs", n)
	}
}

func TestUnsubscribePageButtons(t *testing.T) {
	tests := []struct {
		name        string
		form        url.Values
		wantPurpose string
	}{
		{name: "the one button", form: url.Values{"via": {"page"}, "stop": {"purpose"}}, wantPurpose: "birthday"},
		{name: "stop everything", form: url.Values{"via": {"page"}, "stop": {"all"}}, wantPurpose: courtesy.AllPurposes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			res := e.postForm(e.links().Unsubscribe, tt.form)
			if res.code != http.StatusOK {
				t.Fatalf("status %d", res.code)
			}
			outs := e.optOuts()
			if len(outs) != 1 || outs[0].Purpose != tt.wantPurpose || outs[0].Source != "unsubscribe-page" {
				t.Fatalf("opt-outs = %+v, want one for %q from the unsubscribe page", outs, tt.wantPurpose)
			}
			for _, p := range testPurposes {
				// Only the message's own purpose goes, unless everything was stopped.
				if want := tt.wantPurpose != courtesy.AllPurposes && p.ID != tt.wantPurpose; e.granted(p.ID) != want {
					t.Errorf("%s granted = %v, want %v", p.ID, !want, want)
				}
			}
		})
	}
}

func TestLeaveReasonAndUndo(t *testing.T) {
	e := newEnv(t)
	link := e.links().Unsubscribe
	if res := e.postForm(link, url.Values{"via": {"page"}}); res.code != http.StatusOK {
		t.Fatalf("unsubscribe: %d", res.code)
	}
	crossSite, _ := http.NewRequest(http.MethodPost, link, strings.NewReader("step=reason&reason=intrusive"))
	crossSite.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	crossSite.Header.Set("Sec-Fetch-Site", "cross-site")
	if res := e.do(crossSite); res.code != http.StatusForbidden {
		t.Errorf("cross-site reason POST: status %d, want 403", res.code)
	}
	if res := e.postForm(link, url.Values{"step": {"reason"}, "reason": {"too-many"}, "comment": {"  Lovely cakes, just too much mail.  "}}); res.code != http.StatusOK {
		t.Fatalf("reason: %d", res.code)
	}
	outs := e.optOuts()
	if len(outs) != 1 {
		t.Fatalf("%d opt-outs, want 1", len(outs))
	}
	if diff := cmp.Diff([2]string{"too-many", "Lovely cakes, just too much mail."}, [2]string{outs[0].Reason, outs[0].Comment}); diff != "" {
		t.Errorf("reason, comment (-want +got):\n%s", diff)
	}

	e.clock.Add(1)
	if res := e.postForm(link, url.Values{"step": {"undo"}}); res.code != http.StatusOK {
		t.Fatalf("undo: %d", res.code)
	}
	if !e.granted("birthday") {
		t.Error("undo did not re-grant birthday")
	}
	h := consent.Sorted(e.history())
	if last := h[len(h)-1]; last.Source != "unsubscribe-page" || last.Status != courtesy.Granted {
		t.Errorf("undo recorded %+v", last)
	}
}

// flip returns the token with one byte of its decoded form changed.
func flip(tb testing.TB, tok string, i int) string {
	tb.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		tb.Fatal(err)
	}
	raw[i%len(raw)] ^= 0x01
	return base64.RawURLEncoding.EncodeToString(raw)
}

func TestBadLinksAllLookTheSame(t *testing.T) {
	e := newEnv(t)
	good := strings.TrimPrefix(pathOf(t, e.links().Unsubscribe), "/u/")
	stranger := mustSigner(t, consent.Key{ID: "elsewhere", Secret: bytes.Repeat([]byte{7}, 32)})
	surveyTok := strings.TrimPrefix(pathOf(t, e.surveyLinks().Survey[9]), "/s/")
	bad := map[string]string{
		"flipped byte":     flip(t, good, 10),
		"flipped tag byte": flip(t, good, -1+len(good)*3/4),
		"unknown key":      strings.TrimPrefix(pathOf(t, stranger.Links(e.ts.URL, custID, "birthday", birthdayKey, start).Unsubscribe), "/u/"),
		"survey token":     surveyTok,
		"garbage":          "not-a-token",
	}
	var first *response
	for name, tok := range bad {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			req, _ := http.NewRequest(method, e.ts.URL+"/u/"+tok, strings.NewReader("List-Unsubscribe=One-Click"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			res := e.do(req)
			if res.code != http.StatusNotFound {
				t.Errorf("%s %s: status %d, want 404", method, name, res.code)
			}
			if first == nil {
				first = &res
			} else if res.body != first.body {
				t.Errorf("%s %s: body differs from the other bad links:\n%s", method, name, cmp.Diff(first.body, res.body))
			}
		}
	}
	if n := len(e.optOuts()); n != 0 {
		t.Errorf("bad links recorded %d opt-outs", n)
	}
}

func TestOldKeyStillVerifiesAfterRotation(t *testing.T) {
	e := newEnv(t)
	// A message sent before the rotation, signed with what was then the only key.
	before := mustSigner(t, keyOld).Links(e.ts.URL, custID, "birthday", birthdayKey, start.AddDate(-1, 0, 0))
	res := e.do(mustRequest(t, http.MethodPost, before.Unsubscribe, "List-Unsubscribe=One-Click"))
	if res.code != http.StatusOK {
		t.Fatalf("old-key link after rotation: status %d", res.code)
	}
	if n := len(e.optOuts()); n != 1 {
		t.Errorf("%d opt-outs, want 1", n)
	}
}

func mustRequest(tb testing.TB, method, u, form string) *http.Request {
	tb.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(form))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

func TestOneClickSurvivesRateLimitButGuessingDoesNot(t *testing.T) {
	e := newEnv(t, func(c *Config, _ *Deps) { c.RateLimit = RateLimit{PerSecond: 0.001, Burst: 2} })
	for i := range 5 {
		if res := e.do(mustRequest(t, http.MethodPost, e.links().Unsubscribe, "List-Unsubscribe=One-Click")); res.code != http.StatusOK {
			t.Fatalf("signed one-click POST %d: status %d, want 200 whatever the rate", i+1, res.code)
		}
	}
	codes := []int{}
	for range 4 {
		codes = append(codes, e.do(mustRequest(t, http.MethodPost, e.ts.URL+"/u/guess", "")).code)
	}
	if diff := cmp.Diff([]int{404, 404, 429, 429}, codes); diff != "" {
		t.Errorf("guessing statuses (-want +got):\n%s", diff)
	}
	if res := e.get(e.links().Why); res.code != http.StatusTooManyRequests {
		t.Errorf("page after the burst: status %d, want 429", res.code)
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	for _, u := range []string{e.links().Unsubscribe, e.ts.URL + "/u/bad", e.ts.URL + "/healthz", e.ts.URL + "/nowhere"} {
		res := e.get(u)
		for h, want := range map[string]string{
			"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "no-referrer",
			"Cache-Control":           "no-store",
		} {
			if got := res.header.Get(h); got != want {
				t.Errorf("%s: %s = %q, want %q", pathOf(t, u), h, got, want)
			}
		}
	}
	css := e.get(e.ts.URL + "/static/style.css")
	if css.code != http.StatusOK || !strings.HasPrefix(css.header.Get("Content-Type"), "text/css") {
		t.Errorf("stylesheet: %d %s", css.code, css.header.Get("Content-Type"))
	}
}

func TestHealthReadyMetrics(t *testing.T) {
	e := newEnv(t)
	if res := e.get(e.ts.URL + "/healthz"); res.code != 200 || strings.TrimSpace(res.body) != "ok" {
		t.Errorf("healthz: %d %q", res.code, res.body)
	}
	if res := e.get(e.ts.URL + "/readyz"); res.code != 200 {
		t.Errorf("readyz while ready: %d", res.code)
	}
	e.ready = context.DeadlineExceeded
	if res := e.get(e.ts.URL + "/readyz"); res.code != http.StatusServiceUnavailable || strings.Contains(res.body, "deadline") {
		t.Errorf("readyz while not ready: %d %q", res.code, res.body)
	}
	e.do(mustRequest(t, http.MethodPost, e.links().Unsubscribe, ""))
	res := e.get(e.ts.URL + "/metrics")
	for _, want := range []string{`courtesy_web_requests_total{code="200",route="POST /u/{token}"} 1`, `courtesy_web_optouts_total{source="one-click"} 1`} {
		if !strings.Contains(res.body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestExpiredLinkSaysSo(t *testing.T) {
	e := newEnv(t)
	why := e.links().Why
	e.clock.Add(consent.DefaultTTL + time.Hour)
	res := e.get(why)
	if res.code != http.StatusNotFound || !strings.Contains(res.body, "expired") {
		t.Errorf("expired why link: %d, expiry explained: %v", res.code, strings.Contains(res.body, "expired"))
	}
	if res := e.do(mustRequest(t, http.MethodPost, e.links().Unsubscribe, "")); res.code != http.StatusOK {
		t.Errorf("unsubscribe link past the TTL: %d, want 200: it never expires", res.code)
	}
}
