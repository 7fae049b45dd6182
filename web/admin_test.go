package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/courtesyhq/courtesy/report"
)

const adminPassword = "correct horse battery staple"

func withAdmin(password string) envOption {
	return func(c *Config, d *Deps) {
		c.AdminPassword = password
		c.Report = report.Options{
			Campaigns: []report.CampaignInfo{{ID: "birthday-treat", Name: "Birthday treat", Purpose: "birthday"}},
			Purposes:  []string{"birthday", "reminders", "surveys"},
		}
		d.Admin = d.Store.(AdminStore)
	}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(tb testing.TB, body string) string {
	tb.Helper()
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		tb.Fatalf("no CSRF field in:\n%s", body)
	}
	return m[1]
}

func cookieOf(res response, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: res.header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// adminReq sends a request with the given cookies, as a browser on the site.
func (e *env) adminReq(method, path string, form url.Values, cookies ...*http.Cookie) response {
	e.t.Helper()
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req, _ := http.NewRequest(method, e.ts.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("Origin", e.ts.URL)
	}
	for _, c := range cookies {
		if c != nil {
			req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
		}
	}
	return e.do(req)
}

// login signs in and returns the session cookie.
func (e *env) login(password string) (response, *http.Cookie) {
	e.t.Helper()
	page := e.adminReq(http.MethodGet, "/admin/login", nil)
	if page.code != http.StatusOK {
		e.t.Fatalf("login page: %d", page.code)
	}
	pre := cookieOf(page, adminLoginCookie)
	res := e.adminReq(http.MethodPost, "/admin/login", url.Values{"password": {password}, "csrf": {csrfOf(e.t, page.body)}}, pre)
	return res, cookieOf(res, adminCookie)
}

func (e *env) campaignPaused(id string) bool {
	e.t.Helper()
	st, err := e.st.CampaignState(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return st.Paused
}

func TestAdminClosedWithoutPassword(t *testing.T) {
	e := newEnv(t, withAdmin(""))
	res := e.get(e.ts.URL + "/admin/")
	if res.code != http.StatusForbidden || !strings.Contains(res.body, "COURTESY_ADMIN_PASSWORD") {
		t.Errorf("GET /admin/ without a password: %d\n%s", res.code, res.body)
	}
	if res := e.adminReq(http.MethodGet, "/admin/login", nil); res.code != http.StatusForbidden {
		t.Errorf("login page without a password: %d", res.code)
	}
}

func TestAdminLoginRequired(t *testing.T) {
	e := newEnv(t, withAdmin(adminPassword))
	for _, path := range []string{"/admin/", "/admin/logs", "/admin/export.csv"} {
		res := e.adminReq(http.MethodGet, path, nil)
		if res.code != http.StatusSeeOther || res.header.Get("Location") != "/admin/login" {
			t.Errorf("GET %s signed out: %d to %q", path, res.code, res.header.Get("Location"))
		}
	}
	res := e.adminReq(http.MethodPost, "/admin/campaigns/birthday-treat/pause", url.Values{"csrf": {"x"}})
	if res.code != http.StatusUnauthorized || e.campaignPaused("birthday-treat") {
		t.Errorf("POST pause signed out: %d, paused %v", res.code, e.campaignPaused("birthday-treat"))
	}
	// A forged cookie is no session.
	forged := &http.Cookie{Name: adminCookie, Value: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.AAAA"}
	if res := e.adminReq(http.MethodGet, "/admin/", nil, forged); res.code != http.StatusSeeOther {
		t.Errorf("forged session: %d", res.code)
	}
}

func TestAdminWrongPasswordRefused(t *testing.T) {
	e := newEnv(t, withAdmin(adminPassword))
	res, sess := e.login("correct horse battery stapler")
	if res.code != http.StatusUnauthorized || sess != nil {
		t.Fatalf("wrong password: %d, session cookie %v", res.code, sess)
	}
	if !strings.Contains(res.body, "not right") {
		t.Errorf("the page does not say the password was wrong:\n%s", res.body)
	}
	// Five tries are allowed at once; then the client must wait.
	var last int
	for range 6 {
		res, _ := e.login("guess")
		last = res.code
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("after many wrong passwords: %d, want 429", last)
	}
}

func TestAdminSessionCookie(t *testing.T) {
	e := newEnv(t, withAdmin(adminPassword))
	res, sess := e.login(adminPassword)
	if res.code != http.StatusSeeOther || sess == nil {
		t.Fatalf("right password: %d, cookie %v", res.code, sess)
	}
	if !sess.HttpOnly || !sess.Secure || sess.SameSite != http.SameSiteStrictMode || sess.Path != "/admin/" {
		t.Errorf("session cookie %+v: want HttpOnly, Secure, SameSite=Strict, Path /admin/", sess)
	}
	if !plainLoopback("http://127.0.0.1:8080") || !plainLoopback("http://localhost:8080") || plainLoopback("https://crumb.example") || plainLoopback("http://crumb.example") {
		t.Error("plainLoopback misjudges which sites get Secure cookies")
	}
	page := e.adminReq(http.MethodGet, "/admin/", nil, sess)
	if page.code != http.StatusOK || !strings.Contains(page.body, "Birthday treat") || !strings.Contains(page.body, "<svg") {
		t.Errorf("dashboard: %d\n%s", page.code, page.body)
	}
	if strings.Contains(page.body, "<script") {
		t.Error("the dashboard has a script")
	}
}

func TestAdminCSRFAndPauseResume(t *testing.T) {
	e := newEnv(t, withAdmin(adminPassword))
	_, sess := e.login(adminPassword)
	_, other := e.login(adminPassword)
	page := e.adminReq(http.MethodGet, "/admin/", nil, sess)
	token := csrfOf(t, page.body)
	otherToken := csrfOf(t, e.adminReq(http.MethodGet, "/admin/", nil, other).body)

	for _, tc := range []struct {
		name  string
		token string
	}{
		{"no token", ""},
		{"a made-up token", "bm90LWEtdG9rZW4"},
		{"another session's token", otherToken},
	} {
		res := e.adminReq(http.MethodPost, "/admin/campaigns/birthday-treat/pause", url.Values{"csrf": {tc.token}}, sess)
		if res.code != http.StatusForbidden || e.campaignPaused("birthday-treat") {
			t.Errorf("%s: %d, paused %v; want 403 and no change", tc.name, res.code, e.campaignPaused("birthday-treat"))
		}
	}
	// A cross-site POST with the right token is refused too.
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/admin/campaigns/birthday-treat/pause",
		strings.NewReader(url.Values{"csrf": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.AddCookie(&http.Cookie{Name: sess.Name, Value: sess.Value})
	if res := e.do(req); res.code != http.StatusForbidden || e.campaignPaused("birthday-treat") {
		t.Errorf("cross-site POST: %d", res.code)
	}

	res := e.adminReq(http.MethodPost, "/admin/campaigns/birthday-treat/pause", url.Values{"csrf": {token}}, sess)
	if res.code != http.StatusSeeOther || !e.campaignPaused("birthday-treat") {
		t.Fatalf("pause: %d, paused %v", res.code, e.campaignPaused("birthday-treat"))
	}
	page = e.adminReq(http.MethodGet, "/admin/", nil, sess)
	if !strings.Contains(page.body, "manual pause on the dashboard") || !strings.Contains(page.body, "/resume") {
		t.Errorf("the dashboard does not show the pause")
	}
	res = e.adminReq(http.MethodPost, "/admin/campaigns/birthday-treat/resume", url.Values{"csrf": {token}}, sess)
	if res.code != http.StatusSeeOther || e.campaignPaused("birthday-treat") {
		t.Fatalf("resume: %d, paused %v", res.code, e.campaignPaused("birthday-treat"))
	}
	if res := e.adminReq(http.MethodPost, "/admin/campaigns/no-such/pause", url.Values{"csrf": {token}}, sess); res.code != http.StatusNotFound {
		t.Errorf("pause of an unknown campaign: %d", res.code)
	}
	// Signing out ends the session's use of its token.
	if res := e.adminReq(http.MethodPost, "/admin/logout", url.Values{"csrf": {token}}, sess); res.code != http.StatusSeeOther {
		t.Errorf("sign out: %d", res.code)
	} else if c := cookieOf(res, adminCookie); c == nil || c.MaxAge >= 0 {
		t.Errorf("sign out did not clear the cookie: %+v", c)
	}
}

func TestAdminLogsAndExport(t *testing.T) {
	e := newEnv(t, withAdmin(adminPassword))
	_, sess := e.login(adminPassword)
	page := e.adminReq(http.MethodGet, "/admin/logs?kind=decisions&customer="+custID+"&since=7d", nil, sess)
	if page.code != http.StatusOK || !strings.Contains(page.body, birthdayKey[:14]) || !strings.Contains(page.body, "Happy birthday, Ada") {
		t.Errorf("logs: %d\n%s", page.code, page.body)
	}
	none := e.adminReq(http.MethodGet, "/admin/logs?customer=nobody", nil, sess)
	if strings.Contains(none.body, "Happy birthday") || !strings.Contains(none.body, "Nothing matches") {
		t.Errorf("a filter on another customer still lists Ada's messages")
	}
	csv := e.adminReq(http.MethodGet, "/admin/export.csv?kind=sends&campaign=birthday-treat", nil, sess)
	if csv.code != http.StatusOK || !strings.HasPrefix(csv.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("export: %d %s", csv.code, csv.header.Get("Content-Type"))
	}
	lines := strings.Split(strings.TrimSpace(csv.body), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "time,campaign,variant,customer,decision") || !strings.Contains(lines[1], "birthday-treat,personal,"+custID+",sent") {
		t.Errorf("CSV export:\n%s", csv.body)
	}
}
