package web

import (
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// behindProxy trusts the test's loopback connection as a proxy that names
// the client in X-Forwarded-For.
func behindProxy(c *Config, _ *Deps) {
	c.ClientIPHeader = "X-Forwarded-For"
	c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
}

// loginFrom tries a password from a client address, with the cookies given.
func (e *env) loginFrom(addr, password string, cookies ...*http.Cookie) response {
	e.t.Helper()
	page := e.adminReq(http.MethodGet, "/admin/login", nil)
	form := url.Values{"password": {password}, "csrf": {csrfOf(e.t, page.body)}}
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/admin/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("X-Forwarded-For", addr)
	for _, c := range append(cookies, cookieOf(page, adminLoginCookie)) {
		if c != nil {
			req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
		}
	}
	return e.do(req)
}

// TestAStrangerCannotLockTheOwnerOut: a stranger failing from many
// addresses backs off every client never seen to sign in, but the owner —
// at the browser they signed in with, from anywhere, or from the address
// they signed in from — gets in with the right password at once.
func TestAStrangerCannotLockTheOwnerOut(t *testing.T) {
	e := newEnv(t, withAdmin(adminPassword), behindProxy, func(c *Config, _ *Deps) {
		c.Login = LoginLimits{PerAddress: 3, PerAccount: 5, MaxBackoff: 15 * time.Minute}
	})
	const home = "203.0.113.10"
	first := e.loginFrom(home, adminPassword)
	device := cookieOf(first, adminDeviceCookie)
	if first.code != http.StatusSeeOther || device == nil {
		t.Fatalf("the owner's first sign-in: %d, device cookie %v", first.code, device)
	}

	for i := 1; i <= 20; i++ {
		for range 3 {
			e.loginFrom("198.51.100."+strconv.Itoa(i), "guess")
		}
	}
	if res := e.loginFrom("198.51.100.99", adminPassword); res.code != http.StatusTooManyRequests {
		t.Errorf("a new address after 60 failures elsewhere: %d, want 429 (the account backs off)", res.code)
	}
	if res := e.loginFrom("198.51.100.1", "guess"); res.code != http.StatusTooManyRequests {
		t.Errorf("a failing address: %d, want 429", res.code)
	}
	if res := e.loginFrom("192.0.2.50", adminPassword, device); res.code != http.StatusSeeOther {
		t.Errorf("the owner's browser from a café: %d, want 303 (signed in)", res.code)
	}
	if res := e.loginFrom(home, adminPassword); res.code != http.StatusSeeOther {
		t.Errorf("the owner's own address, cookie cleared: %d, want 303 (signed in)", res.code)
	}
	for range 10 {
		e.loginFrom(home, "guess") // a stranger on the owner's own network
	}
	if res := e.loginFrom(home, adminPassword); res.code != http.StatusTooManyRequests {
		t.Errorf("the owner's address after a stranger's failures from it: %d, want 429", res.code)
	}
	if res := e.loginFrom(home, adminPassword, device); res.code != http.StatusSeeOther {
		t.Errorf("the owner's browser at that address: %d, want 303 (signed in)", res.code)
	}
	forged := &http.Cookie{Name: adminDeviceCookie, Value: "x." + strings.Repeat("A", 43)}
	if res := e.loginFrom("198.51.100.98", adminPassword, forged); res.code != http.StatusTooManyRequests {
		t.Errorf("a forged device cookie: %d, want 429", res.code)
	}
}

// TestLoginBackoffDoublesPerAddress: past the free failures each one
// doubles the wait, and the right password waits too.
func TestLoginBackoffDoublesPerAddress(t *testing.T) {
	e := newEnv(t, withAdmin(adminPassword), behindProxy, func(c *Config, _ *Deps) {
		c.Login = LoginLimits{PerAddress: 2, PerAccount: 1000, MaxBackoff: 4 * time.Second}
	})
	const addr = "198.51.100.7"
	for i := range 3 {
		if res := e.loginFrom(addr, "guess"); res.code != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d, want 401", i+1, res.code)
		}
	}
	for _, step := range []struct {
		after time.Duration
		want  int
	}{
		{0, http.StatusTooManyRequests},           // waiting 1s
		{time.Second, http.StatusUnauthorized},    // fourth failure: 2s
		{time.Second, http.StatusTooManyRequests}, // 1s into 2s
		{time.Second, http.StatusUnauthorized},    // fifth failure: 4s
		{3 * time.Second, http.StatusTooManyRequests},
		{time.Second, http.StatusUnauthorized}, // sixth: capped at 4s
		{3 * time.Second, http.StatusTooManyRequests},
	} {
		e.clock.Add(step.after)
		if res := e.loginFrom(addr, "guess"); res.code != step.want {
			t.Fatalf("after %v more: %d, want %d", step.after, res.code, step.want)
		}
	}
	if res := e.loginFrom(addr, adminPassword); res.code != http.StatusTooManyRequests {
		t.Errorf("the right password during the wait: %d, want 429", res.code)
	}
	e.clock.Add(time.Second)
	if res := e.loginFrom(addr, adminPassword); res.code != http.StatusSeeOther {
		t.Errorf("the right password after the wait: %d, want 303", res.code)
	}
}

// TestLogoutEndsTheSessionOnTheServer: a copy of the session cookie taken
// before signing out opens nothing after it.
func TestLogoutEndsTheSessionOnTheServer(t *testing.T) {
	e := newEnv(t, withAdmin(adminPassword))
	_, sess := e.login(adminPassword)
	page := e.adminReq(http.MethodGet, "/admin/", nil, sess)
	if page.code != http.StatusOK {
		t.Fatalf("dashboard: %d", page.code)
	}
	copied := &http.Cookie{Name: sess.Name, Value: sess.Value}
	if res := e.adminReq(http.MethodPost, "/admin/logout", url.Values{"csrf": {csrfOf(t, page.body)}}, sess); res.code != http.StatusSeeOther {
		t.Fatalf("logout: %d", res.code)
	}
	if res := e.adminReq(http.MethodGet, "/admin/", nil, copied); res.code != http.StatusSeeOther || res.header.Get("Location") != "/admin/login" {
		t.Errorf("the copied cookie after logout: %d to %q, want the login page", res.code, res.header.Get("Location"))
	}
	if res := e.adminReq(http.MethodGet, "/admin/export.csv", nil, copied); res.code == http.StatusOK {
		t.Error("the copied cookie still exports")
	}
}

// TestClientAddressBehindAProxy: the header is believed only from a trusted
// proxy, and an X-Forwarded-For list is read from the right past the
// trusted hops, so a client cannot pick its own address by writing one.
func TestClientAddressBehindAProxy(t *testing.T) {
	s := New(Config{ClientIPHeader: "X-Forwarded-For", TrustedProxies: []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::/32")}}, Deps{Store: failingStore{}, Signer: mustSigner(t, keyNew)})
	tests := []struct {
		name, remote string
		xff          []string
		want         string
	}{
		{"no proxy", "198.51.100.1:4000", nil, "198.51.100.1"},
		{"header from an untrusted peer is ignored", "198.51.100.1:4000", []string{"1.2.3.4"}, "198.51.100.1"},
		{"one trusted proxy", "10.0.0.2:4000", []string{"198.51.100.7"}, "198.51.100.7"},
		{"client-written entries left of the real one", "10.0.0.2:4000", []string{"1.2.3.4, 5.6.7.8, 198.51.100.7"}, "198.51.100.7"},
		{"two trusted hops", "10.0.0.2:4000", []string{"198.51.100.7, 10.9.9.9"}, "198.51.100.7"},
		{"several header lines", "10.0.0.2:4000", []string{"1.2.3.4", "198.51.100.7, 10.1.1.1"}, "198.51.100.7"},
		{"garbage hop stops the walk", "10.0.0.2:4000", []string{"198.51.100.7, nonsense, 10.1.1.1"}, "10.1.1.1"},
		{"every hop trusted", "10.0.0.2:4000", []string{"10.3.3.3, 10.4.4.4"}, "10.3.3.3"},
		{"no header from a proxy", "10.0.0.2:4000", nil, "10.0.0.2"},
		{"IPv6 proxy", "[2001:db8::1]:4000", []string{"2001:db8:ffff::9, 198.51.100.8"}, "198.51.100.8"},
		{"IPv4-mapped peer", "[::ffff:10.0.0.2]:4000", []string{"198.51.100.9"}, "198.51.100.9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptestRequest(tt.remote, tt.xff)
			if got := s.clientIP(r); got != tt.want {
				t.Errorf("clientIP = %q, want %q", got, tt.want)
			}
		})
	}
}

func httptestRequest(remote string, xff []string) *http.Request {
	r, _ := http.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = remote
	for _, v := range xff {
		r.Header.Add("X-Forwarded-For", v)
	}
	return r
}

// TestRateLimitIsPerClientBehindAProxy: behind a trusted proxy each client
// has its own bucket; one client spending its burst leaves the others be.
func TestRateLimitIsPerClientBehindAProxy(t *testing.T) {
	e := newEnv(t, behindProxy, func(c *Config, _ *Deps) { c.RateLimit = RateLimit{PerSecond: 1, Burst: 2} })
	get := func(addr string) int {
		req, _ := http.NewRequest(http.MethodGet, e.links().Unsubscribe, nil)
		req.Header.Set("X-Forwarded-For", "1.2.3.4, "+addr) // the client wrote the first, the proxy the second
		return e.do(req).code
	}
	for i := range 2 {
		if code := get("198.51.100.1"); code != http.StatusOK {
			t.Fatalf("request %d within the burst: %d", i+1, code)
		}
	}
	if code := get("198.51.100.1"); code != http.StatusTooManyRequests {
		t.Errorf("past the burst: %d, want 429", code)
	}
	if code := get("198.51.100.2"); code != http.StatusOK {
		t.Errorf("another client behind the same proxy: %d, want 200", code)
	}
	e.clock.Add(time.Second)
	if code := get("198.51.100.1"); code != http.StatusOK {
		t.Errorf("a second later: %d, want 200", code)
	}
}
